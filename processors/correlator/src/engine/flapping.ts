/** Flap detection per alarm key: K state changes inside a window mark it flapping; a quiet window makes it stable. */
export interface FlapOptions {
  /** State changes (raise, clear, severity change) that make an alarm flapping. */
  changes: number;
  window_ms: number;
  /** Quiet time after which a flapping alarm is stable again. */
  stable_after_ms: number;
}

export const DEFAULT_FLAP: FlapOptions = { changes: 5, window_ms: 600_000, stable_after_ms: 600_000 };

export interface FlapRecord {
  /** Times of the recent changes, oldest first, none older than the window. */
  changes: number[];
  flapping: boolean;
  /** Changes counted since it started flapping (kept for operators: how bad was it). */
  flap_count: number;
}

/** Records a change at `at`; true when this change makes the key flapping. */
export function recordChange(r: FlapRecord, at: number, o: FlapOptions): boolean {
  r.changes.push(at);
  let drop = 0;
  while (drop < r.changes.length && r.changes[drop]! <= at - o.window_ms) drop++;
  if (drop) r.changes.splice(0, drop);
  if (r.flapping) { r.flap_count++; return false; }
  if (r.changes.length >= o.changes) {
    r.flapping = true;
    r.flap_count = r.changes.length;
    return true;
  }
  return false;
}

export const lastChange = (r: FlapRecord): number => r.changes[r.changes.length - 1] ?? -Infinity;
