import {
  TOPICS, decode, rootEntity, type ActiveAlarm, type EngineState, type FaultEvent, type Heartbeat, type MetricBatch,
} from '@faultline/schemas';
import type { BusRecord, Emit, Envelope, Logger, TopicPartition } from '@faultline/runtime';
import type { Engine } from '../engine/engine.js';
import type { EngineOutput } from '../engine/types.js';
import {
  OPERATOR_KEY, alarmRoot, assembleSnapshot, hostRecord, operatorRecord, splitSnapshot, type HostState, type OperatorState,
} from './records.js';

/** Reads a compacted topic from its start to its current end (the bus's readAll). */
export type TopicReader = (topic: 'correlator.state' | 'alarms.active') => AsyncIterable<BusRecord>;

/** The partition that restores roots it never saw on an input (710.010's `system=<cluster>`): one owner, always. */
const ORPHAN_PARTITION = 0;

/** The host of an input record: its partition key. */
export function inputRoot(env: Envelope): string {
  switch (env.topic) {
    case 'metrics': return (env.value as MetricBatch).node;
    case 'heartbeats': return (env.value as Heartbeat).node;
    case 'faults': return rootEntity((env.value as FaultEvent).entity_instance_id);
    default: return env.key ?? '';
  }
}

/** The last value per key of a compacted topic, decoded; tombstones delete. */
async function lastValues<T extends 'correlator.state' | 'alarms.active'>(read: TopicReader, topic: T, log: Logger) {
  const out = new Map<string, T extends 'alarms.active' ? ActiveAlarm : EngineState>();
  let bad = 0;
  for await (const r of read(topic)) {
    if (r.key === null) continue;
    if (r.value === null) { out.delete(r.key); continue; }
    const d = decode(TOPICS[topic].schema, r.headers, r.value);
    if (!d.ok) { bad++; continue; }
    out.delete(r.key); // keep the map in offset order of the last write
    out.set(r.key, d.value as never);
  }
  if (bad) log.warn('state records that do not decode were skipped', { topic, count: bad });
  return out;
}

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

  /** Remembers where each host of a batch arrives and returns the hosts it touched. */
  noteBatch(batch: readonly Envelope[]): Set<string> {
    const touched = new Set<string>();
    for (const env of batch) {
      const root = inputRoot(env);
      touched.add(root);
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

  /** Restores the hosts of the input partitions gained, their active alarms and the operator state. */
  async assign(partitions: readonly TopicPartition[], read: TopicReader): Promise<void> {
    const gained = new Set(partitions.map((p) => p.partition).filter((n) => !this.owns(n)));
    for (const p of partitions) this.assigned.add(`${p.topic}/${p.partition}`);
    if (!gained.size) return;
    this.restoring++;
    const started = Date.now();
    try {
      // Both at once: each read pays a consumer-group join before its first record.
      const [states, active] = await Promise.all([lastValues(read, 'correlator.state', this.log), lastValues(read, 'alarms.active', this.log)]);
      const mine = new Map<string, HostState>();
      let operator: OperatorState | undefined;
      for (const [key, rec] of states) {
        if (key === OPERATOR_KEY) operator = rec.state as unknown as OperatorState;
        else if (gained.has(rec.partition)) mine.set(rec.node, rec.state as unknown as HostState);
      }
      const alarms: ActiveAlarm[] = [];
      for (const a of active.values()) {
        const root = alarmRoot(a);
        if (mine.has(root) || (!states.has(root) && gained.has(ORPHAN_PARTITION))) alarms.push(a);
      }
      // Resumed now: the time this correlator (or the previous owner) was away is not the hosts' silence.
      this.engine().restore(assembleSnapshot(mine.values(), operator, alarms), Date.now());
      for (const [root, rec] of states) if (mine.has(root)) this.partitionOf.set(root, rec.partition);
      for (const a of alarms) if (!this.partitionOf.has(alarmRoot(a))) this.partitionOf.set(alarmRoot(a), ORPHAN_PARTITION);
      this.log.info('state restored', {
        partitions: [...gained].sort((a, b) => a - b), hosts: mine.size, alarms: alarms.length, ms: Date.now() - started,
      });
    } finally {
      this.restoring--;
    }
  }

  /** Forgets the hosts of the input partitions taken away: their new owner restores them. */
  revoke(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.assigned.delete(`${p.topic}/${p.partition}`);
    const lost = new Set(partitions.map((p) => p.partition).filter((n) => !this.owns(n)));
    if (!lost.size) return;
    const gone = (root: string) => { const p = this.partitionOf.get(root); return p !== undefined && lost.has(p); };
    this.engine().drop((root) => !gone(root));
    let hosts = 0;
    for (const root of [...this.partitionOf.keys()]) if (gone(root)) { this.partitionOf.delete(root); hosts++; }
    this.log.info('partitions revoked: state dropped', { partitions: [...lost].sort((a, b) => a - b), hosts });
  }
}
