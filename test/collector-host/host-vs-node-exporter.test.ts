// Our host collector against the real node_exporter (127.0.0.1:19100) on the same machine at the same moment,
// and the collector running as `faultline collector host` does: pipeline file → embedded bus → decoded records.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { TOPICS, decode, type Heartbeat, type MetricBatch } from '@faultline/schemas';
import { createEmbeddedBus, createRegistry, loadPipelineConfig, silentLogger, startPipeline } from '@faultline/runtime';
import { HostCollectorConfigSchema, createHostSampler, hostCollector, type Collection, type HostCollectorConfig } from '@faultline/collector-host';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';

type Series = Map<string, number>; // `name{k="v",...}` (labels sorted) -> value

const key = (name: string, labels: Record<string, string>) =>
  `${name}{${Object.keys(labels).sort().map((k) => `${k}="${labels[k]}"`).join(',')}}`;

function parseExposition(text: string): Series {
  const out: Series = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, '$1');
    out.set(key(m[1]!, labels), Number(m[3]));
  }
  return out;
}

const ours = (c: Collection): Series => new Map(c.buffer.samples.map((s) => [key(s.name, s.labels), s.value]));
const scrape = async () => parseExposition(await (await fetch(`${SERVICES.nodeExporter.url}/metrics`)).text());
const config = () => Value.Default(HostCollectorConfigSchema, {}) as HostCollectorConfig;

/** node_exporter's reading taken between two of ours: monotonic counters must fall inside [before, after]. */
async function bracket() {
  const sampler = createHostSampler(config());
  try {
    await sampler.collect(Date.now()); // opens the files
    const before = ours(await sampler.collect(Date.now()));
    const ne = await scrape();
    const after = ours(await sampler.collect(Date.now()));
    return { before, ne, after };
  } finally {
    sampler.close();
  }
}

function within(what: string, v: number | undefined, lo: number, hi: number) {
  assert.ok(v !== undefined, `${what}: node_exporter has it`);
  assert.ok(v! >= lo && v! <= hi, `${what}: node_exporter ${v} not within [${lo}, ${hi}]`);
}

const pick = (s: Series, prefix: string) => [...s.keys()].filter((k) => k.startsWith(`${prefix}{`)).sort();

test.before(async () => {
  await ensureServices('node-exporter');
});

test('cpu seconds per cpu and mode: node_exporter\'s value lies between our readings before and after (±1 tick)', async () => {
  const { before, ne, after } = await bracket();
  const series = pick(ne, 'node_cpu_seconds_total');
  assert.ok(series.length >= 8);
  assert.equal(pick(before, 'node_cpu_seconds_total'), series, 'the same cpus and modes');
  for (const k of series) within(k, ne.get(k), before.get(k)! - 0.01, after.get(k)! + 0.01);
});

test('memory available: within our two readings widened by 1% of MemTotal (it moves while others work)', async () => {
  const { before, ne, after } = await bracket();
  const k = 'node_memory_MemAvailable_bytes{}';
  const slack = 0.01 * before.get('node_memory_MemTotal_bytes{}')!;
  assert.is(ne.get('node_memory_MemTotal_bytes{}'), before.get('node_memory_MemTotal_bytes{}'));
  within(k, ne.get(k), Math.min(before.get(k)!, after.get(k)!) - slack, Math.max(before.get(k)!, after.get(k)!) + slack);
});

test('filesystems: the same mounts; size exactly equal; free bytes within our readings ± 64 MiB', async () => {
  const { before, ne, after } = await bracket();
  const sizes = pick(ne, 'node_filesystem_size_bytes');
  assert.ok(sizes.length >= 1);
  assert.equal(pick(before, 'node_filesystem_size_bytes'), sizes, 'the same mount points, devices and fstypes');
  for (const k of sizes) assert.is(before.get(k), ne.get(k), k);
  const slack = 64 * 1024 * 1024;
  for (const k of pick(ne, 'node_filesystem_free_bytes')) {
    within(k, ne.get(k), Math.min(before.get(k)!, after.get(k)!) - slack, Math.max(before.get(k)!, after.get(k)!) + slack);
  }
});

