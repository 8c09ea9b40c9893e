// Rows/s through the ClickHouse sink beside a raw @clickhouse/client insert of the same rows, in the same run.
// The raw baseline inserts the rows already converted (JSONEachRow, one insert per bus batch); the sink gets the
// decoded envelopes of the same samples, one write per bus batch as the runtime calls it, and converts, batches
// and inserts them itself. Target: the sink ≥ 60 % of raw. Rounds alternate raw and sink to spread the noise.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/clickhouse/main.ts [--rows N] [--rounds N]
// ClickHouse is the shared dev server (deploy/dev/svc clickhouse start). 2 shared cores: the numbers are noisy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Envelope } from '@faultline/runtime';
import type { MetricBatch } from '@faultline/schemas';
import { ClickHouseSinkConfigSchema, clickhouseSink, toRows, type ClickHouseSinkConfig } from '@faultline/sink-clickhouse';

const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '200000' },
    rounds: { type: 'string', default: '3' },
    'bus-batch': { type: 'string', default: '1000' },
    url: { type: 'string', default: `http://127.0.0.1:${process.env.FAULTLINE_CLICKHOUSE_HTTP_PORT ?? 18123}` },
  },
});
const ROWS = Number(args.rows);
const ROUNDS = Number(args.rounds);
const BUS_BATCH = Number(args['bus-batch']);
const database = `fl_bench_${process.pid}`;

/** One host scrape of 40 samples: cpu seconds for 8 cores × 4 modes, load, memory, filesystem, network. */
function batch(node: string, ts: number): MetricBatch {
  const samples: MetricBatch['samples'] = [];
  for (let cpu = 0; cpu < 8; cpu++) {
    for (const mode of ['idle', 'user', 'system', 'iowait']) samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: ts / 997 });
  }
  samples.push(
    { name: 'node_load1', labels: {}, value: 0.42 },
    { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 3e9 },
    { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8e9 },
    { name: 'node_filesystem_avail_bytes', labels: { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }, value: 4e10 },
    { name: 'node_filesystem_size_bytes', labels: { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }, value: 1e11 },
    { name: 'node_network_receive_bytes_total', labels: { device: 'eth0' }, value: ts * 3 },
    { name: 'node_network_transmit_bytes_total', labels: { device: 'eth0' }, value: ts * 2 },
    { name: 'node_context_switches_total', labels: {}, value: ts },
  );
  return { node, collector: 'host', ts, interval_ms: 1000, samples };
}

/** Bus batches of decoded envelopes, each round with its own timestamps so no round replaces another's rows. */
function busBatches(round: number): Envelope[][] {
  const perBatch = batch('x', 0).samples.length;
  const envelopes: Envelope[] = [];
  const t0 = Date.UTC(2026, 10, 25) + round * 10_000_000;
  for (let i = 0; i * perBatch < ROWS; i++) {
    envelopes.push({ topic: 'metrics', key: null, value: batch(`compute-${i % 100}`, t0 + Math.floor(i / 100) * 1000), partition: 0, offset: String(i), timestamp: 0 });
  }
  const out: Envelope[][] = [];
  for (let i = 0; i < envelopes.length; i += BUS_BATCH) out.push(envelopes.slice(i, i + BUS_BATCH));
  return out;
}
const rowsOf = (batches: Envelope[][]) => batches.reduce((n, b) => n + b.reduce((m, e) => m + (e.value as MetricBatch).samples.length, 0), 0);

const admin = createClient({ url: args.url, log: { level: ClickHouseLogLevel.OFF } });
const raw = createClient({ url: args.url, database, log: { level: ClickHouseLogLevel.OFF } });
const config: ClickHouseSinkConfig = Value.Default(ClickHouseSinkConfigSchema, { url: args.url, database }) as ClickHouseSinkConfig;
const sink = clickhouseSink.create({ id: 'sinks.bench', node: 'bench', log: silentLogger, dataDir: '/tmp' }, config);

