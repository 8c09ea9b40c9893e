import { alarmKey, SEVERITY_RANK, type ActiveAlarm, type Alarm, type AlarmTransition, type SingleAlarmTransition } from '@faultline/schemas';
import { isServiceAffecting, type Catalog, type CatalogEntry } from '../catalog/types.js';
import { isAtOrBelow, pathAncestors, rootOf } from './entity.js';
import { DEFAULT_FLAP, lastChange, recordChange, type FlapOptions, type FlapRecord } from './flapping.js';
import type { IdSource } from './ids.js';
import { compileMatchers, matchesAll, type CompiledMatcher } from './matchers.js';
import {
  ownsPredicate, type AlarmQuery, type EngineOutput, type EventLogEntry, type EventQuery, type LogRecord, type MaintenanceWindow,
  type Owns, type SetRequest, type Silence,
} from './types.js';

/** The active alarms of one root entity (host). Its `root` is the one copy of the host's name every Rec points at. */
interface Host {
  root: string;
  keys: Set<string>;
}

interface Rec {
  alarm: Alarm;
  seq: number;
  last: string;
  host: Host;
}

interface Flap extends FlapRecord {
  /** The last state of a cleared alarm, so `stable` can still be told about it. */
  cleared?: { alarm: Alarm; seq: number };
}

interface CompiledSilence extends Silence {
  compiled: CompiledMatcher[];
}

export interface AlarmTableOptions {
  flap: FlapOptions;
  /** How many events (transitions and logs) the in-memory event log keeps. */
  event_log_size: number;
  /** How long an ended silence stays listed. */
  silence_retention_ms: number;
}

export const DEFAULT_TABLE_OPTIONS: AlarmTableOptions = { flap: DEFAULT_FLAP, event_log_size: 10_000, silence_retention_ms: 86_400_000 };

/** The part of a snapshot the alarm table owns; see Engine.snapshot. */
export interface AlarmTableSnapshot {
  alarms: ActiveAlarm[];
  flaps: { key: string; changes: number[]; flapping: boolean; flap_count: number; cleared?: { alarm: Alarm; seq: number } }[];
  silences: Silence[];
  suppressed_alarm_ids: string[];
  maintenance: MaintenanceWindow[];
  inventory: { entity_instance_id: string; parent_entity_instance_id: string }[];
  /** Which silences and windows the flags were last computed with, so their start or end is noticed after a restore. */
  in_force: string;
}

// Shared and frozen: most alarms have no labels and no silence, and a million alarms should not carry a million empty objects.
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_SILENCES: string[] = Object.freeze([]) as unknown as string[];

const sameLabels = (a: Record<string, string>, b: Record<string, string>) => {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if (a[k] !== b[k]) return false;
  return true;
};
/** The host of a Rec built only to report a cleared alarm (tick's `stable`): never in the table. */
const GONE: Host = Object.freeze({ root: '', keys: new Set<string>() });
/** Whether an operator action (suppression, a silence, a maintenance window) holds the alarm back. */
const isFlagged = (a: Alarm): boolean => a.suppressed || a.silenced_by.length > 0;
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Active alarms with fm-api semantics, and every flag that decides whether a transition is notified:
 * topology inhibition, operator suppression, silences, maintenance windows and flapping. Every change
 * is an AlarmTransition with a per-alarm sequence number (1 for the raise). Pure: time comes in.
 */
export class AlarmTable {
  private readonly active = new Map<string, Rec>();
  /**
   * uuid → key, built by the first getByUuid and kept up to date from then on: a restore does not pay for
   * an index that only the API's lookup by uuid reads. (There is no index by alarm id: its users either
   * know the host, served by `byRoot`, or are rare operator actions and queries that may walk every alarm.)
   */
  private byUuid: Map<string, string> | undefined;
  private readonly byRoot = new Map<string, Host>();
  /** entity → keys of active alarms at that entity whose catalog entry inhibits children. */
  private readonly inhibitors = new Map<string, Set<string>>();
  /** Inventory: child entity → the entity it runs on. */
  private readonly parents = new Map<string, string>();
  private readonly suppressedIds = new Set<string>();
  private readonly silences = new Map<string, CompiledSilence>();
  private readonly maintenance = new Map<string, number>();
  private readonly flaps = new Map<string, Flap>();
  private eventLog: EventLogEntry[] = [];
  /** Silence and maintenance ids that were in force at the last refresh, to notice starts and ends at tick. */
  private inForce = '';
  /**
   * How many active alarms are suppressed or silenced (isFlagged), so reconcileOperatorFlags costs nothing
   * when none is and nothing is in force; NaN after a restore replaced an alarm it could not count out.
   */
  private flagged = 0;

