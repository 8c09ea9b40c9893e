import type { FaultEvent, Heartbeat, MetricBatch } from '@faultline/schemas';
import type { Catalog } from '../catalog/types.js';
import { AlarmTable, DEFAULT_TABLE_OPTIONS, type AlarmTableOptions, type AlarmTableSnapshot } from './alarm-table.js';
import { DEFAULT_FLAP, type FlapOptions } from './flapping.js';
import { DEFAULT_HEARTBEAT, HeartbeatMonitor, type HeartbeatOptions, type HeartbeatSnapshot } from './heartbeat.js';
import { IdSource } from './ids.js';
import type { RuleSet } from './rules.js';
import { ThresholdEvaluator, type ThresholdSnapshot } from './thresholds.js';
import type {
  AlarmQuery, EngineOutput, EventLogEntry, EventQuery, InventoryRecord, MaintenanceWindow, Owns, Silence,
} from './types.js';
import type { ActiveAlarm, AlarmTransition } from '@faultline/schemas';

export interface EngineOptions {
  catalog: Catalog;
  rules?: RuleSet;
  heartbeat?: Partial<HeartbeatOptions>;
  flap?: Partial<FlapOptions>;
  event_log_size?: number;
  silence_retention_ms?: number;
  /** Seeds the uuids: give each engine instance its own (the same seed and inputs give the same uuids). */
  id_seed?: string;
}

/** Everything an engine knows, for the partitions `owns` selects: restore it elsewhere and it carries on. */
export interface EngineSnapshot {
  version: 1;
  id_counter: number;
  table: AlarmTableSnapshot;
  thresholds: ThresholdSnapshot;
  heartbeats: HeartbeatSnapshot;
}

/** What a caller that already holds more than the snapshot can hand to Engine.restore to save work. */
export interface RestoreOptions {
  /**
   * The key of each of `table.alarms`, in its order (`alarmKey(alarm)`: the keys of the alarms.active
   * records it was read from). Taken as they are: the restore then builds no key string.
   */
  alarmKeys?: readonly string[];
}

const everything = () => true;

/**
 * The alarm engine: metrics, faults, heartbeats, inventory and operator actions in; AlarmTransitions
 * and log records out. Pure: no I/O and no timers. Time comes in with every input, and `tick(now)`
 * is how time passes for absence, heartbeat loss, silence expiry and flap recovery.
 */
export class Engine {
  readonly table: AlarmTable;
  private readonly ids: IdSource;
  private readonly thresholds: ThresholdEvaluator;
  private readonly heartbeats: HeartbeatMonitor;

  constructor(readonly options: EngineOptions) {
    this.ids = new IdSource(options.id_seed ?? 'faultline');
    const tableOptions: AlarmTableOptions = {
      flap: { ...DEFAULT_FLAP, ...options.flap },
      event_log_size: options.event_log_size ?? DEFAULT_TABLE_OPTIONS.event_log_size,
      silence_retention_ms: options.silence_retention_ms ?? DEFAULT_TABLE_OPTIONS.silence_retention_ms,
    };
    this.table = new AlarmTable(options.catalog, this.ids, tableOptions);
    this.thresholds = new ThresholdEvaluator(options.rules ?? { derived: [], rules: [] }, this.table);
    this.heartbeats = new HeartbeatMonitor(this.table, { ...DEFAULT_HEARTBEAT, ...options.heartbeat });
  }

  /**
   * Threshold rules over one batch; `receivedAt` (default: the batch time) is the clock absence is judged on.
   * The transitions it causes carry `traceparent` (the batch's), as fault-driven ones carry their fault's.
   */
  metrics(batch: MetricBatch, out: EngineOutput, receivedAt = batch.ts, traceparent?: string): void {
    this.thresholds.observe(batch, receivedAt, out, traceparent);
  }

  /** fm-api: set, clear, clear_all, log. */
  fault(ev: FaultEvent, out: EngineOutput, traceparent?: string): void {
    switch (ev.op) {
      case 'clear_all':
        this.table.clearAll(ev.entity_instance_id, ev.ts, out, traceparent);
        return;
      case 'clear':
        if (ev.alarm_id) this.table.clear(ev.alarm_id, ev.entity_instance_id, ev.ts, out, traceparent);
        return;
      case 'set':
      case 'log': {
        if (!ev.alarm_id) return;
        const req = {
          alarm_id: ev.alarm_id, entity_instance_id: ev.entity_instance_id, source: ev.source ?? 'fault',
          ...(ev.severity && { severity: ev.severity }),
          ...(ev.reason_text !== undefined && { reason_text: ev.reason_text }),
          ...(ev.entity_type_id !== undefined && { entity_type_id: ev.entity_type_id }),
          ...(ev.alarm_type && { alarm_type: ev.alarm_type }),
          ...(ev.probable_cause && { probable_cause: ev.probable_cause }),
          ...(ev.proposed_repair_action !== undefined && { proposed_repair_action: ev.proposed_repair_action }),
          ...(ev.service_affecting !== undefined && { service_affecting: ev.service_affecting }),
          ...(ev.suppression !== undefined && { suppression_allowed: ev.suppression }),
        };
        if (ev.op === 'log') this.table.log(req, ev.ts, out, traceparent);
        else this.table.set(req, ev.ts, out, traceparent);
      }
    }
  }

