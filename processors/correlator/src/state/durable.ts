import {
  decode, rootEntity, type ActiveAlarm, type EngineState, type FaultEvent, type Heartbeat, type MetricBatch,
} from '@faultline/schemas';
import type { BusRecord, Emit, Envelope, Logger, ReadAllOptions, TopicPartition } from '@faultline/runtime';
import type { Engine } from '../engine/engine.js';
import type { EngineOutput } from '../engine/types.js';
import { rootOfKey } from '../engine/entity.js';
import { decodeActiveAlarm, type StringPool } from './restore-check.js';
import {
  OPERATOR_KEY, assembleSnapshot, hostRecord, operatorRecord, splitSnapshot, type HostState, type OperatorState,
} from './records.js';

/** Reads a compacted topic from its start (or the given offsets) to its current end (the bus's readAll). */
export type TopicReader = (topic: 'correlator.state' | 'alarms.active', opts?: ReadAllOptions) => AsyncIterable<BusRecord>;

/**
 * What a group member has already read of alarms.active (its GroupFollower's view): a restore takes its
 * alarms from there and reads only the records after them, so a restarting member reads and decodes the
 * topic once, not once for the view and again for the restore.
 */
export interface FollowedAlarms {
  /**
   * Synchronously: the alarms whose host `ours` accepts (all without it) with their keys, and per alarms.active
   * partition the offset after the last record they include (a partition not listed is read from its start).
   */
  take(ours?: (root: string) => boolean): KeyedAlarms & { from: ReadonlyMap<number, number> };
}

/** Alarms and their keys (`alarmKey`), index by index: what Engine.restore takes without building a key. */
export interface KeyedAlarms { keys: string[]; alarms: ActiveAlarm[] }

/** The partition that restores roots it never saw on an input (710.010's `system=<cluster>`): one owner, always. */
const ORPHAN_PARTITION = 0;

const keyed = (byKey: Map<string, ActiveAlarm | null>): KeyedAlarms => {
  const out: KeyedAlarms = { keys: [], alarms: [] };
  for (const [key, a] of byKey) if (a) { out.keys.push(key); out.alarms.push(a); }
  return out;
};

/** The host of an input record: its partition key. */
export function inputRoot(env: Envelope): string {
  switch (env.topic) {
    case 'metrics': return (env.value as MetricBatch).node;
    case 'heartbeats': return (env.value as Heartbeat).node;
    case 'faults': return rootEntity((env.value as FaultEvent).entity_instance_id);
    default: return env.key ?? '';
  }
}

/** The last record per key of a compacted topic, undecoded; tombstones delete. Map order is the order of the last writes. */
async function lastRecords(read: TopicReader, topic: 'correlator.state' | 'alarms.active'): Promise<Map<string, BusRecord>> {
  const out = new Map<string, BusRecord>();
  for await (const r of read(topic)) {
    if (r.key === null) continue;
    out.delete(r.key);
    if (r.value !== null) out.set(r.key, r);
  }
  return out;
}

/** Decodes what a restore keeps; records that do not decode are counted and skipped. */
function decodeKept<T>(what: string, records: Iterable<BusRecord>, decodeOne: (r: BusRecord) => T | undefined, log: Logger): T[] {
  const out: T[] = [];
  let bad = 0;
  for (const r of records) {
    const v = decodeOne(r);
    if (v === undefined) bad++;
    else out.push(v);
  }
  if (bad) log.warn('state records that do not decode were skipped', { topic: what, count: bad });
  return out;
}
const decodeState = (r: BusRecord): EngineState | undefined => {
  const d = decode('engine_state', r.headers, r.value);
  return d.ok ? d.value : undefined;
};

