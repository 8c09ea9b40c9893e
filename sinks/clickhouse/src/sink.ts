import type { ComponentContext, Envelope, Sink } from '@faultline/runtime';
import { once, parseDuration } from '@faultline/runtime';
import { createBatcher } from './batcher.js';
import { createDatabase, isTransient, openClient } from './client.js';
import type { ClickHouseSinkConfig } from './config.js';
import { defaultMigrationsDir, migrate, readMigrations } from './migrations.js';
import { applyRetention, retentionMs } from './retention.js';
import { toRows } from './rows.js';
import { sleep } from './sleep.js';

/**
 * Stores metrics, alarm transitions, fault events and remediation results in ClickHouse. start() applies the
 * migrations; when ClickHouse is unreachable it keeps trying in the background instead of holding up the
 * pipeline, and writes wait for it. write() resolves once its rows are inserted (see batcher.ts).
 */
export function createClickHouseSink(ctx: ComponentContext, config: ClickHouseSinkConfig): Sink {
  const client = openClient(config);
  const backoffMs = parseDuration(config.retry_backoff);
  const backoffMaxMs = parseDuration(config.retry_backoff_max);
  const keepMs = retentionMs(config.retention);
  const stopping = new AbortController();
  let ready: Promise<void> = Promise.reject(new Error('the ClickHouse sink was not started'));
  ready.catch(() => {});
  let retentionTimer: NodeJS.Timeout | undefined;

  async function prepare(): Promise<void> {
    const migrations = readMigrations(config.migrations_dir || defaultMigrationsDir());
    await createDatabase(config);
    const report = await migrate(client, migrations);
    if (report.applied.length) ctx.log.info('applied ClickHouse migrations', { database: config.database, versions: report.applied });
  }

  /** Retries prepare() while ClickHouse is unreachable; resolves once the schema is in place. */
  async function prepareUntilReady(firstError: unknown): Promise<void> {
    let wait = backoffMs;
    let err = firstError;
    for (;;) {
      if (!isTransient(err)) throw err;
      if (stopping.signal.aborted) throw new Error('the ClickHouse sink stopped before ClickHouse was reachable');
      ctx.log.warn('ClickHouse unreachable; retrying', { url: config.url, error: (err as Error).message, retry_in_ms: wait });
      await sleep(wait, stopping.signal);
      wait = Math.min(wait * 2, backoffMaxMs);
      try {
        await prepare();
        ctx.log.info('ClickHouse reachable again; schema in place', { database: config.database });
        return;
      } catch (e) {
        err = e;
      }
    }
  }

  /** Waits for the schema; gives up when stop() abandons the pending rows. */
  function untilReady(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      ready.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  async function runRetention(): Promise<void> {
    try {
      const dropped = await applyRetention(client, config.database, keepMs);
      if (dropped.length) ctx.log.info('retention dropped partitions', { partitions: dropped.map((p) => `${p.table}/${p.id}`) });
    } catch (err) {
      ctx.log.warn('retention failed; next try at the next interval', { error: (err as Error).message });
    }
  }

  const batcher = createBatcher({
    batchRows: config.batch_rows,
    flushIntervalMs: parseDuration(config.flush_interval),
    maxBufferRows: config.max_buffer_rows,
    retryBackoffMs: backoffMs,
    retryBackoffMaxMs: backoffMaxMs,
    insert: async (table, values, signal) => {
      await untilReady(signal);
      await client.insert({ table, values, format: 'JSONEachRow', abort_signal: signal });
    },
    isTransient,
    onRetry: (err, table, retry, waitMs) => {
      if (retry === 1 || retry % 10 === 0) {
        ctx.log.warn('ClickHouse insert failed; retrying', { table, retry, retry_in_ms: waitMs, error: (err as Error).message });
      }
    },
    onRecovered: (table, retries) => ctx.log.info('ClickHouse insert succeeded after retries', { table, retries }),
  });

  return {
    inputs: config.inputs,

    start: once(async () => {
      try {
        await prepare();
        ready = Promise.resolve();
      } catch (err) {
        if (!isTransient(err)) throw err;
        ready = prepareUntilReady(err);
        ready.catch((e: Error) => ctx.log.error('ClickHouse schema could not be prepared', { error: e.message }));
      }
      void ready.then(runRetention, () => {});
      retentionTimer = setInterval(() => void ready.then(runRetention, () => {}), parseDuration(config.retention_interval));
      retentionTimer.unref();
    }),

    write: async (batch: readonly Envelope[]) => {
      if (stopping.signal.aborted) throw new Error('the ClickHouse sink is stopped');
      return batcher.add(toRows(batch));
    },

    stop: once(async () => {
      if (retentionTimer) clearInterval(retentionTimer);
      await batcher.drain(parseDuration(config.drain_timeout));
      stopping.abort();
      await ready.catch(() => {});
      await client.close();
    }),
  };
}
