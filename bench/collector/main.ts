// CPU per collection interval and memory of the host collector beside collectd (Debian collectd-core: cpu, memory,
// df, interface, load, disk, csv; 1 s interval) and node_exporter (defaults; CPU per scrape, scraped once a second),
// all running side by side in one run. Our collector runs as it ships: `faultline collector host` (the lean
// bundle, collectors/host/bin/faultline-collector-host) on the shared Kafka broker with its edge spool; and, to
// split the collector's own cost from the bus's, as a bus-less child (host-child.ts: events encoded, then dropped)
// with and without the default 100 ms heartbeats, through the same launcher (same node flags and malloc settings).
// Memory floors, same flags: an empty node, and node with every module of the lean bundle loaded but nothing started.
// For reference, the same collector through the full CLI (runtime/cli via tsx), as it ran before the lean entry.
// CPU is summed over every thread from /proc/<pid>/task/*/schedstat (ns), after a warm-up.
// Heartbeat delay on Kafka: emit (Heartbeat.ts) → a consumer in this process, which bounds what linger adds.
// Targets: our CPU per interval ≤ collectd's; RSS ≤ 45 MB.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/collector/main.ts [--seconds 30]
// 2 cores shared with other engineers' builds and tests: the figures are noisy, compare ratios within one run.
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createKafkaBus, type Subscription } from '@faultline/runtime';
import { TOPICS, decode, type Heartbeat } from '@faultline/schemas';
import { bundleLean, bundleLeanCollector } from '../../collectors/host/lean/bundle.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '5' },
    'node-exporter-port': { type: 'string', default: process.env.FAULTLINE_BENCH_NODE_EXPORTER_PORT ?? '19119' },
  },
});
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const NE_PORT = Number(args['node-exporter-port']);
const BROKERS = [`127.0.0.1:${process.env.FAULTLINE_KAFKA_PORT ?? 19092}`];
const root = resolve(import.meta.dirname, '../..');
const LAUNCHER = join(root, 'collectors/host/bin/faultline-collector-host');
const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-collector-'));
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** CPU time of every thread of a process, in ns (schedstat: nanosecond run time; /proc/<pid>/stat has 10 ms ticks). */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]); } catch { /* thread ended */ }
  }
  return ns;
}

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024, fileMb: kb('RssFile') / 1024 };
}

/** Resolves once `readyText` shows in the process's stdout or stderr (or after 500 ms without one). */
function started(name: string, child: ChildProcess, readyText?: string): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    child.once('exit', (code) => fail(new Error(`${name} exited with ${code}: ${out.slice(-2000)}`)));
    const seen = (d: Buffer) => {
      out += d;
      if (readyText && out.includes(readyText)) ok();
    };
    child.stderr?.on('data', seen);
    child.stdout?.on('data', seen);
    if (!readyText) setTimeout(ok, 500);
  });
}

function pipelineFile(name: string, node: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `node: ${node}
data_dir: ${join(dir, `data-${name}`)}
bus:
  type: kafka
  kafka: { brokers: [${BROKERS.join(', ')}] }
collectors:
  host: { interval: 1s }
`);
  return file;
}

/**
 * Heartbeats of `node` on the broker, ms after the heartbeat's own ts: when the producer stamped the record
 * (the Kafka record timestamp, set as the batch is built: linger and the collector's own queueing) and when a
 * consumer here received it (plus the broker and this busy process).
 */
async function heartbeatDelays(node: string): Promise<{ delays: number[]; stamped: number[]; stop(): Promise<void> }> {
  const bus = createKafkaBus({
    brokers: BROKERS, client_id: 'bench-collector', compression: 'none', linger_ms: 0, batch_max_records: 1000,
    spool: { max_bytes: 1 << 20, clear_after_ms: 60_000 },
  });
  const delays: number[] = [];
  const stamped: number[] = [];
  let assigned!: () => void;
  const ready = new Promise<void>((r) => { assigned = r; });
  const sub: Subscription = await bus.subscribe({
    group: `bench-collector-${process.pid}-${Date.now()}`, topics: ['heartbeats'], from: 'latest',
    onAssign: async () => { assigned(); },
    onBatch: async (records) => {
      const now = Date.now();
      for (const r of records) {
        const d = decode(TOPICS.heartbeats.schema, r.headers, r.value);
        if (!d.ok || (d.value as Heartbeat).node !== node) continue;
        delays.push(now - (d.value as Heartbeat).ts);
        stamped.push(r.timestamp - (d.value as Heartbeat).ts);
      }
    },
  });
  await Promise.race([ready, sleep(30)]);
  return { delays, stamped, stop: async () => { await sub.stop(); await bus.stop(); } };
}

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))] ?? NaN;

