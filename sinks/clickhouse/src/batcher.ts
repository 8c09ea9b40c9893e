import { TABLES, emptyRows, rowCount, type RowsByTable, type Table } from './rows.js';
import { sleep } from './sleep.js';

export interface BatcherOptions {
  /** Flush at once when this many rows wait. */
  batchRows: number;
  /** Otherwise flush once this long has passed since the previous flush started. */
  flushIntervalMs: number;
  /** write() waits while this many rows wait (back-pressure during an outage). */
  maxBufferRows: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  /** Inserts the rows of one table; throws on failure; `signal` aborts it when stop gives up. */
  insert(table: Table, rows: readonly Record<string, unknown>[], signal: AbortSignal): Promise<void>;
  isTransient(err: unknown): boolean;
  /** Called on the first failure of a flush and after every later retry that failed (retry counts it). */
  onRetry(err: unknown, table: Table, retry: number, waitMs: number): void;
  onRecovered(table: Table, retries: number): void;
}

interface Pending {
  rows: RowsByTable;
  count: number;
  done: PromiseWithResolvers<void>;
}

const newPending = (): Pending => {
  const done = Promise.withResolvers<void>();
  done.promise.catch(() => {}); // observed by the writers that await it; never an unhandled rejection
  return { rows: emptyRows(), count: 0, done };
};

export class AbandonedError extends Error {}

/**
 * Group commit for ClickHouse: rows from concurrent and consecutive writes share one insert per table, and
 * each write resolves once the insert holding its rows succeeded (so the runtime commits bus offsets only
 * for stored rows). A failed insert is retried with exponential backoff until it succeeds, for as long as it
 * takes, without losing or reordering rows; a table already inserted is not inserted again by the retry.
 */
export function createBatcher(opts: BatcherOptions) {
  let pending = newPending();
  let flushing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastFlushAt = 0;
  let abandoned: Error | undefined;
  let draining = false;
  const abort = new AbortController();
  const spaceWaiters = new Set<() => void>();

  async function insertAll(p: Pending): Promise<void> {
    for (const table of TABLES) {
      const rows = p.rows[table];
      if (!rows.length) continue;
      let wait = opts.retryBackoffMs;
      for (let retry = 0; ; retry++) {
        if (abandoned) throw abandoned;
        try {
          await opts.insert(table, rows, abort.signal);
          if (retry) opts.onRecovered(table, retry);
          break;
        } catch (err) {
          if (!opts.isTransient(err) || abandoned) throw abandoned ?? err;
          opts.onRetry(err, table, retry + 1, wait);
          await sleep(wait, abort.signal);
          wait = Math.min(wait * 2, opts.retryBackoffMaxMs);
        }
      }
    }
  }

  function schedule(): void {
    if (flushing || pending.count === 0 || abandoned) return;
    const due = lastFlushAt + opts.flushIntervalMs;
    const now = Date.now();
    if (!draining && pending.count < opts.batchRows && now < due) {
      timer ??= setTimeout(() => { timer = undefined; schedule(); }, due - now);
      return;
    }
    if (timer) { clearTimeout(timer); timer = undefined; }
    const taken = pending;
    pending = newPending();
    lastFlushAt = now;
    flushing = insertAll(taken).then(() => taken.done.resolve(), (err: unknown) => taken.done.reject(err)).finally(() => {
      flushing = undefined;
      for (const w of [...spaceWaiters]) w();
      schedule();
    });
  }

  return {
    /** Adds rows; resolves once they are stored, rejects if they could not be (the caller redelivers them). */
    async add(rows: RowsByTable): Promise<void> {
      const n = rowCount(rows);
      if (n === 0) return;
      while (!abandoned && pending.count > 0 && pending.count + n > opts.maxBufferRows) {
        await new Promise<void>((resolve) => {
          const w = () => { spaceWaiters.delete(w); resolve(); };
          spaceWaiters.add(w);
        });
      }
      if (abandoned) throw abandoned;
      const p = pending;
      for (const t of TABLES) {
        const src = rows[t];
        if (!src.length) continue;
        const dst = p.rows[t];
        for (const r of src) dst.push(r);
      }
      p.count += n;
      schedule();
      return p.done.promise;
    },

    /**
     * Flushes what waits, retrying for at most `timeoutMs`; then gives up: the writes still waiting reject,
     * so the runtime leaves their offsets uncommitted and the bus delivers them again after a restart.
     */
    async drain(timeoutMs: number): Promise<void> {
      draining = true;
      const deadline = setTimeout(() => {
        abandoned = new AbandonedError(`ClickHouse did not take the pending rows within ${timeoutMs} ms of stop`);
        abort.abort();
        pending.done.reject(abandoned);
        for (const w of [...spaceWaiters]) w();
      }, timeoutMs);
      try {
        while (flushing || pending.count) {
          schedule();
          await (flushing ?? pending.done.promise).catch(() => {});
          if (abandoned) break;
        }
      } finally {
        clearTimeout(deadline);
        if (timer) clearTimeout(timer);
      }
    },
  };
}
