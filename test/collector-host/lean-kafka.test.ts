// `faultline collector host` as it ships: the lean bundle (collectors/host/bin/faultline-collector-host) on the
// real Kafka broker, with a pipeline file that also holds processor and sink sections (a shared file) and
// tracing to a file (the OpenTelemetry code it loads only then). A consumer on the broker sees its heartbeats
// in sequence and its metric batches; SIGTERM stops it cleanly.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus } from '@faultline/runtime';
import { TOPICS, decode, type Heartbeat, type MetricBatch } from '@faultline/schemas';
import { ROOT, SERVICES, ensureServices, waitFor } from '../support/index.js';

const dir = mkdtempSync(join(tmpdir(), 'faultline-lean-collector-'));
const node = `lean-${process.pid}-${Date.now()}`;

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the lean collector process sends heartbeats and metrics to Kafka, traces them, and stops on SIGTERM', async () => {
  await ensureServices('kafka');
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, `node: ${node}
data_dir: ${join(dir, 'data')}
bus:
  type: kafka
  kafka: { brokers: [${SERVICES.kafka.brokers.join(', ')}] }
tracing: { exporter: file, file: spans.jsonl }
collectors:
  host: { interval: 1s, groups: [cpu, memory], heartbeat: { period: 100ms } }
processors:
  correlator: { rules: { builtin: false } }
sinks:
  nms: { type: snmp, destinations: [] }
`);
  const bus = createKafkaBus({
    brokers: [...SERVICES.kafka.brokers], client_id: 'test-lean-collector', compression: 'none', linger_ms: 0, batch_max_records: 1000,
    spool: { max_bytes: 1 << 20, clear_after_ms: 60_000 },
  });
  const beats: Heartbeat[] = [];
  const batches: MetricBatch[] = [];
  let assigned!: () => void;
  const ready = new Promise<void>((r) => { assigned = r; });
  const sub = await bus.subscribe({
    group: `test-lean-collector-${node}`, topics: ['heartbeats', 'metrics'], from: 'latest',
    onAssign: async () => { assigned(); },
    onBatch: async (records) => {
      for (const r of records) {
        if (r.topic === 'heartbeats') {
          const d = decode(TOPICS.heartbeats.schema, r.headers, r.value);
          if (d.ok && d.value.node === node) beats.push(d.value);
        } else {
          const d = decode(TOPICS.metrics.schema, r.headers, r.value);
          if (d.ok && d.value.node === node) batches.push(d.value);
        }
      }
    },
  });
  await ready;

  const child = spawn(resolve(ROOT, 'collectors/host/bin/faultline-collector-host'), ['-c', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout!.on('data', (d) => { log += d; });
  child.stderr!.on('data', (d) => { log += d; });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await waitFor('the collector started', () => (log.includes('started collector collectors.host') ? true : undefined), 60_000, 100);
    assert.match(readFileSync(`/proc/${child.pid}/cmdline`, 'latin1'), /lean-bundle\/main\.cjs/, 'runs the lean bundle');
    await waitFor('10 heartbeats and 2 metric batches', () => (beats.length >= 10 && batches.length >= 2 ? true : undefined), 30_000, 100);
  } finally {
    child.kill('SIGTERM');
    await sub.stop();
    await bus.stop();
  }
  assert.is(await exited, 0, `exits cleanly on SIGTERM (log: ${log})`);

  const seqs = beats.map((b) => b.seq);
  assert.equal(seqs, seqs.map((_, i) => seqs[0]! + i), 'heartbeats arrive in sequence, none missing');
  assert.ok(beats.every((b) => b.period_ms === 100 && b.boot_id === beats[0]!.boot_id));
  assert.ok(batches.every((b) => b.collector === 'host' && b.samples.some((s) => s.name === 'node_memory_MemAvailable_bytes')));

  const spans = join(dir, 'data', 'spans.jsonl');
  assert.ok(existsSync(spans), 'the tracing code was loaded and wrote spans');
  assert.match(readFileSync(spans, 'utf8'), /"collectors\.host publish heartbeats"/);
});

test.run();
