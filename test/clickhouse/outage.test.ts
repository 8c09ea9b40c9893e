// ClickHouse going away mid-stream: a PRIVATE server (its own FAULTLINE_DEV_DIR and ports) is stopped, or killed,
// while the pipeline keeps producing, then started again; every row must arrive, and exactly once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline } from '@faultline/runtime';
import { clickhouseSink } from '@faultline/sink-clickhouse';
import { privateService, waitFor } from '../support/index.js';
import { metricBatch, rows, testClient } from '../support/clickhouse.js';
import { createFeed } from '../support/feed.js';

const clickhouse = await privateService('clickhouse');
const { devDir, svc } = clickhouse;
const url = `http://127.0.0.1:${clickhouse.ports.FAULTLINE_CLICKHOUSE_HTTP_PORT}`;

/** SIGKILL to the private server's process group (deploy/dev/svc starts it as a group leader and records its pid). */
async function killHard(): Promise<void> {
  const pid = Number(readFileSync(join(devDir, 'clickhouse/clickhouse.pid'), 'utf8').trim());
  process.kill(-pid, 'SIGKILL');
  await waitFor('the killed server to be gone', () => {
    try { process.kill(pid, 0); return undefined; } catch { return true; }
  });
}

test.after(() => clickhouse.remove());

/**
 * Runs the real pipeline (embedded bus, a test collector, the ClickHouse sink) against the private server:
 * 100 batches stored, then `interrupt` while 200 more are produced, then the server back and 100 more.
 */
async function streamThrough(database: string, interrupt: () => Promise<void>): Promise<void> {
  const warnings: string[] = [];
  const log = createLogger('test', { level: 'warn', write: (line) => warnings.push(line) });
  const feed = createFeed();
  const text = JSON.stringify({
    node: 'outage-0', data_dir: join(devDir, `pipeline-${database}`), bus: { type: 'embedded' },
    collectors: { feed: { type: 'test-feed' } },
    sinks: { ch: { type: 'clickhouse', url, database, flush_interval: '50ms', retry_backoff: '50ms', retry_backoff_max: '500ms' } },
  });
  const config = loadPipelineConfig('outage.yaml', createRegistry([clickhouseSink, feed.factory]), { text });
  const pipeline = await startPipeline(config, createEmbeddedBus(), log);
  const db = testClient(url, database);
  const perBatch = metricBatch('outage-0', 0).samples.length;
  const stored = async () => (await rows<{ n: number }>(db, 'SELECT count() AS n FROM metric_samples FINAL'))[0]!.n;
  const base = Date.now();
  let sent = 0;
  const send = (n: number) => { for (let i = 0; i < n; i++, sent++) feed.emit('metrics', metricBatch('outage-0', base + sent)); };
  // A steady trickle as well, so that inserts are in flight when the server goes.
  let trickle = 0;
  const timer = setInterval(() => { if (trickle < 50) { trickle++; send(1); } }, 5);

  try {
    send(100);
    await waitFor('the first 100 batches in ClickHouse', async () => ((await stored()) >= 100 * perBatch ? true : undefined));
    await interrupt();
    send(200); // produced while ClickHouse is away: the sink's write waits and retries
    await waitFor('the sink to hit the outage', () => (warnings.some((w) => w.includes('ClickHouse insert failed; retrying')) ? true : undefined));
    await svc('start');
    send(100);
    clearInterval(timer);
    send(50 - trickle);
    await waitFor('all 450 batches in ClickHouse', async () => ((await stored().catch(() => 0)) === 450 * perBatch ? true : undefined), 60_000);
  } finally {
    clearInterval(timer);
    await pipeline.stop();
  }

  const [ids] = await rows<{ batches: number; min: number; max: number }>(db,
    'SELECT uniqExact(ts_ms) AS batches, min(ts_ms) AS min, max(ts_ms) AS max FROM metric_samples');
  assert.equal(ids, { batches: 450, min: base, max: base + 449 });
  // A retry of an insert the server had taken before the connection dropped leaves a duplicate part until a merge;
  // after the merge exactly one row per sample is on disk.
  await db.command({ query: 'OPTIMIZE TABLE metric_samples FINAL' });
  const [onDisk] = await rows<{ n: number }>(db, 'SELECT count() AS n FROM metric_samples');
  assert.is(onDisk!.n, 450 * perBatch);
  await db.close();
}

test('rows written while ClickHouse is stopped arrive after it is back, each exactly once', async () => {
  await svc('start');
  await streamThrough('faultline_stopped', async () => { await svc('stop'); });
});

test('rows in flight when ClickHouse is killed (SIGKILL) arrive after it is back, each exactly once', async () => {
  await svc('start');
  await streamThrough('faultline_killed', killHard);
});

test.run();
