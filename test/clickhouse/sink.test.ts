// The ClickHouse sink against the real (shared) ClickHouse on HTTP 18123, in a database of its own.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import {
  applyRetention, clickhouseSink, defaultMigrationsDir, migrate, openClient, readMigrations, retentionMs,
} from '@faultline/sink-clickhouse';
import { SERVICES, ensureServices } from '../support/index.js';
import {
  alarm, envelope, faultLog, metricBatch, remediation, rows, sinkConfig, testClient, testContext, testDatabase, transition,
} from '../support/clickhouse.js';

await ensureServices('clickhouse');
const url = SERVICES.clickhouse.url;
const database = testDatabase('sink');
const config = sinkConfig({ url, database, flush_interval: '100ms' });
const admin = testClient(url);
const db = testClient(url, database);
const DAY = 86_400_000;

test.after(async () => {
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await admin.close();
  await db.close();
});

test('start creates the database and applies every migration once; a rerun applies nothing', async () => {
  const sink = clickhouseSink.create(testContext(), config);
  await sink.start();
  await sink.stop();
  const tables = (await rows<{ name: string }>(db, 'SHOW TABLES')).map((r) => r.name).sort();
  assert.equal(tables, ['alarm_transitions', 'fault_events', 'metric_samples', 'remediation_results', 'schema_migrations']);
  const recorded = await rows<{ version: number; name: string }>(db, 'SELECT version, name FROM schema_migrations FINAL ORDER BY version');
  assert.equal(recorded.map((r) => r.version), [1, 2, 3, 4]);

  const client = openClient(config);
  const again = await migrate(client, readMigrations(defaultMigrationsDir()));
  await client.close();
  assert.equal(again, { applied: [], alreadyApplied: [1, 2, 3, 4] });
  const [{ n }] = await rows<{ n: number }>(db, 'SELECT count() AS n FROM schema_migrations FINAL') as [{ n: number }];
  assert.is(n, 4);
});

test('a migration changed after it was applied is refused; a new one is applied', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-mig-'));
  for (const f of readdirSync(defaultMigrationsDir())) copyFileSync(join(defaultMigrationsDir(), f), join(dir, f));
  writeFileSync(join(dir, '0099_scratch.sql'), 'CREATE TABLE IF NOT EXISTS scratch (x UInt8) ENGINE = Memory;');
  const client = openClient(config);
  try {
    assert.equal((await migrate(client, readMigrations(dir))).applied, [99]);
    writeFileSync(join(dir, '0099_scratch.sql'), 'CREATE TABLE IF NOT EXISTS scratch (x UInt16) ENGINE = Memory;');
    try {
      await migrate(client, readMigrations(dir));
      assert.unreachable('a changed migration was accepted');
    } catch (err) {
      assert.match((err as Error).message, /migration 99 \(scratch\) changed after it was applied/);
    }
  } finally {
    await client.command({ query: 'DROP TABLE IF EXISTS scratch' });
    await client.command({ query: 'ALTER TABLE schema_migrations DELETE WHERE version = 99' }).catch(() => {});
    await client.close();
  }
});

