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
 */
export function createLingerBatcher(opts: LingerBatcherOptions): LingerBatcher {
  let waiting: Waiting | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  const flushNow = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = waiting;
    waiting = undefined;
    if (!batch) return;
    chain = chain.then(() => opts.flush(batch.records)).then(
      () => { for (const c of batch.callers) c.resolve(); },
      (err: unknown) => { for (const c of batch.callers) c.reject(err); },
    );
  };

  return {
    add(records) {
      if (!records.length) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        waiting ??= { records: [], callers: [] };
        waiting.records.push(...records);
        waiting.callers.push({ resolve, reject });
        if (waiting.records.length >= opts.maxRecords || opts.lingerMs === 0) flushNow();
        else timer ??= setTimeout(flushNow, opts.lingerMs);
      });
    },
    async drain() {
      flushNow();
      await chain;
    },
  };
}