  constructor(
    private readonly catalog: Catalog,
    private readonly ids: IdSource,
    private readonly opts: AlarmTableOptions = DEFAULT_TABLE_OPTIONS,
  ) {}

  get size(): number { return this.active.size; }

  // ---- fm-api ------------------------------------------------------------------------------------

  /** Raises, or updates in place, the alarm (alarm_id, entity_instance_id). Nothing changed → nothing emitted. */
  set(req: SetRequest, at: number, out: EngineOutput, traceparent?: string): void {
    const entry = this.catalog.entries.get(req.alarm_id);
    if (entry?.kind === 'log') { this.log(req, at, out, traceparent); return; }
    const key = alarmKey(req);
    const rec = this.active.get(key);
    if (!rec) { this.raise(key, req, entry, at, out, traceparent); return; }
    const a = rec.alarm;
    const severity = req.severity ?? a.severity;
    const next: Alarm = {
      ...a,
      severity,
      reason_text: req.reason_text ?? a.reason_text,
      service_affecting: req.service_affecting ?? (entry ? isServiceAffecting(entry, severity) : a.service_affecting),
      labels: req.labels ?? a.labels,
      proposed_repair_action: req.proposed_repair_action ?? a.proposed_repair_action,
    };
    if (next.severity === a.severity && next.reason_text === a.reason_text && next.service_affecting === a.service_affecting
      && next.proposed_repair_action === a.proposed_repair_action && sameLabels(next.labels, a.labels)) return;
    next.updated_at = at;
    // Silences may match on severity or labels, which just changed.
    next.silenced_by = this.silencesOf(next, at);
    const severityChanged = severity !== a.severity;
    const startsFlapping = severityChanged && this.noteChange(key, at, a.raised_at);
    if (startsFlapping) next.flapping = true;
    this.flagged += Number(isFlagged(next)) - Number(isFlagged(a));
    rec.alarm = next;
    this.emit('updated', rec, at, out, traceparent, severityChanged ? a.severity : undefined);
    if (startsFlapping) this.emit('flapping', rec, at, out, traceparent);
  }

  /** fm-api clear: every active alarm with this id at the entity or below it. */
  clear(alarmId: string, entityPrefix: string, at: number, out: EngineOutput, traceparent?: string): void {
    const matching: string[] = [];
    for (const [key, rec] of this.below(entityPrefix)) {
      if (rec.alarm.alarm_id === alarmId && isAtOrBelow(rec.alarm.entity_instance_id, entityPrefix)) matching.push(key);
    }
    for (const key of matching) this.clearKey(key, at, out, traceparent);
  }

  /** Clears one alarm by key; a no-op when it is not active (never a clear without a raise). */
  clearKey(key: string, at: number, out: EngineOutput, traceparent?: string): boolean {
    const rec = this.active.get(key);
    if (!rec) return false;
    const startsFlapping = this.noteChange(key, at, rec.alarm.raised_at);
    rec.alarm = { ...rec.alarm, state: 'cleared', updated_at: at, flapping: rec.alarm.flapping || startsFlapping };
    this.remove(key, rec);
    this.emit('cleared', rec, at, out, traceparent);
    this.rememberCleared(key, rec);
    if (startsFlapping) { this.emit('flapping', rec, at, out, traceparent); this.rememberCleared(key, rec); }
    this.afterInhibitorGone(key, rec.alarm, at, out, traceparent);
    return true;
  }