test('network bytes per interface, received and sent: node_exporter\'s value lies between our readings', async () => {
  const { before, ne, after } = await bracket();
  for (const name of ['node_network_receive_bytes_total', 'node_network_transmit_bytes_total']) {
    const series = pick(ne, name);
    assert.ok(series.length >= 1);
    assert.equal(pick(before, name), series, `${name}: the same interfaces`);
    for (const k of series) within(k, ne.get(k), before.get(k)!, after.get(k)!);
  }
});

test('more counters node_exporter also reads lie between ours: disk, context switches, forks, pressure, vmstat', async () => {
  const { before, ne, after } = await bracket();
  const names = ['node_disk_read_bytes_total', 'node_disk_written_bytes_total', 'node_disk_io_time_seconds_total', 'node_context_switches_total',
    'node_forks_total', 'node_intr_total', 'node_pressure_cpu_waiting_seconds_total', 'node_pressure_io_waiting_seconds_total', 'node_vmstat_pgfault'];
  let compared = 0;
  for (const name of names) {
    for (const k of pick(ne, name)) {
      assert.ok(before.has(k), `we have ${k}`);
      within(k, ne.get(k), before.get(k)! - 1e-6, after.get(k)! + 1e-6);
      compared++;
    }
  }
  assert.ok(compared >= names.length, `compared ${compared} series`);
});

test('where node_exporter has a metric we send, the label names agree, so its dashboards and rules work on ours', async () => {
  const { before, ne } = await bracket();
  const labelNames = (s: Series) => {
    const m = new Map<string, string>();
    for (const k of s.keys()) {
      const [, name, labels] = /^([^{]+)\{(.*)\}$/.exec(k)!;
      m.set(name!, [...labels!.matchAll(/([a-z_]+)=/g)].map((x) => x[1]).join(','));
    }
    return m;
  };
  const ours = labelNames(before);
  const theirs = labelNames(ne);
  const shared = [...ours.keys()].filter((n) => theirs.has(n));
  assert.ok(shared.length >= 60, `${shared.length} metric names shared with node_exporter`);
  for (const n of shared) assert.is(ours.get(n), theirs.get(n), n);
});

test('run as `faultline collector host`: a pipeline file on the embedded bus carries MetricBatch and Heartbeat records', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'faultline-host-it-'));
  const file = join(dir, 'pipeline.yaml');
  writeFileSync(file, [
    'node: it-node',
    `data_dir: ${dir}`,
    'bus: { type: embedded }',
    'collectors:',
    '  host:',
    '    interval: 1s',
    '    heartbeat: { period: 50ms }',
    '',
  ].join('\n'));
  const bus = createEmbeddedBus();
  const pipeline = await startPipeline(loadPipelineConfig(file, createRegistry([hostCollector])), bus, silentLogger);
  const read = async <T>(topic: 'metrics' | 'heartbeats'): Promise<T[]> => {
    const out: T[] = [];
    for await (const r of bus.readAll(topic)) {
      const d = decode(TOPICS[topic].schema, r.headers, r.value!);
      assert.ok(d.ok, `decodes: ${!d.ok && d.detail}`);
      if (d.ok) out.push(d.value as T);
      assert.is(r.key, 'it-node', 'keyed by host');
    }
    return out;
  };
  try {
    const batches = await waitFor('two metric batches', async () => {
      const b = await read<MetricBatch>('metrics');
      return b.length >= 2 ? b : undefined;
    }, 10_000);
    const beats = await read<Heartbeat>('heartbeats');
    assert.ok(beats.length >= 3);
    assert.equal(beats.map((h) => h.seq), [...beats.keys()]);
    assert.is(beats[0]?.node, 'it-node');
    assert.is(beats[0]?.period_ms, 50);
    const b = batches[1]!;
    assert.is(b.node, 'it-node');
    assert.is(b.collector, 'host');
    assert.ok(batches[0]!.meta?.['node_cpu_seconds_total'], 'the first batch describes its metrics');
    assert.ok(b.samples.some((s) => s.name === 'node_cpu_usage_ratio'), 'the second batch has the interval\'s CPU usage');
  } finally {
    await pipeline.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