  /** A host's pulse; `receivedAt` (default: its own ts) is the clock its misses are counted on. */
  heartbeat(hb: Heartbeat, out: EngineOutput, receivedAt = hb.ts): void {
    this.heartbeats.pulse(hb, receivedAt, out);
  }

  inventory(rec: InventoryRecord, at: number, out: EngineOutput): void {
    this.table.setParent(rec.entity_instance_id, rec.op === 'set' ? rec.parent_entity_instance_id ?? null : null, at, out);
  }

  /** Time passes: absence, heartbeat loss, silence and maintenance expiry, flapping alarms becoming stable. */
  tick(now: number, out: EngineOutput): void {
    this.thresholds.tick(now, out);
    this.heartbeats.tick(now, out);
    this.table.tick(now, out);
  }

  /** Scale-out: the other members' silent hosts, and whether this member judges 710.010 (HeartbeatMonitor.setPeers). */
  setHeartbeatPeers(failing: ReadonlySet<string>, inMulti: ReadonlySet<string>, judge: boolean): void { this.heartbeats.setPeers(failing, inMulti, judge); }
  silentHosts(): { failing: string[]; in_multi: string[] } { return this.heartbeats.silentHosts(); }
  /** Hosts whose heartbeat state changed meaningfully since the last call (HeartbeatMonitor.takeChanged): the ones to persist. */
  takeHeartbeatChanges(): Set<string> { return this.heartbeats.takeChanged(); }

  // Operator actions.
  addSilence(s: Silence, at: number, out: EngineOutput): void { this.table.addSilence(s, at, out); }
  expireSilence(id: string, at: number, out: EngineOutput): boolean { return this.table.expireSilence(id, at, out); }
  silences(): Silence[] { return this.table.listSilences(); }
  reconcileOperatorFlags(at: number, out: EngineOutput): void { this.table.reconcileOperatorFlags(at, out); }
  setSuppressed(alarmId: string, suppressed: boolean, at: number, out: EngineOutput): void { this.table.setSuppressed(alarmId, suppressed, at, out); }
  suppressedAlarmIds(): string[] { return this.table.suppressedAlarmIds(); }
  setMaintenance(entity: string, until: number | null, at: number, out: EngineOutput): void { this.table.setMaintenance(entity, until, at, out); }
  maintenance(): MaintenanceWindow[] { return this.table.listMaintenance(); }

  // Queries.
  get(key: string): ActiveAlarm | undefined { return this.table.get(key); }
  getByUuid(uuid: string): ActiveAlarm | undefined { return this.table.getByUuid(uuid); }
  query(q?: AlarmQuery): ActiveAlarm[] { return this.table.query(q); }
  events(q?: EventQuery): EventLogEntry[] { return this.table.events(q); }
  replayHistory(transitions: readonly AlarmTransition[]): void { this.table.replayHistory(transitions); }
  get activeCount(): number { return this.table.size; }
  get seriesCount(): number { return this.thresholds.seriesCount; }

  /**
   * The state of the partitions `owns` selects, by root entity (the host: the key of metrics, faults
   * and heartbeats). Silences, suppression, maintenance and inventory are global and always included.
   * Plain JSON: store it anywhere. Pass a Set of roots to go through the per-host indexes: that costs
   * what those hosts hold, not what the engine holds, so it can run for every batch.
   */
  snapshot(owns: Owns = everything): EngineSnapshot {
    return {
      version: 1,
      id_counter: this.ids.counter,
      table: this.table.snapshot(owns),
      thresholds: this.thresholds.snapshot(owns),
      heartbeats: this.heartbeats.snapshot(owns),
    };
  }

  /**
   * Adds a snapshot's state to this engine (a restart, or partitions gained on rebalance). With
   * `resumeAt`, the restored hosts count as heard from at that time: while the correlator was down (or
   * the partition moved), silence was the correlator's, not the hosts', so heartbeat misses and metric
   * absence start counting again from there instead of raising 710.001 and 700.150 for every host.
   */
  restore(s: EngineSnapshot, resumeAt?: number, opts: RestoreOptions = {}): void {
    if (s.version !== 1) throw new Error(`engine snapshot version ${String(s.version)} is not supported (this engine reads 1)`);
    this.ids.counter = Math.max(this.ids.counter, s.id_counter);
    this.table.restore(s.table, opts.alarmKeys);
    this.thresholds.restore(s.thresholds, resumeAt);
    this.heartbeats.restore(s.heartbeats, resumeAt);
  }

  /** Forgets the state of partitions this engine no longer owns (revoked on rebalance). */
  drop(owns: Owns): void {
    this.table.drop(owns);
    this.thresholds.drop(owns);
    this.heartbeats.drop(owns);
  }
}