  /** fm-api clear_all: the entity and everything below it, in ONE `cleared_all` transition. */
  clearAll(entity: string, at: number, out: EngineOutput, traceparent?: string): void {
    const host = this.byRoot.get(rootOf(entity));
    if (!host) return;
    const cleared: { seq: number; alarm: Alarm }[] = [];
    const gone: Rec[] = [];
    for (const key of [...host.keys]) {
      const rec = this.active.get(key)!;
      if (!isAtOrBelow(rec.alarm.entity_instance_id, entity)) continue;
      // Counted for flap detection; a hierarchical clear is an operator's or an application's decision, so it
      // emits no `flapping` of its own: the next raise carries the flag if the key is flapping.
      this.noteChange(key, at, rec.alarm.raised_at);
      rec.alarm = { ...rec.alarm, state: 'cleared', updated_at: at };
      rec.seq++;
      this.remove(key, rec);
      this.rememberCleared(key, rec);
      cleared.push({ seq: rec.seq, alarm: rec.alarm });
      gone.push(rec);
    }
    if (!cleared.length) return;
    const t: AlarmTransition = { uuid: this.ids.next(), at, kind: 'cleared_all', entity_instance_id: entity, cleared };
    if (traceparent) t.traceparent = traceparent;
    for (const rec of gone) rec.last = t.uuid;
    this.push(t, out);
    for (const rec of gone) this.afterInhibitorGone(alarmKey(rec.alarm), rec.alarm, at, out, traceparent);
  }

  /** fm-api log: the event log only, never an active alarm. */
  log(req: SetRequest, at: number, out: EngineOutput, traceparent?: string): void {
    const entry = this.catalog.entries.get(req.alarm_id);
    const log: LogRecord = {
      uuid: this.ids.next(), at, log_id: req.alarm_id, entity_instance_id: req.entity_instance_id,
      severity: req.severity ?? entry?.severities[0] ?? 'warning',
      reason_text: req.reason_text ?? entry?.description ?? '', source: req.source,
    };
    if (traceparent) log.traceparent = traceparent;
    out.logs.push(log);
    this.record({ type: 'log', at, log });
  }

  // ---- operator controls --------------------------------------------------------------------------

  /** Operator suppression of an alarm id (fm-api): the alarms stay stored; each one gets a resync transition. */
  setSuppressed(alarmId: string, suppressed: boolean, at: number, out: EngineOutput): void {
    if (this.suppressedIds.has(alarmId) === suppressed) return;
    if (suppressed) this.suppressedIds.add(alarmId); else this.suppressedIds.delete(alarmId);
    // A rare operator action: walking every alarm costs less than an index by alarm id kept for it.
    for (const rec of this.active.values()) if (rec.alarm.alarm_id === alarmId) this.refresh(rec, at, out);
  }

  suppressedAlarmIds(): string[] { return [...this.suppressedIds].sort(); }

  addSilence(s: Silence, at: number, out: EngineOutput): void {
    this.silences.set(s.id, { ...s, compiled: compileMatchers(s.matchers) });
    this.refreshAll(at, out);
  }

  expireSilence(id: string, at: number, out: EngineOutput): boolean {
    const s = this.silences.get(id);
    if (!s) return false;
    if (s.ends_at > at) s.ends_at = at;
    this.refreshAll(at, out);
    return true;
  }

  listSilences(): Silence[] {
    return [...this.silences.values()].map(({ compiled: _, ...s }) => s);
  }

  /** A maintenance window: alarms of the entity and below are silenced until `until` (null ends it). */
  setMaintenance(entity: string, until: number | null, at: number, out: EngineOutput): void {
    if (until === null) this.maintenance.delete(entity); else this.maintenance.set(entity, until);
    this.refreshAll(at, out);
  }

  listMaintenance(): MaintenanceWindow[] {
    return [...this.maintenance].map(([entity_instance_id, until]) => ({ entity_instance_id, until }));
  }

  /**
   * After a restore on a member of a correlator group: restored alarms carry the flags their last owner gave
   * them, which may predate an operator action it had not published yet. Suppression and silences are set
   * again from the operator state in force; inhibition is left alone (its inhibitor may be owned elsewhere).
   */
  reconcileOperatorFlags(at: number, out: EngineOutput): void {
    if (this.suppressedIds.size === 0 && this.silences.size === 0 && this.maintenance.size === 0) {
      // Nothing in force: only an alarm restored suppressed or silenced changes (the usual case: none, and no walk).
      if (this.flagged === 0) return;
      for (const rec of this.active.values()) if (isFlagged(rec.alarm)) this.refreshOperatorFlags(rec, at, out);
      this.flagged = 0; // with nothing in force, none is left suppressed or silenced
      return;
    }
    for (const rec of this.active.values()) this.refreshOperatorFlags(rec, at, out);
  }

