import { SEVERITY_RANK, type Severity } from '@faultline/schemas';
import type { StormSummary } from './encode.js';

/**
 * A token bucket per destination, plus the tally of what it held back: under an alarm storm the
 * manager gets a summary (how many, which event rows, the worst severity) instead of silence.
 */
export interface RateLimiter {
  /** True when a notification may go now (takes a token). */
  take(now: number): boolean;
  /** Records a notification that was not sent. */
  hold(eventIndex: number, severity: Severity): void;
  /** The tally since the last call, or null when nothing was held; resets it. */
  takeSummary(): StormSummary | null;
}

export function createRateLimiter(perSecond: number, burst: number, start: number): RateLimiter {
  let tokens = burst;
  let last = start;
  let summary: StormSummary | null = null;
  return {
    take(now) {
      tokens = Math.min(burst, tokens + ((now - last) / 1000) * perSecond);
      last = now;
      if (tokens < 1) return false;
      tokens -= 1;
      return true;
    },
    hold(eventIndex, severity) {
      if (!summary) {
        summary = { held: 1, firstEventIndex: eventIndex, lastEventIndex: eventIndex, highestSeverity: severity };
        return;
      }
      summary.held++;
      summary.firstEventIndex = Math.min(summary.firstEventIndex, eventIndex);
      summary.lastEventIndex = Math.max(summary.lastEventIndex, eventIndex);
      if (SEVERITY_RANK[severity] > SEVERITY_RANK[summary.highestSeverity]) summary.highestSeverity = severity;
    },
    takeSummary() {
      const s = summary;
      summary = null;
      return s;
    },
  };
}
