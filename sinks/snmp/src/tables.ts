import { alarmKey, type Alarm, type AlarmTransition } from '@faultline/schemas';
import { classify, type AlarmEvent } from './encode.js';

// Pure state behind the agent's two tables and the notifications: which alarms are active (and their
// stable row numbers), the recent events, and what each transition changes.

export interface ActiveRow {
  index: number;
  alarm: Alarm;
}

export interface RecordedEvent {
  index: number;
  event: AlarmEvent;
}

/** What one batch of transitions changed. */
export interface TableChanges {
  /** New events, oldest first: each is notified. */
  events: RecordedEvent[];
  /** The new events still in the event table at the end of the batch (a batch larger than the table pushes some out). */
  added: RecordedEvent[];
  /** Active rows added or changed (last state wins). */
  upserts: ActiveRow[];
  /** Active row indexes that left the table. */
  removed: number[];
  /** Indexes of events recorded by earlier batches that newer ones pushed out of the event table. */
  evicted: number[];
  /** The set of alarms a manager may see changed without a notification per alarm (suppression). */
  resync: boolean;
}

export interface AlarmTables {
  apply(transitions: readonly AlarmTransition[]): TableChanges;
  activeRows(): ActiveRow[];
  eventRows(): RecordedEvent[];
  activeCount(): number;
  lastEventIndex(): number;
}

/**
 * The active table holds every active alarm except those an operator suppressed (they are not
 * notified either; a resync tells managers to re-read). Inhibited, silenced and flapping alarms stay
 * in it: they are active, only their notifications are held.
 */
export function createAlarmTables(eventTableSize: number): AlarmTables {
  const active = new Map<string, ActiveRow>();
  const events = new Map<number, RecordedEvent>();
  let nextActive = 1;
  let lastEvent = 0;

  function apply(transitions: readonly AlarmTransition[]): TableChanges {
    const upserts = new Map<number, ActiveRow>();
    const removed = new Set<number>();
    const out: TableChanges = { events: [], added: [], upserts: [], removed: [], evicted: [], resync: false };
    const firstNew = lastEvent + 1;
    const drop = (key: string) => {
      const row = active.get(key);
      if (!row) return;
      active.delete(key);
      upserts.delete(row.index);
      removed.add(row.index);
    };
    for (const t of transitions) {
      if (t.kind === 'cleared_all') {
        for (const c of t.cleared) drop(alarmKey(c.alarm));
      } else {
        const key = alarmKey(t.alarm);
        if (t.alarm.state === 'active' && !t.alarm.suppressed) {
          const row: ActiveRow = { index: active.get(key)?.index ?? nextActive++, alarm: t.alarm };
          active.set(key, row);
          upserts.set(row.index, row);
        } else drop(key);
      }
      const c = classify(t);
      if (c.kind === 'resync') out.resync = true;
      if (c.kind !== 'event') continue;
      const rec: RecordedEvent = { index: ++lastEvent, event: c.event };
      events.set(rec.index, rec);
      out.events.push(rec);
      const old = rec.index - eventTableSize;
      if (events.delete(old) && old < firstNew) out.evicted.push(old);
    }
    out.upserts = [...upserts.values()];
    out.removed = [...removed];
    out.added = out.events.filter((e) => events.has(e.index));
    return out;
  }

  return {
    apply,
    activeRows: () => [...active.values()].sort((a, b) => a.index - b.index),
    eventRows: () => [...events.values()],
    activeCount: () => active.size,
    lastEventIndex: () => lastEvent,
  };
}