  /** Inventory parent relation: alarms of `child` (and below) are inhibited by inhibiting alarms of `parent` (and above). */
  setParent(child: string, parent: string | null, at: number, out: EngineOutput): void {
    if ((this.parents.get(child) ?? null) === parent) return;
    if (parent === null) this.parents.delete(child); else this.parents.set(child, parent);
    this.refreshAll(at, out);
  }

  /** Time passes: silences and maintenance windows start and end; flapping alarms that went quiet are stable. */
  tick(now: number, out: EngineOutput): void {
    for (const [id, s] of this.silences) if (s.ends_at <= now - this.opts.silence_retention_ms) this.silences.delete(id);
    for (const [entity, until] of this.maintenance) if (until <= now) this.maintenance.delete(entity);
    if (this.inForceIds(now) !== this.inForce) this.refreshAll(now, out);
    for (const [key, f] of this.flaps) {
      const quietFor = now - lastChange(f);
      if (f.flapping && quietFor >= this.opts.flap.stable_after_ms) {
        f.flapping = false;
        const rec = this.active.get(key);
        if (rec) {
          rec.alarm = { ...rec.alarm, flapping: false, updated_at: now };
          this.emit('stable', rec, now, out);
        } else if (f.cleared) {
          const gone: Rec = { alarm: { ...f.cleared.alarm, flapping: false, updated_at: now }, seq: f.cleared.seq, last: '', host: GONE };
          this.emit('stable', gone, now, out);
        }
        f.cleared = undefined;
      }
      if (!f.flapping && quietFor >= this.opts.flap.window_ms) this.flaps.delete(key);
    }
  }

  // ---- queries ------------------------------------------------------------------------------------

  get(key: string): ActiveAlarm | undefined {
    const r = this.active.get(key);
    return r && { alarm: r.alarm, seq: r.seq, last_transition: r.last };
  }

  getByUuid(uuid: string): ActiveAlarm | undefined {
    if (!this.byUuid) {
      this.byUuid = new Map();
      for (const [key, r] of this.active) this.byUuid.set(r.alarm.uuid, key);
    }
    const key = this.byUuid.get(uuid);
    return key === undefined ? undefined : this.get(key);
  }

  query(q: AlarmQuery = {}): ActiveAlarm[] {
    const out: ActiveAlarm[] = [];
    for (const [, r] of q.entity_prefix === undefined ? this.active : this.below(q.entity_prefix)) {
      if (matchesQuery(r.alarm, q)) out.push({ alarm: r.alarm, seq: r.seq, last_transition: r.last });
    }
    return out.sort((x, y) => SEVERITY_RANK[y.alarm.severity] - SEVERITY_RANK[x.alarm.severity] || x.alarm.raised_at - y.alarm.raised_at);
  }

  /**
   * Puts transitions read back from the `alarms` topic in front of the event log, oldest first, so a
   * restarted correlator still answers for what happened before it stopped.
   */
  replayHistory(transitions: readonly AlarmTransition[]): void {
    const entries = transitions.map(eventOf);
    this.eventLog = [...entries, ...this.eventLog].slice(-this.opts.event_log_size);
  }

  events(q: EventQuery = {}): EventLogEntry[] {
    return queryEvents(this.eventLog, q);
  }

  // ---- snapshot -----------------------------------------------------------------------------------

