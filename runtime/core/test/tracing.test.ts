import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Type } from '@sinclair/typebox';
import { InMemorySpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import type { FaultEvent, RemediationResult } from '@faultline/schemas';
import {
  createEmbeddedBus, createRegistry, loadPipelineConfig, silentLogger, startPipeline, type CollectorFactory, type Envelope,
  type ProcessorFactory, type SinkFactory, type SpanLine,
} from '../src/index.js';

const fault: FaultEvent = {
  op: 'set', alarm_id: '700.110', entity_type_id: 'host.interface', entity_instance_id: 'host=n1.interface=eth0', ts: 1,
  source: 'test', uuid: '6f1c1d52-5d0e-4a5e-9a55-1c1d0e5f0a01', severity: 'major', alarm_type: 'communication',
  probable_cause: 'loss-of-signal', service_affecting: true, reason_text: 'carrier lost',
} as FaultEvent;

/** collector → faults → processor (answers each fault with a remediation result) → remediations → sink. */
function registryFor(written: Envelope[], settled: () => void) {
  const source: CollectorFactory = {
    kind: 'collector', type: 'source', stability: 'development', description: 'emits one fault',
    configSchema: Type.Object({}), create: (ctx) => ({ start: async () => ctx.emit('faults', fault), stop: async () => {} }),
  };
  const answer: ProcessorFactory = {
    kind: 'processor', type: 'answer', stability: 'development', description: 'one result per fault',
    configSchema: Type.Object({}),
    create: () => ({
      inputs: ['faults'], start: async () => {}, stop: async () => {},
      handle(batch, out) {
        for (const env of batch) {
          const result: RemediationResult = {
            uuid: '6f1c1d52-5d0e-4a5e-9a55-1c1d0e5f0a02', transition_uuid: '6f1c1d52-5d0e-4a5e-9a55-1c1d0e5f0a03', alarm_id: '700.110',
            entity_instance_id: 'host=n1.interface=eth0', rule: 'bounce', step: 0, action: 'command', target: 'n1', outcome: 'matched',
            reason: 'test', dry_run: true, at: 2, details: {}, ...(env.traceparent && { traceparent: env.traceparent }),
          } as RemediationResult;
          out('remediations', result, env.traceparent ? { traceparent: env.traceparent } : {});
        }
      },
    }),
  };
  const sink: SinkFactory = {
    kind: 'sink', type: 'keep', stability: 'development', description: 'keeps what it gets',
    configSchema: Type.Object({}),
    create: () => ({ inputs: ['remediations'], start: async () => {}, stop: async () => {}, write: async (b) => { written.push(...b); settled(); } }),
  };
  return createRegistry([source, answer, sink]);
}

async function run(tracing: string, spanExporter?: SpanExporter) {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-tracing-'));
  const written: Envelope[] = [];
  let settled!: () => void;
  const done = new Promise<void>((r) => { settled = r; });
  const text = `node: n1\ndata_dir: ${dir}\n${tracing}collectors: { source: {} }\nprocessors: { answer: {} }\nsinks: { keep: {} }\n`;
  const config = loadPipelineConfig('pipe.yaml', registryFor(written, settled), { text, env: {} });
  const pipeline = await startPipeline(config, createEmbeddedBus(), silentLogger, spanExporter ? { spanExporter } : {});
  // The embedded bus's timers do not hold the process open: this one does, and bounds the wait.
  let guard: NodeJS.Timeout | undefined;
  await Promise.race([done, new Promise((_, reject) => { guard = setTimeout(() => reject(new Error('nothing reached the sink')), 10_000); })]);
  clearTimeout(guard);
  await pipeline.stop();
  return { dir, written };
}

test('without tracing no record carries a traceparent', async () => {
  const { dir, written } = await run('');
  assert.is(written.length, 1);
  assert.is(written[0]!.traceparent, undefined);
  rmSync(dir, { recursive: true });
});

/** InMemorySpanExporter forgets its spans at shutdown, which the pipeline's stop does: keep them for the asserts. */
class KeptSpans extends InMemorySpanExporter {
  override async shutdown(): Promise<void> {}
}

test('one trace links the collector\'s record, the processor\'s output and the sink\'s write', async () => {
  const exporter = new KeptSpans();
  const { dir, written } = await run('', exporter);
  const spans = exporter.getFinishedSpans();
  const byName = new Map(spans.map((s) => [s.name, s]));
  const emitted = byName.get('collectors.source publish faults');
  const answered = byName.get('processors.answer publish remediations');
  const kept = byName.get('sinks.keep write remediations');
  assert.ok(emitted && answered && kept, spans.map((s) => s.name).join(', '));
  assert.is(emitted.parentSpanContext, undefined);
  assert.is(answered.parentSpanContext?.spanId, emitted.spanContext().spanId);
  assert.is(kept.parentSpanContext?.spanId, answered.spanContext().spanId);
  assert.equal(new Set(spans.map((s) => s.spanContext().traceId)).size, 1);
  assert.is(written[0]!.traceparent, `00-${answered.spanContext().traceId}-${answered.spanContext().spanId}-01`);
  assert.is((written[0]!.value as RemediationResult).traceparent, written[0]!.traceparent, 'the value names the new span too');
  assert.is(emitted.attributes['faultline.alarm_id'], '700.110');
  assert.is(answered.attributes['faultline.outcome'], 'matched');
  rmSync(dir, { recursive: true });
});

test('the file exporter of the pipeline file writes one JSON line per span', async () => {
  const { dir } = await run('tracing: { exporter: file, file: spans/t.jsonl, service_name: edge-1 }\n');
  const lines = readFileSync(join(dir, 'spans/t.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as SpanLine);
  assert.equal(lines.map((l) => l.name).sort(), ['collectors.source publish faults', 'processors.answer publish remediations', 'sinks.keep write remediations']);
  assert.ok(lines.every((l) => l.service === 'edge-1' && l.traceId === lines[0]!.traceId));
  rmSync(dir, { recursive: true });
});

test.run();
