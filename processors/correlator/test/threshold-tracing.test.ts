import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import {
  createEmbeddedBus, createRegistry, loadPipelineConfig, silentLogger, startPipeline, type CollectorFactory, type SpanLine,
} from '@faultline/runtime';
import type { MetricBatch } from '@faultline/schemas';
import { correlatorProcessor } from '../src/index.js';
import { batch, engine, rules, run, single } from './helpers.js';

const CPU = `
rules:
  - { name: cpu, alarm_id: "700.101", metric: cpu, entity: host=<node>, levels: { major: { raise: 90, clear: 85 }, critical: { raise: 95, clear: 92 } }, raise_after: 1, clear_after: 1 }
`;
const tp = (n: number) => `00-${'a'.repeat(31)}${n}-${'b'.repeat(15)}${n}-01`;
const cpu = (ts: number, value: number) => batch('c0', ts, [{ name: 'cpu', labels: {}, value }]);

test('each threshold transition carries the traceparent of the metric batch that caused it', () => {
  const e = engine({ rules: rules(CPU) });
  const raised = run((out) => e.metrics(cpu(1000, 93), out, 1000, tp(1))).transitions.map(single);
  assert.equal(raised.map((t) => [t.kind, t.traceparent]), [['raised', tp(1)]]);
  const quiet = run((out) => e.metrics(cpu(2000, 93), out, 2000, tp(2))).transitions;
  assert.is(quiet.length, 0, 'a batch that changes nothing makes nothing');
  const updated = run((out) => e.metrics(cpu(3000, 97), out, 3000, tp(3))).transitions.map(single);
  assert.equal(updated.map((t) => [t.kind, t.alarm.severity, t.traceparent]), [['updated', 'critical', tp(3)]]);
  const cleared = run((out) => e.metrics(cpu(4000, 10), out, 4000, tp(4))).transitions.map(single);
  assert.equal(cleared.map((t) => [t.kind, t.traceparent]), [['cleared', tp(4)]]);
  const untraced = run((out) => e.metrics(cpu(5000, 99), out, 5000)).transitions.map(single);
  assert.equal(untraced.map((t) => [t.kind, t.traceparent]), [['raised', undefined]], 'no trace in, none out');
});

test('with tracing on, the correlator\'s span of a threshold alarm is a child of the collector\'s span of the batch', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corr-trace-'));
  writeFileSync(join(dir, 'cpu.yaml'), CPU);
  const sample: MetricBatch = { node: 'c0', collector: 'test', ts: Date.now(), interval_ms: 1000, samples: [{ name: 'cpu', labels: {}, value: 99 }] };
  const source: CollectorFactory = {
    kind: 'collector', type: 'source', stability: 'development', description: 'one hot CPU sample',
    configSchema: Type.Object({}), create: (ctx) => ({ start: async () => ctx.emit('metrics', sample), stop: async () => {} }),
  };
  const text = `
node: c0
data_dir: data
tracing: { exporter: file, file: spans.jsonl }
collectors: { source: {} }
processors:
  correlator: { rules: { builtin: false, files: [cpu.yaml] }, api: { enabled: false }, tick: 1h }
`;
  const config = loadPipelineConfig(join(dir, 'p.yaml'), createRegistry([source, correlatorProcessor]), { text, env: {} });
  const bus = createEmbeddedBus();
  const pipeline = await startPipeline(config, bus, silentLogger);
  const spans = () => {
    try {
      return readFileSync(join(dir, 'data/spans.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SpanLine);
    } catch {
      return [];
    }
  };
  try {
    for (let i = 0; i < 100 && !spans().some((s) => s.name === 'processors.correlator publish alarms'); i++) await new Promise((r) => setTimeout(r, 50));
  } finally {
    await pipeline.stop();
  }
  const all = spans();
  const published = all.find((s) => s.name === 'collectors.source publish metrics');
  const alarm = all.find((s) => s.name === 'processors.correlator publish alarms');
  assert.ok(published && alarm, all.map((s) => s.name).join(', '));
  assert.is(alarm.traceId, published.traceId, 'one trace from the sample to the alarm');
  assert.is(alarm.parentSpanId, published.spanId);
  assert.is(alarm.attributes['faultline.alarm_id'], '700.101');
  rmSync(dir, { recursive: true });
});

test.run();