  snapshot(owns: Owns): AlarmTableSnapshot {
    const alarms: ActiveAlarm[] = [];
    const push = (r: Rec) => alarms.push({ alarm: r.alarm, seq: r.seq, last_transition: r.last });
    if (typeof owns === 'function') {
      for (const r of this.active.values()) if (owns(r.host.root)) push(r);
    } else {
      for (const root of owns) for (const key of this.byRoot.get(root)?.keys ?? []) push(this.active.get(key)!);
    }
    const has = ownsPredicate(owns);
    const flaps: AlarmTableSnapshot['flaps'] = [];
    // Flap records live only while a key changes (pruned after a quiet window): few, so walking them is fine.
    for (const [key, f] of this.flaps) {
      if (!has(rootOf(key.slice(key.indexOf('|') + 1)))) continue;
      const item: AlarmTableSnapshot['flaps'][number] = { key, changes: [...f.changes], flapping: f.flapping, flap_count: f.flap_count };
      if (f.cleared) item.cleared = f.cleared;
      flaps.push(item);
    }
    return {
      alarms, flaps,
      silences: this.listSilences(),
      suppressed_alarm_ids: this.suppressedAlarmIds(),
      maintenance: this.listMaintenance(),
      inventory: [...this.parents].map(([entity_instance_id, parent_entity_instance_id]) => ({ entity_instance_id, parent_entity_instance_id })),
      in_force: this.inForce,
    };
  }

  /**
   * Adds a snapshot's state (a partition gained on rebalance); what it names replaces what is here.
   * `alarmKeys`, when the caller has them (the keys of the alarms.active records), is each alarm's key,
   * `alarmKey(s.alarms[i].alarm)`, in the order of `s.alarms`: taken as they are, so no key is built again.
   */
  restore(s: AlarmTableSnapshot, alarmKeys?: readonly string[]): void {
    if (alarmKeys && alarmKeys.length !== s.alarms.length) {
      throw new Error(`restore: ${alarmKeys.length} alarm keys for ${s.alarms.length} alarms`);
    }
    for (const sl of s.silences) this.silences.set(sl.id, { ...sl, compiled: compileMatchers(sl.matchers) });
    for (const id of s.suppressed_alarm_ids) this.suppressedIds.add(id);
    for (const m of s.maintenance) this.maintenance.set(m.entity_instance_id, m.until);
    for (const p of s.inventory) this.parents.set(p.entity_instance_id, p.parent_entity_instance_id);
    this.inForce = s.in_force;
    for (const f of s.flaps) {
      const item: Flap = { changes: [...f.changes], flapping: f.flapping, flap_count: f.flap_count };
      if (f.cleared) item.cleared = f.cleared;
      this.flaps.set(f.key, item);
    }
    const alarms = s.alarms;
    if (alarms.length) this.byUuid = undefined; // rebuilt when next asked for, not grown a million times here
    for (let i = 0; i < alarms.length; i++) {
      const a = alarms[i]!;
      const rec: Rec = { alarm: a.alarm, seq: a.seq, last: a.last_transition, host: this.hostOf(a.alarm.entity_instance_id) };
      const key = alarmKeys ? alarmKeys[i]! : alarmKey(a.alarm);
      const size = this.active.size;
      this.active.set(key, rec);
      if (this.active.size === size) this.replaced(key, rec);
      this.index(key, rec);
    }
  }

  /** Forgets the alarms and flap history of partitions this engine no longer owns. */
  drop(owns: Owns): void {
    const has = ownsPredicate(owns);
    for (const [key, r] of [...this.active]) if (!has(r.host.root)) this.remove(key, r);
    for (const key of [...this.flaps.keys()]) if (!has(rootOf(key.slice(key.indexOf('|') + 1)))) this.flaps.delete(key);
  }

  // ---- internals ----------------------------------------------------------------------------------

