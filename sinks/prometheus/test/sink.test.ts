import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Counter, Registry } from 'prom-client';
import { silentLogger, type Envelope } from '@faultline/runtime';
import { Value } from '@sinclair/typebox/value';
import { PrometheusSinkConfigSchema, createPrometheusSink, parseListen } from '../src/index.js';
import { alarm, transition } from '@faultline/schemas/test-fixtures';
import { batch } from './fixtures.js';

const dataDir = mkdtempSync(join(tmpdir(), 'fl-prom-sink-'));
const ctx = { id: 'sinks.prometheus', node: 'test', log: silentLogger, dataDir };
test.after(() => rmSync(dataDir, { recursive: true, force: true }));
const config = (over: object = {}) => Value.Default(PrometheusSinkConfigSchema, { listen: '127.0.0.1:0', ...over }) as never;
const env = (topic: 'metrics' | 'alarms', value: unknown): Envelope =>
  ({ topic, key: null, value, partition: 0, offset: '0', timestamp: 0 }) as Envelope;

test('the config defaults to 127.0.0.1:9464/metrics with both inputs', () => {
  const c = Value.Default(PrometheusSinkConfigSchema, {}) as { listen: string; path: string; inputs: string[] };
  assert.is(c.listen, '127.0.0.1:9464');
  assert.is(c.path, '/metrics');
  assert.equal(c.inputs, ['metrics', 'alarms']);
  assert.equal(parseListen('[::1]:9464'), { host: '::1', port: 9464 });
});

test('GET on the path serves host metrics, alarm series and the pipeline registries with the exposition content type', async () => {
  const pipeline = new Registry();
  new Counter({ name: 'faultline_records_processed_total', help: 'Records processed.', registers: [pipeline] }).inc(7);
  const sink = createPrometheusSink(ctx, config(), { pipelineRegistries: () => [pipeline] });
  await sink.start();
  try {
    await sink.write([
      env('metrics', batch('compute-0', [{ name: 'node_load1', labels: {}, value: 0.25 }])),
      env('alarms', transition('raised', alarm(), 1)),
    ]);
    const res = await fetch(sink.url, { headers: { 'accept-encoding': 'gzip' } });
    assert.is(res.status, 200);
    assert.is(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    assert.is(res.headers.get('content-encoding'), 'gzip');
    assert.is((await fetch(sink.url, { headers: { 'accept-encoding': 'identity' } })).headers.get('content-encoding'), null);
    const text = await res.text();
    assert.ok(text.includes('node_load1{node="compute-0"} 0.25\n'));
    assert.ok(text.includes('faultline_alarm_active{alarm_id="700.101"'));
    assert.ok(text.includes('faultline_records_processed_total 7\n'));
    assert.ok(text.includes('faultline_prometheus_sink_series 1\n'));
    assert.is((await fetch(new URL('/other', sink.url))).status, 404);
  } finally {
    await sink.stop();
  }
});

test('with only the metrics input no alarm families are exposed; stop is idempotent and safe before start', async () => {
  const sink = createPrometheusSink(ctx, config({ inputs: ['metrics'], pipeline_metrics: false }));
  await sink.stop();
  await sink.start();
  const text = await sink.exposition();
  assert.not.ok(text.includes('faultline_alarm'));
  await sink.stop();
  await sink.stop();
});

test('a restarted sink still exposes the alarms active before the restart, and its transition counters go on', async () => {
  const restartCtx = { ...ctx, dataDir: join(dataDir, 'restart') };
  const a = alarm({ entity_instance_id: 'host=compute-7' });
  const before = createPrometheusSink(restartCtx, config());
  await before.start();
  await before.write([env('alarms', transition('raised', a, 1)), env('alarms', transition('raised', alarm(), 1))]);
  await before.stop();
  const after = createPrometheusSink(restartCtx, config());
  await after.start();
  try {
    await after.write([env('alarms', transition('raised', a, 1))]); // the bus replays what was not committed
    const text = await after.exposition();
    assert.is(text.split('\n').filter((l) => l.startsWith('faultline_alarm_active{')).length, 2);
    assert.ok(text.includes('faultline_alarm_transitions_total{kind="raised"} 2\n'), 'the replayed raise was not counted again');
  } finally {
    await after.stop();
  }
});

test.run();
