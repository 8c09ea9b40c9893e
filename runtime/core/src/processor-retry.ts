import { setTimeout as sleep } from 'node:timers/promises';

/** What the pipeline does when a processor's handle() throws on a batch (`processor_retry` in the pipeline file). */
export interface ProcessorRetry {
  /** Attempts on one batch; after the last, the batch is split to find the records it fails on (isolateFailures). */
  maxAttempts: number;
  /** Wait before the second attempt, doubled before each next one, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

/**
 * About 26 s of waits (0.25, 0.5, 1, 2, 4, 8, 10 s) over 8 attempts: long enough for a dependency that restarts
 * (a local service, a pod) to come back before any record is dead-lettered, short enough that a poison record
 * holds its partition for well under a minute. The previous default (5 attempts, 100 ms to 5 s) gave up after 1.5 s.
 */
export const DEFAULT_PROCESSOR_RETRY: ProcessorRetry = { maxAttempts: 8, backoffMs: 250, maxBackoffMs: 10_000 };

/** The upper bound of `processor_retry.max_attempts`. */
export const MAX_PROCESSOR_ATTEMPTS = 20;
/** The most the waits on one batch may add up to (checked when the pipeline file loads): how long a batch can hold its partition. */
export const MAX_PROCESSOR_RETRY_WAIT_MS = 10 * 60_000;

/** The waits between the attempts on one batch, in ms: how long a batch that keeps failing holds its partition. */
export function retryWaitsMs(policy: ProcessorRetry): number[] {
  return Array.from({ length: Math.max(0, policy.maxAttempts - 1) }, (_, i) => Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** i));
}

export interface RetryHooks {
  /** Told before each wait. */
  onRetry(err: Error, attempt: number, waitMs: number): void;
  /** Aborted once the pipeline is stopping: the batch is then left to the bus (redelivered later), not dead-lettered. */
  stopping: AbortSignal;
}

const asError = (thrown: unknown) => (thrown instanceof Error ? thrown : new Error(String(thrown)));

/**
 * Runs `attempt` until it resolves or has thrown `maxAttempts` times. Resolves with nothing on success and with the
 * last error once the attempts are spent; throws that error instead when the pipeline stops meanwhile (a stop
 * cuts a wait short, so a long backoff never delays it).
 */
export async function attemptWithRetry(policy: ProcessorRetry, attempt: () => Promise<void>, hooks: RetryHooks): Promise<Error | undefined> {
  const waits = retryWaitsMs(policy);
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return undefined;
    } catch (thrown) {
      const err = asError(thrown);
      if (hooks.stopping.aborted) throw err;
      if (n >= policy.maxAttempts) return err;
      const waitMs = waits[n - 1]!;
      hooks.onRetry(err, n, waitMs);
      await sleep(waitMs, undefined, { signal: hooks.stopping }).catch(() => {});
      if (hooks.stopping.aborted) throw err;
    }
  }
}

/**
 * After this many single records failed with no successful handle() call between them, a failing part is no longer
 * split: the failure looks systemic (a dependency down), not caused by the records.
 */
export const SYSTEMIC_AFTER_FAILED_RECORDS = 4;

export interface Failure<T> {
  /** The records of a failed part, in batch order: one record when isolated. */
  items: T[];
  error: Error;
  /** False for a part dead-lettered whole because the failure looked systemic. */
  isolated: boolean;
}

export interface Isolation<T, O> {
  /** What the parts that succeeded produced, in batch order. */
  outputs: O[];
  /** Failed single records and, once the failure looked systemic, failed parts left whole; in batch order. */
  failures: Failure<T>[];
  /** handle() calls made while isolating (the batch's own attempts not counted). */
  calls: number;
}

/**
 * Finds the records a batch fails on, once its retries are spent: the batch is split in halves (the first half takes
 * the odd record), each half handled once, and a half that fails is split again, down to single records; a single
 * record that fails is a failure. Parts are handled in batch order, so what the good records produce keeps their
 * order (per key too); `attempt` returns a part's outputs and throws to discard them. One poison record among n
 * costs at most 2·⌈log2 n⌉ calls.
 *
 * A failure that is not per-record (every call fails) would cost about 2n calls, each maybe as slow as a timeout.
 * So once SYSTEMIC_AFTER_FAILED_RECORDS single records have failed with no success since, a failing part is not
 * split further but reported whole: every remaining part is still handled once (a success resets the count, so a
 * dependency that comes back mid-batch loses no more records). That bounds an all-failing batch to 2·⌈log2 n⌉ + 4
 * calls (22 for 1000 records, instead of 1998). The price: a run of 4 poison records with no good one between them
 * makes the next failing parts go whole, good records in them included.
 *
 * `batchError` is what the whole batch last failed with. Throws (the pipeline leaves the batch to the bus) once
 * `stopping` is aborted.
 */
export async function isolateFailures<T, O>(
  items: readonly T[], batchError: Error, attempt: (part: readonly T[]) => Promise<readonly O[]>,
  stopping: AbortSignal,
): Promise<Isolation<T, O>> {
  const result: Isolation<T, O> = { outputs: [], failures: [], calls: 0 };
  /** Single records failed since the last success. */
  let failedInARow = 0;
  const visit = async (part: readonly T[]): Promise<void> => {
    if (stopping.aborted) throw new Error('the pipeline is stopping');
    result.calls++;
    try {
      for (const o of await attempt(part)) result.outputs.push(o); // a loop: a spread of many outputs overflows the stack
      failedInARow = 0;
    } catch (thrown) {
      const error = asError(thrown);
      if (stopping.aborted) throw error;
      if (part.length === 1) {
        result.failures.push({ items: [...part], error, isolated: true });
        failedInARow++;
      } else if (failedInARow >= SYSTEMIC_AFTER_FAILED_RECORDS) {
        result.failures.push({ items: [...part], error, isolated: false });
      } else {
        await split(part);
      }
    }
  };
  const split = async (part: readonly T[]) => {
    const mid = Math.ceil(part.length / 2);
    await visit(part.slice(0, mid));
    await visit(part.slice(mid));
  };
  // A batch of one record is isolated already: its retries were its calls.
  if (items.length === 1) result.failures.push({ items: [...items], error: batchError, isolated: true });
  else if (items.length > 1) await split(items);
  return result;
}