  private raise(key: string, req: SetRequest, entry: CatalogEntry | undefined, at: number, out: EngineOutput, tp?: string) {
    const severity = req.severity ?? entry?.severities[0] ?? 'major';
    const alarm: Alarm = {
      uuid: this.ids.next(),
      alarm_id: req.alarm_id,
      entity_type_id: req.entity_type_id ?? entry?.entity_type ?? '',
      entity_instance_id: req.entity_instance_id,
      severity,
      reason_text: req.reason_text ?? entry?.description ?? '',
      alarm_type: req.alarm_type ?? entry?.alarm_type ?? 'other',
      probable_cause: req.probable_cause ?? entry?.probable_cause ?? 'unspecified-reason',
      proposed_repair_action: req.proposed_repair_action ?? entry?.repair_action ?? '',
      service_affecting: req.service_affecting ?? isServiceAffecting(entry, severity),
      suppression_allowed: req.suppression_allowed ?? entry?.suppression_allowed ?? true,
      state: 'active',
      raised_at: at,
      updated_at: at,
      inhibited: false,
      suppressed: false,
      silenced_by: NO_SILENCES,
      flapping: false,
      source: req.source,
      labels: req.labels ?? NO_LABELS,
    };
    const startsFlapping = this.noteChange(key, at);
    alarm.flapping = this.flaps.get(key)?.flapping ?? false;
    this.applyFlags(alarm, key, at);
    const rec: Rec = { alarm, seq: 0, last: '', host: this.hostOf(alarm.entity_instance_id) };
    this.insert(key, rec);
    this.emit('raised', rec, at, out, tp);
    if (startsFlapping) this.emit('flapping', rec, at, out, tp);
    if (entry?.inhibits_children) {
      for (const [k, r] of this.active) if (k !== key && r.alarm.suppression_allowed && !r.alarm.inhibited) this.refresh(r, at, out, tp);
    }
  }

  /** The Host of an entity's root, created (and registered in `byRoot`) with its first alarm. */
  private hostOf(entity: string): Host {
    const root = rootOf(entity);
    let host = this.byRoot.get(root);
    if (!host) this.byRoot.set(root, (host = { root, keys: new Set() }));
    return host;
  }

  /**
   * Active alarms, by key, among which are all those at or below `entity`: its host's, when the entity
   * names a root (every valid entity path does: `key=value` first), else all of them. In table order.
   */
  private below(entity: string): Iterable<[string, Rec]> {
    const eq = entity.indexOf('=');
    if (eq < 0 || entity.lastIndexOf('.', eq) >= 0) return this.active;
    const host = this.byRoot.get(rootOf(entity));
    if (!host) return [];
    return [...host.keys].map((key): [string, Rec] => [key, this.active.get(key)!]);
  }

  private insert(key: string, rec: Rec) {
    this.active.set(key, rec);
    this.index(key, rec);
  }

  /** Everything but `active` that knows a newly active alarm. */
  private index(key: string, rec: Rec) {
    this.byUuid?.set(rec.alarm.uuid, key);
    rec.host.keys.add(key);
    if (this.catalog.entries.get(rec.alarm.alarm_id)?.inhibits_children) addTo(this.inhibitors, rec.alarm.entity_instance_id, key);
    if (isFlagged(rec.alarm)) this.flagged++;
  }

  /**
   * A restore set `rec` under a key that was already active (a rebalance giving back alarms this engine
   * holds, or a key twice in a snapshot): as a remove and an insert would, the key goes last in every index.
   * The same key is the same alarm id and entity, so the same host and inhibitor entries; only the
   * replaced Rec's flags are unknown here, so `flagged` is recounted by the next reconcile.
   */
  private replaced(key: string, rec: Rec) {
    this.active.delete(key);
    this.active.set(key, rec);
    rec.host.keys.delete(key);
    removeFrom(this.inhibitors, rec.alarm.entity_instance_id, key);
    this.flagged = NaN;
  }

  private remove(key: string, rec: Rec) {
    this.active.delete(key);
    this.byUuid?.delete(rec.alarm.uuid);
    const host = rec.host;
    if (host.keys.delete(key) && host.keys.size === 0) this.byRoot.delete(host.root);
    removeFrom(this.inhibitors, rec.alarm.entity_instance_id, key);
    if (isFlagged(rec.alarm)) this.flagged--;
  }

  private afterInhibitorGone(key: string, alarm: Alarm, at: number, out: EngineOutput, tp?: string) {
    if (!this.catalog.entries.get(alarm.alarm_id)?.inhibits_children) return;
    for (const r of this.active.values()) if (r.alarm.inhibited_by === key) this.refresh(r, at, out, tp);
  }

  private rememberCleared(key: string, rec: Rec) {
    const f = this.flaps.get(key);
    if (f) f.cleared = { alarm: rec.alarm, seq: rec.seq };
  }

