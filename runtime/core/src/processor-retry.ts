/** What the pipeline does when a processor's handle() throws on a batch (`processor_retry` in the pipeline file). */
export interface ProcessorRetry {
  /** Attempts on one batch; after the last, its records go to the deadletter topic (processing_error). */
  maxAttempts: number;
  /** Wait before the second attempt, doubled before each next one, up to maxBackoffMs. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_PROCESSOR_RETRY: ProcessorRetry = { maxAttempts: 5, backoffMs: 100, maxBackoffMs: 5000 };

export interface RetryHooks {
  /** Told before each wait. */
  onRetry(err: Error, attempt: number, waitMs: number): void;
  /** True once the pipeline is stopping: the batch is then left to the bus (redelivered later), not dead-lettered. */
  stopping(): boolean;
}

/**
 * Runs `attempt` until it resolves or has thrown `maxAttempts` times. Resolves with nothing on success and with the
 * last error once the attempts are spent; throws that error instead when the pipeline stops meanwhile.
 */
export async function attemptWithRetry(policy: ProcessorRetry, attempt: () => Promise<void>, hooks: RetryHooks): Promise<Error | undefined> {
  for (let n = 1; ; n++) {
    try {
      await attempt();
      return undefined;
    } catch (thrown) {
      const err = thrown instanceof Error ? thrown : new Error(String(thrown));
      if (hooks.stopping()) throw err;
      if (n >= policy.maxAttempts) return err;
      const waitMs = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (n - 1));
      hooks.onRetry(err, n, waitMs);
      await new Promise((r) => setTimeout(r, waitMs));
    }
  }
}
