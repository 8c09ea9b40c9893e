/** Per entity: the last count, and since when it has not risen (or when it last rose). */
export interface RisingState {
  count: number;
  lastRiseAt?: number;
  /** When the count was first seen non-zero without a rise seen by us (collector start). */
  unknownSince?: number;
}

export type RisingVerdict = 'bad' | 'ok' | 'undecided';

/**
 * Judges a monotonic error counter: bad while it rose within `quietMs`, ok after `quietMs` without a rise.
 * A count already above zero at first sight may be an old fault or a live one: undecided until it either
 * rises (bad) or stays quiet for `quietMs` (ok). A count that goes down was reset (driver reload): it
 * becomes the new baseline, not a rise.
 */
export function judgeRising(prev: RisingState | undefined, count: number, now: number, quietMs: number): { state: RisingState; verdict: RisingVerdict } {
  if (!prev) {
    if (count === 0) return { state: { count }, verdict: 'ok' };
    return { state: { count, unknownSince: now }, verdict: 'undecided' };
  }
  if (count > prev.count) return { state: { count, lastRiseAt: now }, verdict: 'bad' };
  const state: RisingState = { ...prev, count };
  if (prev.lastRiseAt !== undefined) return { state, verdict: now - prev.lastRiseAt < quietMs ? 'bad' : 'ok' };
  if (prev.unknownSince !== undefined) return { state, verdict: now - prev.unknownSince < quietMs ? 'undecided' : 'ok' };
  return { state, verdict: 'ok' };
}