  /**
   * Counts a state change for flap detection; true when it makes the key flapping. A first raise keeps
   * no record (its time is the alarm's raised_at, passed as `since` by the next change): a million
   * steady alarms then cost no flap history at all.
   */
  private noteChange(key: string, at: number, since?: number): boolean {
    let f = this.flaps.get(key);
    if (!f) {
      if (since === undefined) return false;
      this.flaps.set(key, (f = { changes: [since], flapping: false, flap_count: 0 }));
    }
    return recordChange(f, at, this.opts.flap);
  }

  /** Every entity whose inhibiting alarm would hide this one: path ancestors, and inventory parents' ancestors. */
  private ancestors(entity: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>();
    const walk = (e: string) => {
      for (const p of pathAncestors(e)) {
        if (seen.has(p)) continue;
        seen.add(p);
        out.push(p);
        const parent = this.parents.get(p);
        if (parent !== undefined) walk(parent);
      }
    };
    walk(entity);
    return out;
  }

  private inhibitorOf(alarm: Alarm, key: string): string | undefined {
    if (!alarm.suppression_allowed || this.inhibitors.size === 0) return undefined;
    for (const e of this.ancestors(alarm.entity_instance_id)) {
      const keys = this.inhibitors.get(e);
      if (keys) for (const k of keys) if (k !== key) return k;
    }
    return undefined;
  }

  private silencesOf(alarm: Alarm, at: number): string[] {
    if (this.silences.size === 0 && this.maintenance.size === 0) return NO_SILENCES;
    const out: string[] = [];
    if (this.silences.size) {
      const view = alarmView(alarm);
      for (const s of this.silences.values()) if (s.starts_at <= at && at < s.ends_at && matchesAll(s.compiled, view)) out.push(s.id);
    }
    if (this.maintenance.size) {
      for (const e of pathAncestors(alarm.entity_instance_id)) {
        const until = this.maintenance.get(e);
        if (until !== undefined && at < until) out.push(`maintenance:${e}`);
      }
    }
    return out.length ? out : NO_SILENCES;
  }

  /** Sets inhibited/suppressed/silenced on an alarm being built (no transitions). */
  private applyFlags(alarm: Alarm, key: string, at: number) {
    const by = this.inhibitorOf(alarm, key);
    alarm.inhibited = by !== undefined;
    if (by !== undefined) alarm.inhibited_by = by; else delete alarm.inhibited_by;
    alarm.suppressed = alarm.suppression_allowed && this.suppressedIds.has(alarm.alarm_id);
    alarm.silenced_by = this.silencesOf(alarm, at);
  }

  /** Recomputes an active alarm's flags and emits one transition per flag that changed. */
  private refresh(rec: Rec, at: number, out: EngineOutput, tp?: string) {
    const before = rec.alarm;
    const next: Alarm = { ...before };
    this.applyFlags(next, alarmKey(before), at);
    if (next.inhibited !== before.inhibited || next.inhibited_by !== before.inhibited_by) {
      rec.alarm = { ...rec.alarm, inhibited: next.inhibited, updated_at: at };
      if (next.inhibited_by !== undefined) rec.alarm.inhibited_by = next.inhibited_by; else delete rec.alarm.inhibited_by;
      this.emit(next.inhibited ? 'inhibited' : 'uninhibited', rec, at, out, tp);
    }
    this.refreshOperatorFlags(rec, at, out, tp);
  }

  /** Suppression and silences of one alarm, against the operator state now in force: a transition for each that changed. */
  private refreshOperatorFlags(rec: Rec, at: number, out: EngineOutput, tp?: string) {
    const was = isFlagged(rec.alarm);
    const suppressed = rec.alarm.suppression_allowed && this.suppressedIds.has(rec.alarm.alarm_id);
    if (suppressed !== rec.alarm.suppressed) {
      rec.alarm = { ...rec.alarm, suppressed, updated_at: at };
      this.emit(suppressed ? 'suppressed' : 'unsuppressed', rec, at, out, tp);
    }
    const silencedBy = this.silencesOf(rec.alarm, at);
    if (!sameList(silencedBy, rec.alarm.silenced_by)) {
      rec.alarm = { ...rec.alarm, silenced_by: silencedBy, updated_at: at };
      this.emit('updated', rec, at, out, tp);
    }
    if (isFlagged(rec.alarm) !== was) this.flagged += was ? -1 : 1;
  }

