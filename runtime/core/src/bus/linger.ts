import type { OutboundRecord } from './types.js';

export interface LingerBatcherOptions {
  lingerMs: number;
  maxRecords: number;
  /** Sends one batch; records keep the order in which add() received them. */
  flush(records: OutboundRecord[]): Promise<void>;
}

export interface LingerBatcher {
  /** Resolves when the batch holding these records is acknowledged; rejects with that batch's error. */
  add(records: readonly OutboundRecord[]): Promise<void>;
  /** Flushes what is waiting and waits for every batch in flight. */
  drain(): Promise<void>;
}

interface Waiting {
  records: OutboundRecord[];
  callers: { resolve(): void; reject(err: unknown): void }[];
}

/**
 * Gathers the records of concurrent send() calls for up to `lingerMs` into one produce request
 * (Kafka's linger.ms). Hand-written because each caller needs its own acknowledgement, which the
 * client's stream producer does not give. Batches go out one after another, so order is kept.
 *
 * A record that finds the producer quiet (no add for `lingerMs`, nothing waiting or in flight) goes
 * out at the end of the current event-loop turn instead, with whatever else that turn adds: at such a
 * rate lingering would gather nothing, and its timer cost a wakeup of the process per record (a
 * heartbeat every 100 ms paid ~230 µs CPU per record for it: bench/bus/per-send.ts). Under load the
 * producer is never quiet that long, so records linger and batch as before.
 */
export function createLingerBatcher(opts: LingerBatcherOptions): LingerBatcher {
  let waiting: Waiting | undefined;
  let timer: NodeJS.Timeout | undefined;
  let endOfTurn: NodeJS.Immediate | undefined;
  let chain: Promise<void> = Promise.resolve();
  let inFlight = 0;
  let lastAddAt = -Infinity;

  const flushNow = () => {
    if (timer) clearTimeout(timer);
    if (endOfTurn) clearImmediate(endOfTurn);
    timer = undefined;
    endOfTurn = undefined;
    const batch = waiting;
    waiting = undefined;
    if (!batch) return;
    inFlight++;
    chain = chain.then(() => opts.flush(batch.records)).then(
      () => { inFlight--; for (const c of batch.callers) c.resolve(); },
      (err: unknown) => { inFlight--; for (const c of batch.callers) c.reject(err); },
    );
  };

  return {
    add(records) {
      if (!records.length) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const now = performance.now();
        const quiet = !waiting && inFlight === 0 && now - lastAddAt >= opts.lingerMs;
        lastAddAt = now;
        waiting ??= { records: [], callers: [] };
        waiting.records.push(...records);
        waiting.callers.push({ resolve, reject });
        if (waiting.records.length >= opts.maxRecords || opts.lingerMs === 0) flushNow();
        else if (quiet) endOfTurn = setImmediate(flushNow);
        else if (!endOfTurn) timer ??= setTimeout(flushNow, opts.lingerMs);
      });
    },
    async drain() {
      flushNow();
      await chain;
    },
  };
}