/**
 * The correlator's durable state (docs/alarm-state.md). Active alarms live in the compacted
 * `alarms.active` topic, written with every transition; everything else an engine knows about a
 * host (debounce bits, absence, flap history, heartbeat counters) goes to the compacted
 * `correlator.state` topic, one record per host, written in the same transaction as the batch that
 * changed it. Operator state (silences, suppression, maintenance, inventory) is one record under `*`.
 * A new owner of input partitions restores their hosts before it handles their first batch.
 */
export class DurableState {
  /** Root (host) → the input partition its records arrive on. */
  private readonly partitionOf = new Map<string, number>();
  /** `topic/partition` of every input partition assigned now: a partition number is owned while any of its topics is. */
  private readonly assigned = new Set<string>();
  private restoring = 0;

  constructor(private readonly engine: () => Engine, private readonly log: Logger) {}

  get idle(): boolean { return this.restoring === 0; }

  /** Whether input partition `partition` (of any input topic) is assigned to this member now. */
  owns(partition: number): boolean {
    for (const tp of this.assigned) if (tp.endsWith(`/${partition}`)) return true;
    return false;
  }

  /**
   * Remembers where each host of a batch arrives and returns the hosts whose records the batch
   * touched. Heartbeats are left out: most beats change nothing worth a state record, and the engine
   * names the hosts whose heartbeat state did change (Engine.takeHeartbeatChanges).
   */
  noteBatch(batch: readonly Envelope[]): Set<string> {
    const touched = new Set<string>();
    for (const env of batch) {
      const root = inputRoot(env);
      if (env.topic !== 'heartbeats') touched.add(root);
      this.partitionOf.set(root, env.partition);
    }
    return touched;
  }

  /** Writes the state of every host the batch or its transitions touched (through `emit`, atomically with the batch). */
  persist(touched: Set<string>, out: EngineOutput, emit: Emit): void {
    for (const t of out.transitions) {
      if (t.kind === 'cleared_all') touched.add(rootEntity(t.entity_instance_id));
      else touched.add(rootEntity(t.alarm.entity_instance_id));
    }
    if (!touched.size) return;
    const split = splitSnapshot(this.engine().snapshot(touched), touched);
    for (const [root, state] of split.hosts) {
      emit('correlator.state', hostRecord(root, this.partitionOf.get(root) ?? ORPHAN_PARTITION, state), { key: root });
    }
  }

  /** Writes the operator record after a silence, suppression or maintenance change. */
  persistOperator(emit: Emit): void {
    const split = splitSnapshot(this.engine().snapshot(new Set()), []);
    emit('correlator.state', operatorRecord(split.operator), { key: OPERATOR_KEY });
  }

  /**
   * Restores the hosts of the input partitions gained, their active alarms and the operator state. With
   * `followed`, the alarms come from what the group follower has read, and alarms.active is read only after it.
   */
  async assign(partitions: readonly TopicPartition[], read: TopicReader, followed?: FollowedAlarms): Promise<void> {
    const gained = new Set(partitions.map((p) => p.partition).filter((n) => !this.owns(n)));
    for (const p of partitions) this.assigned.add(`${p.topic}/${p.partition}`);
    if (!gained.size) return;
    this.restoring++;
    const started = Date.now();
    try {
      // correlator.state first (one record per host): it says which hosts are ours before alarms.active is read.
      const stateRecords = await lastRecords(read, 'correlator.state');
      const mine = new Map<string, HostState>();
      const partitionOfMine = new Map<string, number>();
      let operator: OperatorState | undefined;
      for (const rec of decodeKept('correlator.state', stateRecords.values(), decodeState, this.log)) {
        if (rec.node === OPERATOR_KEY) operator = rec.state as unknown as OperatorState;
        else if (gained.has(rec.partition)) { mine.set(rec.node, rec.state as unknown as HostState); partitionOfMine.set(rec.node, rec.partition); }
      }
      // Hosts with alarms but no state record at all (710.010's `system=<cluster>`) are the orphan partition's.
      const ours = (root: string) => mine.has(root) || (!stateRecords.has(root) && gained.has(ORPHAN_PARTITION));
      // A member that gained every host with state and the orphans (a single member's start) owns every alarm.
      const all = gained.has(ORPHAN_PARTITION) && mine.size === stateRecords.size - (stateRecords.has(OPERATOR_KEY) ? 1 : 0);
      const { keys, alarms } = followed ? await this.followedAlarms(followed, read, ours, all) : keyed(await this.lastAlarms(read, ours));
      // Resumed now: the time this correlator (or the previous owner) was away is not the hosts' silence.
      this.engine().restore(assembleSnapshot(mine.values(), operator, alarms), Date.now(), { alarmKeys: keys });
      for (const [root, partition] of partitionOfMine) this.partitionOf.set(root, partition);
      this.log.info('state restored', {
        partitions: [...gained].sort((a, b) => a - b), hosts: mine.size, alarms: alarms.length, ms: Date.now() - started,
        alarms_from: followed ? 'the group follower, then the tail of alarms.active' : 'alarms.active',
      });
    } finally {
      this.restoring--;
    }
  }

