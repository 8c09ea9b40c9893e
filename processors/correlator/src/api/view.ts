import type { ActiveAlarm, AlarmTransition } from '@faultline/schemas';
import { eventOf, matchesQuery, queryEvents } from '../engine/alarm-table.js';
import { rootOfKey } from '../engine/entity.js';
import type { AlarmQuery, EventLogEntry, EventQuery } from '../engine/types.js';

/** What the REST API reads alarms and events from: the engine itself, or an AlarmView of the whole group. */
export interface AlarmReader {
  query(q: AlarmQuery): ActiveAlarm[];
  getByUuid(uuid: string): ActiveAlarm | undefined;
  /** Newest first. */
  events(q: EventQuery): EventLogEntry[];
  readonly activeCount: number;
}

/**
 * The whole system's active alarms and recent events, as every member of a correlator group
 * publishes them: the last value per key of `alarms.active` (a tombstone removes) and the last
 * `eventLogSize` transitions of `alarms`. Pure: the follower feeds it (docs/alarm-api.md).
 */
export class AlarmView implements AlarmReader {
  private readonly active = new Map<string, ActiveAlarm>();
  /** uuid → key, built on the first lookup by uuid and kept from then on: a member catching up on a million alarms need not grow it. */
  private byUuid: Map<string, string> | undefined;
  private log: EventLogEntry[] = [];
  /** Partitions interleave as they are fetched: the log is put in time order when it is read. */
  private sorted = true;

  /**
   * `local` gives this member's own engine's state of a key: an alarm it published and reads back keeps the
   * engine's object instead of a second decoded copy, so a member holds its own alarms once.
   */
  constructor(private readonly eventLogSize: number, private readonly local?: (key: string) => ActiveAlarm | undefined) {}

  get activeCount(): number { return this.active.size; }

  /** A record of alarms.active: the alarm's current state, or null once it cleared. */
  applyActive(key: string, value: ActiveAlarm | null): void {
    if (this.byUuid) {
      const old = this.active.get(key);
      if (old) this.byUuid.delete(old.alarm.uuid);
    }
    if (value === null) { this.active.delete(key); return; }
    const mine = this.local?.(key);
    this.active.set(key, mine?.last_transition === value.last_transition ? mine : value);
    this.byUuid?.set(value.alarm.uuid, key);
  }

  /** A record of the alarms topic. */
  applyTransition(t: AlarmTransition): void {
    if (this.eventLogSize === 0) return;
    const e = eventOf(t);
    const last = this.log[this.log.length - 1];
    if (last && last.at > e.at) this.sorted = false;
    this.log.push(e);
    if (this.log.length >= 2 * this.eventLogSize) this.trim();
  }

  query(q: AlarmQuery): ActiveAlarm[] {
    const out: ActiveAlarm[] = [];
    for (const a of this.active.values()) if (matchesQuery(a.alarm, q)) out.push(a);
    return out;
  }

  /** The alarms of the hosts `ours` accepts (all without it), with their keys (the same objects: a restore shares them with the view). */
  alarmsOf(ours?: (root: string) => boolean): { keys: string[]; alarms: ActiveAlarm[] } {
    if (!ours) return { keys: [...this.active.keys()], alarms: [...this.active.values()] };
    const out: { keys: string[]; alarms: ActiveAlarm[] } = { keys: [], alarms: [] };
    for (const [key, a] of this.active) if (ours(rootOfKey(key))) { out.keys.push(key); out.alarms.push(a); }
    return out;
  }

  getByUuid(uuid: string): ActiveAlarm | undefined {
    if (!this.byUuid) {
      this.byUuid = new Map();
      for (const [key, a] of this.active) this.byUuid.set(a.alarm.uuid, key);
    }
    const key = this.byUuid.get(uuid);
    return key === undefined ? undefined : this.active.get(key);
  }

  events(q: EventQuery): EventLogEntry[] {
    this.trim();
    return queryEvents(this.log, q);
  }

  private trim() {
    if (!this.sorted) { this.log.sort((a, b) => a.at - b.at); this.sorted = true; }
    if (this.log.length > this.eventLogSize) this.log = this.log.slice(-this.eventLogSize);
  }
}
