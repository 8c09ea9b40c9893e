import { alarmKey, createActiveAlarmTable, type Alarm, type AlarmTransition } from '@faultline/schemas';
import { alertOf, fingerprint, isNotified, type AlertOptions, type PostableAlert } from './alerts.js';

interface Firing { alert: Omit<PostableAlert, 'endsAt'>; fingerprint: string }

export interface AlertState {
  /** Applies transitions; what must be (re)posted is remembered until `sent` confirms it. */
  apply(t: AlarmTransition, now: number): void;
  /** Every alert to post now: firing ones due (all of them when `all`), and resolutions not yet acknowledged. */
  due(now: number, ttlMs: number, all: boolean): PostableAlert[];
  /** The alerts of the previous `due()` reached Alertmanager. */
  sent(alerts: readonly PostableAlert[]): void;
  snapshot(): StateSnapshot;
  restore(s: StateSnapshot): void;
  readonly firingCount: number;
}

export interface StateSnapshot {
  alarms: { alarm: Alarm; seq: number }[];
  resolutions: PostableAlert[];
}

/**
 * Which alerts Alertmanager should have, and what is still owed to it. Pure state: the sink does the
 * HTTP and decides when. A failed post leaves everything owed, so nothing is lost by retrying.
 */
export function createAlertState(opts: AlertOptions): AlertState {
  const table = createActiveAlarmTable();
  const firing = new Map<string, Firing>(); // alarm key -> alert
  const dirty = new Set<string>();
  const resolutions = new Map<string, PostableAlert>(); // fingerprint -> resolved alert

  function resolve(key: string, now: number) {
    const f = firing.get(key);
    if (!f) return;
    firing.delete(key);
    dirty.delete(key);
    resolutions.set(f.fingerprint, { ...f.alert, endsAt: new Date(Math.max(now, Date.parse(f.alert.startsAt))).toISOString() });
  }

  function fire(key: string, alarm: Alarm, now: number) {
    const alert = alertOf(alarm, opts);
    const fp = fingerprint(alert.labels);
    const before = firing.get(key);
    if (before && before.fingerprint !== fp) resolve(key, now);
    firing.set(key, { alert, fingerprint: fp });
    resolutions.delete(fp);
    dirty.add(key);
  }

  return {
    apply(t, now) {
      for (const c of table.apply(t)) {
        if (c.active && isNotified(c.alarm)) fire(c.key, c.alarm, now);
        else resolve(c.key, now);
      }
    },
    due(now, ttlMs, all) {
      const out = [...resolutions.values()];
      for (const [key, f] of firing) {
        // From the later of now and startsAt: a raise stamped ahead of this clock must still end after it starts.
        if (all || dirty.has(key)) out.push({ ...f.alert, endsAt: new Date(Math.max(now, Date.parse(f.alert.startsAt)) + ttlMs).toISOString() });
      }
      return out;
    },
    sent(alerts) {
      for (const a of alerts) {
        const fp = fingerprint(a.labels);
        if (resolutions.get(fp) === a) resolutions.delete(fp);
      }
      const delivered = new Set(alerts.map((a) => a.labels));
      for (const key of dirty) if (delivered.has(firing.get(key)!.alert.labels)) dirty.delete(key);
    },
    snapshot: () => ({ alarms: table.snapshot(), resolutions: [...resolutions.values()] }),
    restore(s) {
      table.restore(s.alarms);
      for (const { alarm } of s.alarms) if (isNotified(alarm)) fire(alarmKey(alarm), alarm, 0);
      for (const r of s.resolutions) resolutions.set(fingerprint(r.labels), r);
    },
    get firingCount() { return firing.size; },
  };
}
