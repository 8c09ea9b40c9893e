// Scrape time of the Prometheus sink with 100,000 host series (plus 1,000 active alarms) beside a
// baseline measured in the same run: prom-client's own Registry holding the same series as Gauges, its
// `metrics()` being what a plain prom-client exporter does per scrape. Also: the time to take in the
// same samples again (steady state: every series exists) against gauge.set() per sample.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/prometheus/main.ts [--nodes N] [--scrapes N]
// Rounds alternate sink and baseline to spread the noise; 2 cores shared with other engineers: the numbers are noisy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { randomUUID } from 'node:crypto';
import { Gauge, Registry } from 'prom-client';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Envelope } from '@faultline/runtime';
import type { Alarm, AlarmTransition, MetricBatch } from '@faultline/schemas';
import { PrometheusSinkConfigSchema, createPrometheusSink, type PrometheusSinkConfig } from '@faultline/sink-prometheus';

const { values: args } = parseArgs({
  options: { nodes: { type: 'string', default: '100' }, scrapes: { type: 'string', default: '10' }, alarms: { type: 'string', default: '1000' } },
});
const NODES = Number(args.nodes);
const SCRAPES = Number(args.scrapes);
const ALARMS = Number(args.alarms);

const META: NonNullable<MetricBatch['meta']> = {
  node_cpu_seconds_total: { type: 'counter', unit: 'seconds', help: 'CPU time spent in each mode.' },
  node_network_receive_bytes_total: { type: 'counter', unit: 'bytes', help: 'Bytes received.' },
  node_network_transmit_bytes_total: { type: 'counter', unit: 'bytes', help: 'Bytes sent.' },
  node_disk_read_bytes_total: { type: 'counter', unit: 'bytes', help: 'Bytes read.' },
  node_disk_written_bytes_total: { type: 'counter', unit: 'bytes', help: 'Bytes written.' },
  node_filesystem_avail_bytes: { type: 'gauge', unit: 'bytes', help: 'Space available.' },
  node_hwmon_temp_celsius: { type: 'gauge', unit: 'celsius', help: 'Sensor temperature.' },
};

/** 1,000 series per node: 32 cpus × 8 modes, 64 interfaces × 2, 64 disks × 2, 256 filesystems, 232 sensors. */
function hostBatch(node: string, tick: number): MetricBatch {
  const samples: MetricBatch['samples'] = [];
  for (let cpu = 0; cpu < 32; cpu++) {
    for (const mode of ['idle', 'user', 'system', 'iowait', 'irq', 'softirq', 'steal', 'nice']) {
      samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: 1000 + tick + cpu });
    }
  }
  for (let i = 0; i < 64; i++) {
    samples.push({ name: 'node_network_receive_bytes_total', labels: { device: `eth${i}` }, value: 1e9 + tick * 1500 });
    samples.push({ name: 'node_network_transmit_bytes_total', labels: { device: `eth${i}` }, value: 2e9 + tick * 1500 });
    samples.push({ name: 'node_disk_read_bytes_total', labels: { device: `sd${i}` }, value: 3e9 + tick * 4096 });
    samples.push({ name: 'node_disk_written_bytes_total', labels: { device: `sd${i}` }, value: 4e9 + tick * 4096 });
  }
  for (let i = 0; i < 256; i++) samples.push({ name: 'node_filesystem_avail_bytes', labels: { device: `/dev/vd${i}`, mountpoint: `/srv/${i}` }, value: 5e10 - tick });
  for (let i = 0; i < 232; i++) samples.push({ name: 'node_hwmon_temp_celsius', labels: { chip: `chip${i >> 3}`, sensor: `temp${i & 7}` }, value: 40 + (i % 20) });
  return { node, collector: 'host', ts: Date.now(), interval_ms: 1000, samples, meta: META };
}

function alarm(i: number): Alarm {
  const now = Date.now();
  return {
    uuid: randomUUID(), alarm_id: '700.104', entity_type_id: 'host.filesystem', entity_instance_id: `host=node-${i % NODES}.filesystem=/srv/${i}`,
    severity: i % 3 ? 'major' : 'critical', reason_text: 'Filesystem usage high', alarm_type: 'operational-violation',
    probable_cause: 'storage-capacity-problem', proposed_repair_action: 'Free space', service_affecting: false,
    suppression_allowed: true, state: 'active', raised_at: now, updated_at: now, inhibited: false, suppressed: false,
    silenced_by: [], flapping: false, source: 'threshold', labels: {},
  };
}

const env = (topic: 'metrics' | 'alarms', value: unknown): Envelope => ({ topic, key: null, value, partition: 0, offset: '0', timestamp: 0 }) as Envelope;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
// A full GC before each timed step, so one side does not pay for the garbage the other left
// (the heap holds both registries: ~700 MB; a major GC inside a step costs hundreds of ms).
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const time = async (fn: () => unknown) => { gc(); const t = performance.now(); await fn(); return performance.now() - t; };

// ---------------------------------------------------------------- the sink
const config = Value.Default(PrometheusSinkConfigSchema, { listen: '127.0.0.1:0', pipeline_metrics: false }) as PrometheusSinkConfig;
const sink = createPrometheusSink({ id: 'sinks.prometheus', node: 'bench', log: silentLogger, dataDir: '/tmp' }, config);
const batches = (tick: number) => Array.from({ length: NODES }, (_, n) => env('metrics', hostBatch(`node-${n}`, tick)));
const alarms: AlarmTransition[] = Array.from({ length: ALARMS }, (_, i) => ({ uuid: randomUUID(), at: Date.now(), kind: 'raised', seq: 1, alarm: alarm(i) }));
await sink.write(batches(0));
await sink.write(alarms.map((t) => env('alarms', t)));