async function timeRaw(round: number): Promise<number> {
  // The baseline gets its rows ready-made: only the client's serialisation and the insert are timed.
  const prepared = busBatches(round).map((b) => toRows(b).metric_samples);
  const start = performance.now();
  for (const values of prepared) await raw.insert({ table: 'metric_samples_raw', values, format: 'JSONEachRow' });
  return performance.now() - start;
}

async function timeSink(round: number): Promise<number> {
  const batches = busBatches(round);
  const start = performance.now();
  for (const b of batches) await sink.write(b);
  return performance.now() - start;
}

try {
  await sink.start(); // creates the database and the tables (migrations)
  await raw.command({ query: 'CREATE TABLE IF NOT EXISTS metric_samples_raw AS metric_samples' });
  const rows = rowsOf(busBatches(0));
  const rawMs: number[] = [];
  const sinkMs: number[] = [];
  await timeRaw(100); // warm-up: connections, JIT, the server's first parts
  await timeSink(100);
  // Alternate which goes first: the tables grow and merge in the background, which slows later inserts.
  for (let r = 0; r < ROUNDS; r++) {
    if (r % 2 === 0) { rawMs.push(await timeRaw(r)); sinkMs.push(await timeSink(r)); }
    else { sinkMs.push(await timeSink(r)); rawMs.push(await timeRaw(r)); }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  // The sink's own CPU per row: envelopes → rows without any I/O.
  const convertBatches = busBatches(0);
  const convertStart = performance.now();
  for (const b of convertBatches) toRows(b);
  const convertUsPerRow = ((performance.now() - convertStart) * 1000) / rows;
  const rawRate = rows / (median(rawMs) / 1000);
  const sinkRate = rows / (median(sinkMs) / 1000);
  const ratio = sinkRate / rawRate;
  const [check] = await (await raw.query({ query: 'SELECT count() AS n FROM metric_samples FINAL', format: 'JSONEachRow' })).json<{ n: string }>();
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write([
    `ClickHouse sink vs raw @clickhouse/client insert: ${fmt(rows)} metric rows per round, ${ROUNDS} rounds, bus batches of ${BUS_BATCH} MetricBatches (${fmt(rows / Math.ceil(rows / 40 / BUS_BATCH))} rows)`,
    `  raw insert (rows prepared)    ${fmt(rawRate).padStart(10)} rows/s   median ${median(rawMs).toFixed(0)} ms  [${rawMs.map((m) => m.toFixed(0)).join(', ')}]`,
    `  sink write (envelopes → rows) ${fmt(sinkRate).padStart(10)} rows/s   median ${median(sinkMs).toFixed(0)} ms  [${sinkMs.map((m) => m.toFixed(0)).join(', ')}]`,
    `  ratio sink/raw ${(ratio * 100).toFixed(0)} % (target ≥ 60 %)   rows stored by the sink: ${fmt(Number(check!.n))}`,
    `  the sink's conversion alone (envelopes → rows, no I/O): ${convertUsPerRow.toFixed(2)} µs/row`,
    '  2 shared cores, ClickHouse on the same machine: the figures are noisy; compare the ratio, not the absolute rates.',
  ].join('\n') + '\n');
  const out = resolve(import.meta.dirname, '../results/clickhouse.json');
  mkdirSync(resolve(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify({
    at: new Date().toISOString(), rows_per_round: rows, rounds: ROUNDS, bus_batch: BUS_BATCH,
    raw: { rows_per_s: Math.round(rawRate), ms: rawMs }, sink: { rows_per_s: Math.round(sinkRate), ms: sinkMs }, ratio: Number(ratio.toFixed(3)),
    convert_us_per_row: Number(convertUsPerRow.toFixed(3)),
    target_ratio: 0.6,
  }, null, 2) + '\n');
} finally {
  await sink.stop();
  await admin.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await Promise.all([admin.close(), raw.close()]);
}