async function main() {
  spawnSync(join(root, 'deploy/dev/svc'), ['kafka', 'start'], { stdio: 'ignore' }); // idempotent; never stopped here
  await bundleLeanCollector(join(root, 'collectors/host/dist/lean-bundle'));
  const child = join(dir, 'host-child.cjs');
  const loaded = join(dir, 'loaded-only.cjs');
  const empty = join(dir, 'empty.cjs');
  await bundleLean(join(import.meta.dirname, 'host-child.ts'), child);
  await bundleLean(join(import.meta.dirname, 'loaded-only.ts'), loaded);
  writeFileSync(empty, "process.stdout.write('ready\\n'); setInterval(() => {}, 2 ** 30);\n");
  const ticking = join(dir, 'ticking.cjs');
  writeFileSync(ticking, "process.stdout.write('ready\\n'); setInterval(() => {}, 100);\n");

  mkdirSync(join(dir, 'csv'));
  writeFileSync(join(dir, 'collectd.conf'), `
Hostname "bench"
FQDNLookup false
BaseDir "${dir}"
PIDFile "${dir}/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin cpu
LoadPlugin memory
LoadPlugin df
LoadPlugin interface
LoadPlugin load
LoadPlugin disk
LoadPlugin csv
<Plugin csv>
  DataDir "${dir}/csv"
  StoreRates false
</Plugin>
`);
  const leanNode = `bench-lean-${process.pid}`;
  const hb = await heartbeatDelays(leanNode);
  const io: SpawnOptions = { stdio: ['ignore', 'pipe', 'pipe'] };
  const viaLauncher = (entry: string, ...argv: string[]) => spawn(LAUNCHER, argv, { ...io, env: { ...process.env, FAULTLINE_LEAN_ENTRY: entry } });
  const children: Record<string, ChildProcess> = {
    collectd: spawn('collectd', ['-f', '-C', join(dir, 'collectd.conf')], io),
    node_exporter: spawn('prometheus-node-exporter', [`--web.listen-address=127.0.0.1:${NE_PORT}`], io),
    'collector host (Kafka, lean)': spawn(LAUNCHER, ['-c', pipelineFile('lean', leanNode)], io),
    'bus-less child': viaLauncher(child, JSON.stringify({ interval: '1s' })),
    'bus-less child, no heartbeats': viaLauncher(child, JSON.stringify({ interval: '1s', heartbeat: { enabled: false } })),
    'floor: node, lean bundle loaded': viaLauncher(loaded),
    'floor: node, empty': viaLauncher(empty),
    'floor: node, empty 100 ms timer': viaLauncher(ticking),
    'collector host (Kafka, full CLI)': spawn(process.execPath, [
      '--conditions=@faultline/source', '--import', join(root, 'node_modules/tsx/dist/loader.mjs'), join(root, 'runtime/cli/src/main.ts'),
      'collector', 'host', '-c', pipelineFile('full', `bench-full-${process.pid}`),
    ], io),
  };
  const READY: Record<string, string | undefined> = {
    'collector host (Kafka, lean)': 'started collector', 'collector host (Kafka, full CLI)': 'started collector',
    'bus-less child': 'ready', 'bus-less child, no heartbeats': 'ready', 'floor: node, lean bundle loaded': 'ready', 'floor: node, empty': 'ready',
    'floor: node, empty 100 ms timer': 'ready',
  };
  try {
    await Promise.all(Object.entries(children).map(([name, c]) => Promise.race([
      started(name, c, READY[name]),
      sleep(60).then(() => { throw new Error(`${name} did not start within 60 s`); }),
    ])));
    for (const c of Object.values(children)) c.removeAllListeners('exit');

    let scrapes = 0;
    let neSamples = 0;
    const scrape = async () => {
      const text = await (await fetch(`http://127.0.0.1:${NE_PORT}/metrics`)).text();
      neSamples = text.split('\n').filter((l) => l && !l.startsWith('#')).length;
      scrapes++;
    };
    const scrapeLoop = async (until: number) => { while (Date.now() < until) { await scrape(); await sleep(1); } };

    await scrapeLoop(Date.now() + WARMUP * 1000); // everyone warms up, node_exporter included
    scrapes = 0;
    hb.delays.length = 0;
    hb.stamped.length = 0;
    const cpu0 = Object.fromEntries(Object.entries(children).map(([k, c]) => [k, cpuNs(c.pid!)]));
    const t0 = Date.now();
    await scrapeLoop(t0 + SECONDS * 1000);
    const elapsedS = (Date.now() - t0) / 1000;
    const cpu1 = Object.fromEntries(Object.entries(children).map(([k, c]) => [k, cpuNs(c.pid!)]));
    const mem = Object.fromEntries(Object.entries(children).map(([k, c]) => [k, memory(c.pid!)]));
    const delays = [...hb.delays];
    const stamped = [...hb.stamped];
    await hb.stop();

    const counts: Record<string, { metrics: number; samples: number; heartbeats: number; bytes: number }> = {};
    for (const name of ['bus-less child', 'bus-less child, no heartbeats']) {
      const c = children[name]!;
      const line = new Promise<string>((ok) => { let out = ''; c.stdout!.on('data', (d) => { out += d; if (out.includes('}\n')) ok(out.slice(out.indexOf('{'))); }); });
      c.kill('SIGTERM');
      counts[name] = JSON.parse(await line);
    }

    const rows = Object.keys(children).map((name) => {
      const cpuMs = (cpu1[name]! - cpu0[name]!) / 1e6;
      return { name, cpuMsPerInterval: cpuMs / (name === 'node_exporter' ? scrapes : elapsedS), cpuPercent: (cpuMs / 1e3 / elapsedS) * 100, ...mem[name]! };
    });
    const row = (name: string) => rows.find((r) => r.name === name)!;
    const base = row('collectd');
    const ours = counts['bus-less child, no heartbeats']!;
    const samplesPerBatch = ours.samples / ours.metrics;

    console.log(`\nhost collector overhead, ${elapsedS.toFixed(1)} s measured after ${WARMUP} s warm-up; 1 s interval; node_exporter scraped ${scrapes}×`);
    console.log(`samples per interval: faultline ${samplesPerBatch.toFixed(0)}, node_exporter ${neSamples} (collectd writes its own value lists)\n`);
    console.log('process                             CPU ms/interval  CPU %  ×collectd   RSS MB  ×collectd  anon MB  file MB');
    for (const r of rows) {
      const cpu = [r.cpuMsPerInterval.toFixed(3), r.cpuPercent.toFixed(2), (r.cpuMsPerInterval / base.cpuMsPerInterval).toFixed(2)];
      console.log(`${r.name.padEnd(35)} ${cpu[0]!.padStart(15)} ${cpu[1]!.padStart(6)} ${cpu[2]!.padStart(10)} ${r.rssMb.toFixed(1).padStart(8)} ${(r.rssMb / base.rssMb).toFixed(1).padStart(10)} ${r.anonMb.toFixed(1).padStart(8)} ${r.fileMb.toFixed(1).padStart(8)}`);
    }
    const lean = row('collector host (Kafka, lean)');
    const bare = row('bus-less child, no heartbeats');
    const beating = row('bus-less child');
    const emptyNode = row('floor: node, empty');
    const loadedNode = row('floor: node, lean bundle loaded');
    const perBeatMs = (beating.cpuMsPerInterval - bare.cpuMsPerInterval) / 10;
    const perWakeupMs = (row('floor: node, empty 100 ms timer').cpuMsPerInterval - emptyNode.cpuMsPerInterval) / 10;
    const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log(`\ntarget CPU/interval ≤ collectd: bus-less ${met(bare.cpuMsPerInterval <= base.cpuMsPerInterval)} without heartbeats (${(bare.cpuMsPerInterval / base.cpuMsPerInterval).toFixed(2)}×), ${met(beating.cpuMsPerInterval <= base.cpuMsPerInterval)} with 10 heartbeats/s (${(beating.cpuMsPerInterval / base.cpuMsPerInterval).toFixed(2)}×; ${(perBeatMs * 1000).toFixed(0)} µs per heartbeat); on Kafka ${met(lean.cpuMsPerInterval <= base.cpuMsPerInterval)} (${(lean.cpuMsPerInterval / base.cpuMsPerInterval).toFixed(2)}×, producer included)`);
    console.log(`target RSS ≤ 45 MB: ${met(lean.rssMb <= 45)} on Kafka (${lean.rssMb.toFixed(1)} MB, ${(row('collector host (Kafka, full CLI)').rssMb / lean.rssMb).toFixed(1)}× less than the full CLI); bus-less ${met(beating.rssMb <= 45)} (${beating.rssMb.toFixed(1)} MB)`);
    console.log(`  floors, same flags: empty node ${emptyNode.rssMb.toFixed(1)} MB (file ${emptyNode.fileMb.toFixed(1)}), lean bundle loaded ${loadedNode.rssMb.toFixed(1)} MB (+${(loadedNode.rssMb - emptyNode.rssMb).toFixed(1)}), running on Kafka +${(lean.rssMb - loadedNode.rssMb).toFixed(1)}`);
    console.log(`per heartbeat: ${(perBeatMs * 1000).toFixed(0)} µs bus-less, of which an empty node's timer wakeup is ${(perWakeupMs * 1000).toFixed(0)} µs (the floor for 10 heartbeats/s: ${(perWakeupMs * 10).toFixed(2)} ms per interval); on Kafka the producer adds ${(lean.cpuMsPerInterval - beating.cpuMsPerInterval).toFixed(1)} ms per interval over the bus-less child (one produce request per heartbeat, linger_ms 5)`);
    console.log(`heartbeat on Kafka (linger_ms 5), ${delays.length} heartbeats: emit → record stamped by the producer p50 ${quantile(stamped, 0.5)} ms, p99 ${quantile(stamped, 0.99)} ms, max ${Math.max(...stamped)} ms; emit → a consumer here p50 ${quantile(delays, 0.5)} ms, p99 ${quantile(delays, 0.99)} ms, max ${Math.max(...delays)} ms`);
    console.log(`bytes on the bus per interval: ${(ours.bytes / ours.metrics / 1024).toFixed(1)} KiB without heartbeats`);

    const out = resolve(root, 'bench/results/collector.json');
    mkdirSync(resolve(root, 'bench/results'), { recursive: true });
    writeFileSync(out, JSON.stringify({
      date: new Date().toISOString(), seconds: elapsedS, warmup: WARMUP, interval_s: 1, node_exporter_scrapes: scrapes,
      samples_per_interval: { faultline: Math.round(samplesPerBatch), node_exporter: neSamples },
      processes: rows.map((r) => ({ ...r, cpu_ratio_vs_collectd: r.cpuMsPerInterval / base.cpuMsPerInterval, rss_ratio_vs_collectd: r.rssMb / base.rssMb })),
      heartbeat_cpu_us: perBeatMs * 1000,
      timer_wakeup_cpu_us: perWakeupMs * 1000,
      heartbeat_delay_ms: {
        stamped: { p50: quantile(stamped, 0.5), p99: quantile(stamped, 0.99), max: Math.max(...stamped) },
        consumed: { p50: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: Math.max(...delays) }, n: delays.length,
      },
      faultline_counts: counts,
      note: '2 shared cores; noisy. RSS counts the node binary\'s file-backed pages (shared between node processes); anon is private memory.',
    }, null, 2) + '\n');
    console.log(`\nwrote ${out}`);
  } finally {
    for (const c of Object.values(children)) if (c.exitCode === null) c.kill('SIGTERM');
    await sleep(0.5);
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