  /** The follower's alarms of ours, with what alarms.active holds after them (the tail) put over them. */
  private async followedAlarms(followed: FollowedAlarms, read: TopicReader, ours: (root: string) => boolean, all: boolean): Promise<KeyedAlarms> {
    const start = followed.take(all ? undefined : ours);
    const tail = await this.lastAlarms(read, ours, start.from);
    if (!tail.size) return start;
    const out: KeyedAlarms = { keys: [], alarms: [] };
    start.keys.forEach((key, i) => { if (!tail.has(key)) { out.keys.push(key); out.alarms.push(start.alarms[i]!); } });
    for (const [key, a] of tail) if (a) { out.keys.push(key); out.alarms.push(a); }
    return out;
  }

  /**
   * The last value of every alarms.active key whose host `ours` accepts, decoded as it is read: the host is
   * in the key (alarm_id|entity), so other members' alarms are never decoded, and no raw record (nor the
   * decompressed batch it points into) outlives its fetch: a million raw values held until the end doubled
   * the restore's peak RSS. From offsets `from` (a tail read), a key whose last record is a tombstone maps to
   * null, as it must override what came before; from the start, a tombstone just deletes.
   */
  private async lastAlarms(read: TopicReader, ours: (root: string) => boolean, from?: ReadonlyMap<number, number>): Promise<Map<string, ActiveAlarm | null>> {
    const out = new Map<string, ActiveAlarm | null>();
    const strings: StringPool = new Map();
    let bad = 0;
    for await (const r of read('alarms.active', from && { from })) {
      if (r.key === null) continue;
      out.delete(r.key); // the map stays in offset order of the last writes
      if (!ours(rootOfKey(r.key))) continue;
      if (r.value === null) {
        if (from) out.set(r.key, null);
        continue;
      }
      const a = decodeActiveAlarm(r.headers, r.value, strings);
      if (a) out.set(r.key, a);
      else bad++;
    }
    if (bad) this.log.warn('state records that do not decode were skipped', { topic: 'alarms.active', count: bad });
    return out;
  }

  /** Forgets the hosts of the input partitions taken away: their new owner restores them. */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.assigned.delete(`${p.topic}/${p.partition}`);
    const lost = new Set(partitions.map((p) => p.partition).filter((n) => !this.owns(n)));
    if (!lost.size) return;
    // A host never seen on an input nor restored with a state record is an orphan: the orphan partition's.
    const gone = (root: string) => lost.has(this.partitionOf.get(root) ?? ORPHAN_PARTITION);
    this.engine().drop((root) => !gone(root));
    let hosts = 0;
    for (const root of [...this.partitionOf.keys()]) if (gone(root)) { this.partitionOf.delete(root); hosts++; }
    this.log.info('partitions revoked: state dropped', { partitions: [...lost].sort((a, b) => a - b), hosts });
  }
}
