// What tracing costs the pipeline: the same embedded pipeline (a collector publishing fault events → a
// processor answering each with a remediation result that carries the trace → a sink), run with tracing
// off (the baseline: no tracer, no span objects), on with spans dropped at export (the cost of making
// spans and rewriting headers), and on with the file exporter (one JSON line per span, appended).
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/tracing/main.ts [--records N]
// The machine has 2 cores shared with other engineers: figures are noisy, compare the ratios.
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Type } from '@sinclair/typebox';
import {
  createEmbeddedBus, createRegistry, loadPipelineConfig, silentLogger, startPipeline, type CollectorFactory, type PipelineOptions,
  type ProcessorFactory, type SinkFactory,
} from '@faultline/runtime';
import type { FaultEvent, RemediationResult } from '@faultline/schemas';

const { values: args } = parseArgs({ options: { records: { type: 'string', default: '20000' } } });
const RECORDS = Number(args.records);

const fault = (i: number): FaultEvent => ({
  op: 'set', alarm_id: '700.110', entity_type_id: 'host.interface', entity_instance_id: `host=compute-${i % 500}.interface=eth0`, ts: Date.now(),
  source: 'bench', uuid: randomUUID(), severity: 'major', alarm_type: 'communication', probable_cause: 'loss-of-signal',
  service_affecting: true, reason_text: 'carrier lost',
} as FaultEvent);

/** Drops every span: the exporter side costs nothing, so what remains is the making of spans. */
const discard = {
  export: (_spans: unknown[], done: (result: { code: number }) => void) => done({ code: 0 /* ExportResultCode.SUCCESS */ }),
  shutdown: async () => {},
} as NonNullable<PipelineOptions['spanExporter']>;

async function runOnce(mode: 'off' | 'discard' | 'file') {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-tracing-'));
  let received = 0;
  let allIn!: () => void;
  const done = new Promise<void>((r) => { allIn = r; });
  let emit!: (i: number) => void;
  const source: CollectorFactory = {
    kind: 'collector', type: 'source', stability: 'development', description: 'bench source', configSchema: Type.Object({}),
    create: (ctx) => { emit = (i) => ctx.emit('faults', fault(i)); return { start: async () => {}, stop: async () => {} }; },
  };
  const answer: ProcessorFactory = {
    kind: 'processor', type: 'answer', stability: 'development', description: 'one result per fault', configSchema: Type.Object({}),
    create: () => ({
      inputs: ['faults'], start: async () => {}, stop: async () => {},
      handle(batch, out) {
        for (const env of batch) {
          const f = env.value as FaultEvent;
          const result = {
            uuid: f.uuid, transition_uuid: f.uuid, alarm_id: f.alarm_id, entity_instance_id: f.entity_instance_id, rule: 'bench', step: 0,
            action: 'command', target: 'compute-0', outcome: 'matched', reason: 'bench', dry_run: true, at: f.ts, details: {},
            ...(env.traceparent && { traceparent: env.traceparent }),
          } as RemediationResult;
          out('remediations', result, env.traceparent ? { traceparent: env.traceparent } : {});
        }
      },
    }),
  };
  const sink: SinkFactory = {
    kind: 'sink', type: 'count', stability: 'development', description: 'counts', configSchema: Type.Object({}),
    create: () => ({
      inputs: ['remediations'], start: async () => {}, stop: async () => {},
      write: async (b) => { received += b.length; if (received >= RECORDS) allIn(); },
    }),
  };
  const tracing = mode === 'file' ? 'tracing: { exporter: file }\n' : '';
  const text = `node: bench\ndata_dir: ${dir}\n${tracing}collectors: { source: {} }\nprocessors: { answer: {} }\nsinks: { count: {} }\n`;
  const config = loadPipelineConfig('bench.yaml', createRegistry([source, answer, sink]), { text, env: {} });
  const pipeline = await startPipeline(config, createEmbeddedBus(), silentLogger, mode === 'discard' ? { spanExporter: discard } : {});
  const keepAlive = setInterval(() => {}, 1000);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < RECORDS; i++) emit(i);
  await done;
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  clearInterval(keepAlive);
  await pipeline.stop();
  const spanBytes = mode === 'file' ? statSync(join(dir, 'traces.jsonl')).size : 0;
  rmSync(dir, { recursive: true, force: true });
  const cpuMs = (c.user + c.system) / 1000;
  return { mode, records: RECORDS, wall_ms: Math.round(wallMs), records_per_s: Math.round(RECORDS / (wallMs / 1000)), cpu_us_per_record: +(cpuMs * 1000 / RECORDS).toFixed(1), span_file_bytes_per_record: Math.round(spanBytes / RECORDS) };
}

await runOnce('off'); // warm-up: module loading and JIT would otherwise count against the baseline
const runs = [];
for (const mode of ['off', 'discard', 'file'] as const) runs.push(await runOnce(mode));
const base = runs[0]!;
console.log(`tracing cost, ${RECORDS} records through collector → processor → sink (embedded bus), 3 spans per record when on`);
for (const r of runs) {
  console.log(`  ${r.mode.padEnd(8)} ${String(r.records_per_s).padStart(8)} records/s  ${String(r.cpu_us_per_record).padStart(6)} µs CPU/record`
    + `  ×${(r.cpu_us_per_record / base.cpu_us_per_record).toFixed(2)} CPU vs off${r.span_file_bytes_per_record ? `  ${r.span_file_bytes_per_record} B of spans/record` : ''}`);
}
console.log('  (2 shared cores: noisy; compare the ratios)');
const resultsDir = resolve(import.meta.dirname, '../results');
mkdirSync(resultsDir, { recursive: true });
writeFileSync(join(resultsDir, 'tracing.json'), JSON.stringify({ at: new Date().toISOString(), records: RECORDS, runs }, null, 2) + '\n');