test('write stores every topic in its table, with the values it was given', async () => {
  const sink = clickhouseSink.create(testContext(), config);
  await sink.start();
  const now = Date.now();
  const a = alarm({ entity_instance_id: 'host=compute-7.filesystem=/var', alarm_id: '700.104', severity: 'major' });
  const raised = transition('raised', 1, a, now);
  await sink.write([
    envelope('metrics', metricBatch('compute-7', now)),
    envelope('alarms', raised, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'),
    envelope('faults', faultLog('compute-7', now)),
    envelope('remediations', remediation(a, raised.uuid, 'executed', now)),
  ]);
  await sink.stop();

  const cpu = await rows<{ value: number; mode: string }>(db, `SELECT value, labels.v[indexOf(labels.k, 'mode')] AS mode
    FROM metric_samples WHERE node = 'compute-7' AND name = 'node_cpu_seconds_total' AND series = 'cpu=1,mode=user'`);
  assert.equal(cpu, [{ value: now / 1000 / 20, mode: 'user' }]);
  const [{ samples }] = await rows<{ samples: number }>(db, `SELECT count() AS samples FROM metric_samples WHERE node = 'compute-7'`) as [{ samples: number }];
  assert.is(samples, metricBatch('compute-7', now).samples.length);
  const alarms = await rows<Record<string, unknown>>(db, `SELECT host, alarm_id, kind, seq, severity, at_ms, toUnixTimestamp(at) AS at_s, traceparent FROM alarm_transitions`);
  assert.equal(alarms, [{
    host: 'compute-7', alarm_id: '700.104', kind: 'raised', seq: 1, severity: 'major', at_ms: now, at_s: Math.floor(now / 1000),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  }]);
  assert.equal(await rows(db, `SELECT op, host, reason_text FROM fault_events`), [{ op: 'log', host: 'compute-7', reason_text: 'compute-7 rebooted' }]);
  assert.equal(await rows(db, `SELECT host, outcome, rule, duration_ms, details.v[indexOf(details.k, 'exit')] AS exit FROM remediation_results`),
    [{ host: 'compute-7', outcome: 'executed', rule: 'restart-noisy-service', duration_ms: 120, exit: '0' }]);
});

test('the same batch written twice (a redelivery) is one set of rows', async () => {
  const sink = clickhouseSink.create(testContext(), config);
  await sink.start();
  const batch = [envelope('metrics', metricBatch('compute-8', Date.now())), envelope('faults', faultLog('compute-8'))];
  await sink.write(batch);
  await sink.write(batch);
  await sink.stop();
  const [dedup] = await rows<{ n: number }>(db, `SELECT count() AS n FROM metric_samples FINAL WHERE node = 'compute-8'`);
  assert.is(dedup!.n, metricBatch('compute-8', 0).samples.length);
  await db.command({ query: 'OPTIMIZE TABLE fault_events FINAL' });
  const [logs] = await rows<{ n: number }>(db, `SELECT count() AS n FROM fault_events WHERE host = 'compute-8'`);
  assert.is(logs!.n, 1, 'after a merge, one row is left on disk');
});

test('concurrent writes share inserts: 40 writes within one flush interval make one insert', async () => {
  const insertsSoFar = async () => (await rows<{ name: string }>(admin, `SELECT name FROM system.parts
    WHERE database = '${database}' AND table = 'metric_samples' AND level = 0 AND min_block_number = max_block_number`)).length;
  const before = await insertsSoFar();
  const sink = clickhouseSink.create(testContext(), { ...config, flush_interval: '2s' });
  await sink.start();
  const base = Date.now();
  // The first write after start goes at once (nothing was inserted for a while); the next 40 wait for the interval.
  await sink.write([envelope('metrics', metricBatch('compute-9', base))]);
  await Promise.all(Array.from({ length: 40 }, (_, i) => sink.write([envelope('metrics', metricBatch('compute-9', base + 1 + i))])));
  await sink.stop();
  const [stored] = await rows<{ n: number }>(db, `SELECT count() AS n FROM metric_samples WHERE node = 'compute-9'`);
  assert.is(stored!.n, 41 * metricBatch('compute-9', 0).samples.length);
  // Every insert into one partition leaves one level-0 part (merged parts stay listed, inactive, for minutes).
  assert.is(await insertsSoFar() - before, 2);
});

test('retention drops the partitions wholly older than each table\'s retention and keeps the rest', async () => {
  const sink = clickhouseSink.create(testContext(), config);
  await sink.start();
  const now = Date.now();
  const old = alarm({ entity_instance_id: 'host=compute-5' });
  await sink.write([
    envelope('metrics', metricBatch('compute-5', now - 40 * DAY)),
    envelope('metrics', metricBatch('compute-5', now - 2 * DAY)),
    envelope('alarms', transition('raised', 1, old, now - 500 * DAY)),
    envelope('alarms', transition('cleared', 2, old, now - 3 * DAY)),
  ]);
  await sink.stop();
  const client = openClient(config);
  const dropped = await applyRetention(client, database, retentionMs(config.retention), now);
  await client.close();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10).replaceAll('-', '');
  assert.equal(dropped, [
    { table: 'alarm_transitions', id: day(now - 500 * DAY).slice(0, 6) },
    { table: 'metric_samples', id: day(now - 40 * DAY) },
  ]);
  const left = await rows<{ ts: number }>(db, `SELECT DISTINCT toUnixTimestamp(ts) * 1000 AS ts FROM metric_samples WHERE node = 'compute-5'`);
  assert.equal(left.map((r) => r.ts), [Math.floor((now - 2 * DAY) / 1000) * 1000]);
  const kinds = await rows<{ kind: string }>(db, `SELECT kind FROM alarm_transitions WHERE host = 'compute-5'`);
  assert.equal(kinds.map((r) => r.kind), ['cleared']);
});

test('an insert ClickHouse refuses for good (unknown table) rejects the write instead of retrying forever', async () => {
  const sink = clickhouseSink.create(testContext(), { ...config, flush_interval: '10ms' });
  await sink.start();
  await db.command({ query: 'RENAME TABLE remediation_results TO remediation_results_away' });
  try {
    const a = alarm();
    await sink.write([envelope('remediations', remediation(a, randomUUID(), 'failed'))]);
    assert.unreachable('the write resolved');
  } catch (err) {
    assert.match((err as Error).message, /remediation_results/);
  } finally {
    await db.command({ query: 'RENAME TABLE remediation_results_away TO remediation_results' });
    await sink.stop();
  }
});

test('with ClickHouse unreachable, start returns, writes wait, and stop gives up after drain_timeout and rejects them', async () => {
  const closed = 'http://127.0.0.1:9'; // discard port: nothing listens, connections are refused
  const sink = clickhouseSink.create(testContext(), sinkConfig({ url: closed, database, retry_backoff: '20ms', drain_timeout: '300ms' }));
  await sink.start();
  let settled: string | undefined;
  const write = sink.write([envelope('faults', faultLog('compute-6'))]).then(() => { settled = 'resolved'; }, (err: Error) => { settled = err.message; });
  await new Promise((r) => setTimeout(r, 200));
  assert.is(settled, undefined, 'the write waits while ClickHouse is unreachable');
  await sink.stop();
  await write;
  assert.match(settled!, /did not take the pending rows within 300 ms/);
});

test.run();
