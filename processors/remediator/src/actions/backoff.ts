/** Delay before retry `attempt` (1-based): exponential from `firstMs`, capped, with jitter in [50 %, 100 %]. */
export function retryDelay(attempt: number, firstMs: number, maxMs: number, random: () => number = Math.random): number {
  const base = Math.min(maxMs, firstMs * 2 ** (attempt - 1));
  return Math.round(base * (0.5 + random() * 0.5));
}

/** Resolves after `ms`, or at once when `signal` aborts (the caller checks `signal.aborted`). */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => { clearTimeout(timer); signal.removeEventListener('abort', done); resolve(); };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
