import { alarmKey, type Alarm, type AlarmTransition } from './alarm.js';

/** What one transition did to one alarm key: it is active now (with this snapshot), or it is gone. */
export interface AlarmChange {
  key: string;
  alarm: Alarm;
  active: boolean;
}

/** The active alarms as a reader of the `alarms` topic rebuilds them; pure state, no I/O. */
export interface ActiveAlarmTable {
  /**
   * Applies one transition and returns what changed. A transition already applied (same alarm uuid,
   * seq not newer) changes nothing and returns []: the bus delivers at least once, so batches replay.
   */
  apply(t: AlarmTransition): AlarmChange[];
  get(key: string): Alarm | undefined;
  values(): IterableIterator<Alarm>;
  readonly size: number;
  /** The active alarms with the seq of their last applied transition: what a reader persists to survive a restart. */
  snapshot(): { alarm: Alarm; seq: number }[];
  /** Loads a snapshot taken by `snapshot()`; transitions up to each seq are then treated as replays. */
  restore(entries: readonly { alarm: Alarm; seq: number }[]): void;
}

/**
 * Why a seq table beside the alarms: a replayed batch may hold the raise of an alarm whose clear was
 * already applied; remembering the last seq of recently cleared alarm uuids keeps it from coming back.
 */
export function createActiveAlarmTable(rememberCleared = 10_000): ActiveAlarmTable {
  const active = new Map<string, Alarm>();
  const activeSeq = new Map<string, number>();
  const clearedSeq = new Map<string, number>(); // alarm uuid -> last seq, oldest first

  const lastSeq = (uuid: string) => activeSeq.get(uuid) ?? clearedSeq.get(uuid) ?? 0;

  function applyOne(alarm: Alarm, seq: number, clears: boolean): AlarmChange[] {
    if (seq <= lastSeq(alarm.uuid)) return [];
    const key = alarmKey(alarm);
    const previous = active.get(key);
    if (clears || alarm.state === 'cleared') {
      if (!previous || previous.uuid !== alarm.uuid) {
        remember(alarm.uuid, seq);
        return [];
      }
      active.delete(key);
      activeSeq.delete(alarm.uuid);
      remember(alarm.uuid, seq);
      return [{ key, alarm, active: false }];
    }
    if (previous && previous.uuid !== alarm.uuid) activeSeq.delete(previous.uuid);
    active.set(key, alarm);
    activeSeq.set(alarm.uuid, seq);
    return [{ key, alarm, active: true }];
  }

  function remember(uuid: string, seq: number) {
    clearedSeq.delete(uuid);
    clearedSeq.set(uuid, seq);
    if (clearedSeq.size > rememberCleared) clearedSeq.delete(clearedSeq.keys().next().value!);
  }

  return {
    apply(t) {
      if (t.kind === 'cleared_all') return t.cleared.flatMap((c) => applyOne(c.alarm, c.seq, true));
      return applyOne(t.alarm, t.seq, t.kind === 'cleared');
    },
    get: (key) => active.get(key),
    values: () => active.values(),
    get size() { return active.size; },
    snapshot: () => [...active.values()].map((alarm) => ({ alarm, seq: activeSeq.get(alarm.uuid)! })),
    restore(entries) {
      for (const { alarm, seq } of entries) applyOne(alarm, seq, false);
    },
  };
}