// ---------------------------------------------------------------- the baseline: prom-client Gauges
const baseline = new Registry();
const gauges = new Map<string, Gauge>();
const gaugeOf = (name: string, labelNames: string[], help: string) => {
  let g = gauges.get(name);
  if (!g) gauges.set(name, (g = new Gauge({ name, help, labelNames, registers: [baseline] })));
  return g;
};
function baselineIngest(b: MetricBatch) {
  for (const s of b.samples) {
    const labels = { node: b.node, ...s.labels };
    gaugeOf(s.name, Object.keys(labels), b.meta?.[s.name]?.help ?? s.name).set(labels, s.value);
  }
}
for (const e of batches(0)) baselineIngest(e.value as MetricBatch);
const alarmGauge = gaugeOf('faultline_alarm_active', ['alarm_id', 'entity_instance_id', 'severity', 'alarm_type', 'probable_cause', 'service_affecting', 'node'], 'Active alarms.');
for (const t of alarms) {
  if (t.kind === 'cleared_all') continue;
  const a = t.alarm;
  alarmGauge.set({ alarm_id: a.alarm_id, entity_instance_id: a.entity_instance_id, severity: a.severity, alarm_type: a.alarm_type,
    probable_cause: a.probable_cause, service_affecting: String(a.service_affecting), node: a.entity_instance_id.split('.')[0]!.slice(5) }, 1);
}

// ---------------------------------------------------------------- check both expose the same series
const sampleLines = (text: string, prefix: RegExp) => text.split('\n').filter((l) => l && !l.startsWith('#') && prefix.test(l)).length;
const sinkText = await sink.exposition();
const baseText = await baseline.metrics();
const hostRe = /^node_/;
const series = { sink: sampleLines(sinkText, hostRe), baseline: sampleLines(baseText, hostRe) };
if (series.sink !== series.baseline || series.sink !== NODES * 1000) throw new Error(`series differ: ${JSON.stringify(series)}`);

// ---------------------------------------------------------------- scrapes and ingest, alternating
const scrape = { sink: [] as number[], baseline: [] as number[], http: [] as number[], httpGzip: [] as number[] };
const ingest = { sink: [] as number[], baseline: [] as number[] };
await sink.start();
for (let i = 0; i < SCRAPES; i++) {
  // byteLength makes both flat strings: the sink's text is a rope until it is written out.
  scrape.sink.push(await time(async () => Buffer.byteLength(await sink.exposition())));
  scrape.baseline.push(await time(async () => Buffer.byteLength(await baseline.metrics())));
  scrape.http.push(await time(async () => (await fetch(sink.url, { headers: { 'accept-encoding': 'identity' } })).text()));
  scrape.httpGzip.push(await time(async () => {
    const res = await fetch(sink.url, { headers: { 'accept-encoding': 'gzip' } });
    await res.arrayBuffer();
  }));
  if (i < 3) {
    const next = batches(i + 1);
    ingest.sink.push(await time(() => sink.write(next)));
    ingest.baseline.push(await time(() => { for (const e of next) baselineIngest(e.value as MetricBatch); }));
  }
}
await sink.stop();
const gzipBytes = gzipSync(sinkText, { level: 1 }).length; // what the sink sends when gzip is asked for

const result = {
  at: new Date().toISOString(),
  host_series: NODES * 1000,
  active_alarms: ALARMS,
  exposition_bytes: { sink: Buffer.byteLength(sinkText), sink_gzip: gzipBytes, baseline: Buffer.byteLength(baseText) },
  scrape_ms_median: {
    sink: +median(scrape.sink).toFixed(1), sink_over_http: +median(scrape.http).toFixed(1),
    sink_over_http_gzip: +median(scrape.httpGzip).toFixed(1), baseline: +median(scrape.baseline).toFixed(1),
  },
  scrape_speedup: +(median(scrape.baseline) / median(scrape.sink)).toFixed(2),
  ingest_ms_median_per_100k_samples: { sink: +median(ingest.sink).toFixed(1), baseline: +median(ingest.baseline).toFixed(1) },
  ingest_speedup: +(median(ingest.baseline) / median(ingest.sink)).toFixed(2),
  scrapes: SCRAPES,
  note: '2 shared cores; medians of alternating rounds; noisy',
};
console.log(`Prometheus sink, ${result.host_series} host series + ${ALARMS} alarms (${(result.exposition_bytes.sink / 1e6).toFixed(1)} MB exposition)`);
console.log(`  scrape (render)  sink ${result.scrape_ms_median.sink} ms   prom-client Registry ${result.scrape_ms_median.baseline} ms   → ${result.scrape_speedup}x faster`);
console.log(`  scrape over HTTP sink ${result.scrape_ms_median.sink_over_http} ms plain, ${result.scrape_ms_median.sink_over_http_gzip} ms gzip (${(gzipBytes / 1e6).toFixed(2)} MB), whole body on loopback`);
console.log(`  ingest 100k samples  sink ${result.ingest_ms_median_per_100k_samples.sink} ms   gauge.set() ${result.ingest_ms_median_per_100k_samples.baseline} ms   → ${result.ingest_speedup}x`);
console.log('  (2 shared cores: noisy; medians of alternating rounds)');
const out = resolve(import.meta.dirname, '../results');
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, 'prometheus.json'), JSON.stringify(result, null, 2) + '\n');