  private refreshAll(at: number, out: EngineOutput) {
    this.inForce = this.inForceIds(at);
    for (const r of this.active.values()) this.refresh(r, at, out);
  }

  private inForceIds(at: number): string {
    let ids = '';
    for (const s of this.silences.values()) if (s.starts_at <= at && at < s.ends_at) ids += `${s.id},`;
    for (const [e, until] of this.maintenance) if (at < until) ids += `m:${e},`;
    return ids;
  }

  private emit(kind: SingleAlarmTransition['kind'], rec: Rec, at: number, out: EngineOutput, tp?: string, previous?: Alarm['severity']) {
    rec.seq++;
    const t: SingleAlarmTransition = { uuid: this.ids.next(), at, kind, seq: rec.seq, alarm: rec.alarm };
    if (tp) t.traceparent = tp;
    if (previous !== undefined) t.previous_severity = previous;
    rec.last = t.uuid;
    this.push(t, out);
  }

  private push(t: AlarmTransition, out: EngineOutput) {
    out.transitions.push(t);
    this.record({ type: 'alarm', at: t.at, transition: t });
  }

  private record(e: EventLogEntry) {
    this.eventLog.push(e);
    if (this.eventLog.length >= 2 * this.opts.event_log_size) this.eventLog = this.eventLog.slice(-this.opts.event_log_size);
  }
}

function addTo(m: Map<string, Set<string>>, k: string, v: string) {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function removeFrom(m: Map<string, Set<string>>, k: string, v: string) {
  const s = m.get(k);
  if (s?.delete(v) && s.size === 0) m.delete(k);
}

/** What silence matchers see: the alarm's fields, its host, then its labels. */
function alarmView(a: Alarm): Record<string, string> {
  return {
    ...a.labels,
    alarm_id: a.alarm_id, entity_instance_id: a.entity_instance_id, severity: a.severity, alarm_type: a.alarm_type,
    probable_cause: a.probable_cause, source: a.source, host: rootOf(a.entity_instance_id),
  };
}

/** Whether an alarm passes every filter of a query. */
export function matchesQuery(a: Alarm, q: AlarmQuery): boolean {
  return (q.alarm_id === undefined || a.alarm_id === q.alarm_id)
    && (q.entity_prefix === undefined || isAtOrBelow(a.entity_instance_id, q.entity_prefix))
    && (q.severity === undefined || a.severity === q.severity)
    && (q.alarm_type === undefined || a.alarm_type === q.alarm_type)
    && (q.state === undefined || hasState(a, q.state));
}

/** The entries of an event log (oldest first) that pass a query: newest first, at most `limit`. */
export function queryEvents(log: readonly EventLogEntry[], q: EventQuery): EventLogEntry[] {
  const out: EventLogEntry[] = [];
  for (let i = log.length - 1; i >= 0 && out.length < (q.limit ?? Infinity); i--) {
    const e = log[i]!;
    if ((q.from !== undefined && e.at < q.from) || (q.to !== undefined && e.at > q.to) || (q.type && e.type !== q.type)) continue;
    out.push(e);
  }
  return out;
}

/** A transition read back from the alarms topic as an event: a `logged` one is a customer log. */
export function eventOf(t: AlarmTransition): EventLogEntry {
  return t.kind === 'logged'
    ? { type: 'log', at: t.at, log: { uuid: t.alarm.uuid, at: t.at, log_id: t.alarm.alarm_id, entity_instance_id: t.alarm.entity_instance_id, severity: t.alarm.severity, reason_text: t.alarm.reason_text, source: t.alarm.source } }
    : { type: 'alarm', at: t.at, transition: t };
}

function hasState(a: Alarm, state: NonNullable<AlarmQuery['state']>): boolean {
  switch (state) {
    case 'inhibited': return a.inhibited;
    case 'suppressed': return a.suppressed;
    case 'silenced': return a.silenced_by.length > 0;
    case 'flapping': return a.flapping;
    case 'notifiable': return isNotifiable(a);
  }
}

/** Whether a sink should tell anyone about this alarm: not inhibited, suppressed, silenced or flapping. */
export function isNotifiable(a: Alarm): boolean {
  return !a.inhibited && !a.suppressed && a.silenced_by.length === 0 && !a.flapping;
}
