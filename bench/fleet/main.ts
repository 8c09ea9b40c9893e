// Simulated fleet: `faultline simulate` into a PRIVATE Kafka broker, consumed by TWO correlator
// processes in one consumer group (`faultline processor correlator`), all real child processes.
// Prints samples/s offered (the simulator's own count) and correlated (the correlators' committed
// metric batches × series), consumer lag over time against one interval, and each process's CPU.
// Baseline in the same run: the offered rate, so "correlated / offered" is the ratio that matters.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/fleet/main.ts \
//     [--hosts 1000] [--series 500] [--interval 10s] [--duration 60s] [--simulators 1] [--heartbeat 1s|100ms|off] [--full]
// --full is the issue's target: 10,000 hosts × 500 series every 10 s = 500,000 samples/s, for 120 s,
// from two simulator processes (host ranges 0-4999 and 5000-9999: one Node thread cannot make it all).
// --heartbeat sets every host's heartbeat period (mtce's is 100ms); "off" measures the metrics path alone.
// --profile runs the correlators under --cpu-prof and prints where their CPU went (by function).
// The machine has 2 cores shared with other engineers (and here with the broker): figures are noisy.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { createKafkaBus, loadTopicSpecs, parseDuration } from '@faultline/runtime';

const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    series: { type: 'string', default: '500' },
    interval: { type: 'string', default: '10s' },
    duration: { type: 'string', default: '60s' },
    simulators: { type: 'string' },
    heartbeat: { type: 'string', default: '1s' },
    profile: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
  },
});
const hosts = Number(args.full ? 10_000 : args.hosts);
const series = Number(args.full ? 500 : args.series);
const intervalMs = parseDuration(args.interval);
const durationMs = parseDuration(args.full && args.duration === '60s' ? '120s' : args.duration);
const simulators = Number(args.simulators ?? (args.full ? 2 : 1));
const heartbeatPerS = args.heartbeat === 'off' ? 0 : hosts / (parseDuration(args.heartbeat) / 1000);
const offeredTarget = (hosts * series) / (intervalMs / 1000);
const batchesPerS = hosts / (intervalMs / 1000);
const TOKEN = 'fleet-bench-token-0123456789abcdef';

const freePort = () => new Promise<number>((done) => {
  const srv = createServer().listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => done(port)); });
});

// A private broker: its own dev dir and ports, the topics of deploy/kafka/topics.yaml (metrics: 6 partitions).
const work = mkdtempSync(join(tmpdir(), 'fl-fleet-'));
const kenv = {
  ...process.env, FAULTLINE_DEV_DIR: join(work, 'dev'),
  FAULTLINE_KAFKA_PORT: String(await freePort()), FAULTLINE_KAFKA_CONTROLLER_PORT: String(await freePort()),
  FAULTLINE_KAFKA_SASL_PORT: String(await freePort()), FAULTLINE_KAFKA_SSL_PORT: String(await freePort()),
};
const svc = (action: string) => run(resolve(ROOT, 'deploy/dev/svc'), ['kafka', action], { env: kenv, cwd: ROOT, timeout: 180_000 });
const brokers = [`127.0.0.1:${kenv.FAULTLINE_KAFKA_PORT}`];

/**
 * A child `faultline ...` with its log in the work dir. It runs in the work dir: `faultline simulate`
 * keeps its spool under the relative `.dev/simulator`, and a spool left by an earlier run would be
 * replayed into this run's broker.
 */
function child(name: string, argv: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const log = createWriteStream(join(work, `${name}.log`));
  const c = spawn(resolve(ROOT, 'faultline'), argv, { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'] });
  c.stdout!.pipe(log);
  c.stderr!.pipe(log);
  return c;
}

/** CPU seconds (user + system) of a process and all its descendants, from /proc. */
function treeCpuSeconds(pid: number): number {
  const parent = new Map<number, number>();
  const ticks = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(d), Number(f[1]));
      ticks.set(Number(d), Number(f[11]) + Number(f[12]));
    } catch { /* gone meanwhile */ }
  }
  let sum = 0;
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    sum += ticks.get(p) ?? 0;
    for (const [c, pp] of parent) if (pp === p) stack.push(c);
  }
  return sum / 100; // USER_HZ
}

/**
 * Busy self time of the process profiles in a --cpu-prof dir (idle and the VM's own "(program)" left
 * out), by source file and by function, largest first.
 */
function topFunctions(dir: string): { by_file: { file: string; percent: number }[]; by_function: { fn: string; percent: number }[] } {
  const byFile = new Map<string, number>();
  const byFn = new Map<string, number>();
  let busy = 0;
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.cpuprofile'))) {
    const prof = JSON.parse(readFileSync(join(dir, f), 'utf8')) as { nodes: { id: number; callFrame: { functionName: string; url: string } }[]; samples: number[] };
    const byId = new Map(prof.nodes.map((n) => [n.id, n.callFrame]));
    for (const id of prof.samples) {
      const cf = byId.get(id)!;
      if (cf.functionName === '(idle)' || cf.functionName === '(program)') continue;
      const file = cf.url ? cf.url.replace(/^file:\/\//, '').replace(/^.*\/node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?/, '').replace(`${ROOT}/`, '') : cf.functionName || '(native)';
      byFile.set(file, (byFile.get(file) ?? 0) + 1);
      const fn = `${cf.functionName || '(anonymous)'} ${file}`;
      byFn.set(fn, (byFn.get(fn) ?? 0) + 1);
      busy++;
    }
  }
  const top = <K extends string>(m: Map<string, number>, key: K) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => ({ [key]: k, percent: Math.round((n / busy) * 1000) / 10 }) as Record<K, string> & { percent: number });
  return { by_file: top(byFile, 'file'), by_function: top(byFn, 'fn') };
}

/** A correlator's committed metric batches, from its /metrics. */
async function correlatorFigures(port: number) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  let consumed = 0;
  let heartbeats = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('faultline_bus_records_consumed_total{')) continue;
    if (line.includes('topic="metrics"')) consumed += Number(line.split(' ').at(-1));
    if (line.includes('topic="heartbeats"')) heartbeats += Number(line.split(' ').at(-1));
  }
  return { consumed, heartbeats };
}

const say = (s: string) => process.stdout.write(`${s}\n`);
say(`fleet: ${hosts} hosts × ${series} series every ${intervalMs / 1000} s = ${Math.round(offeredTarget)} samples/s target, heartbeats ${args.heartbeat === 'off' ? 'off' : `every ${args.heartbeat} (${Math.round(heartbeatPerS)}/s)`}, ${simulators} simulator process(es), ${durationMs / 1000} s, work dir ${work}`);
await svc('start');
const bus = createKafkaBus({ brokers, client_id: 'fleet-bench', compression: 'lz4', linger_ms: 5, batch_max_records: 1000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } } as never);
await bus.ensureTopics(loadTopicSpecs(resolve(ROOT, 'deploy/kafka/topics.yaml')));
await bus.stop();

const ports = [await freePort(), await freePort()];
const correlators = ports.map((port, i) => {
  const file = join(work, `corr-${i}.yaml`);
  writeFileSync(file, [
    `node: fleet-corr-${i}`, `data_dir: ${join(work, `data-${i}`)}`,
    'bus:', '  type: kafka', '  kafka:', `    brokers: [${brokers.join(', ')}]`, `    client_id: fleet-corr-${i}`,
    'processors:', '  correlator:', '    type: correlator',
    '    api:', '      enabled: true', `      listen: 127.0.0.1:${port}`, `      tokens: [${TOKEN}]`, '',
  ].join('\n'));
  const prof = join(work, `prof-${i}`);
  return child(`corr-${i}`, ['processor', 'correlator', '-c', file], args.profile ? { ...process.env, NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${prof}` } : process.env);
});
for (const port of ports) {
  for (let t = Date.now(); ; await new Promise((r) => setTimeout(r, 300))) {
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) break;
    if (Date.now() - t > 120_000) throw new Error(`correlator on ${port} not ready`);
  }
}
// Disjoint host ranges, each with its own spool dir: together one fleet.
const share = Math.ceil(hosts / simulators);
const sims = Array.from({ length: simulators }, (_, i) => child(`simulator-${i}`, [
  'simulate', '--brokers', brokers.join(','), '--hosts', String(Math.min(share, hosts - i * share)), '--host-offset', String(i * share),
  '--series', String(series), '--interval', args.interval, '--heartbeat', args.heartbeat,
  '--duration', `${Math.round(durationMs / 1000)}s`, '--data-dir', join(work, `spool-${i}`),
]));
const simLogs = () => sims.map((_, i) => readFileSync(join(work, `simulator-${i}.log`), 'utf8'));

const kafkaPid = Number(readFileSync(join(kenv.FAULTLINE_DEV_DIR, 'kafka/kafka.pid'), 'utf8'));
const procs: Record<string, number> = {
  ...Object.fromEntries(sims.map((c, i) => [`simulator-${i}`, c.pid!])),
  'correlator-0': correlators[0]!.pid!, 'correlator-1': correlators[1]!.pid!, broker: kafkaPid,
};
const cpuNow = () => Object.fromEntries(Object.entries(procs).map(([n, pid]) => [n, treeCpuSeconds(pid)]));
// CPU is counted from the first point at which every simulator is simulating: a simulator's start
// (loading and compiling the CLI, several CPU-seconds) is not part of what a fleet costs.
let cpuFrom: { at: number; cpu: Record<string, number> } | undefined;
const t0 = Date.now();
const timeline: { t_s: number; correlated_per_s: number; heartbeats_per_s: number; lag_batches: number; lag_s: number }[] = [];
let lastConsumed = 0;
let lastBeats = 0;
let lastAt = t0;
while (Date.now() - t0 < durationMs) {
  await new Promise((r) => setTimeout(r, 5_000));
  const figs = await Promise.all(ports.map((p) => correlatorFigures(p).catch(() => ({ consumed: 0, heartbeats: 0 }))));
  const consumed = figs.reduce((n, f) => n + f.consumed, 0);
  const beats = figs.reduce((n, f) => n + f.heartbeats, 0);
  // Lag = batches the fleet's schedule has sent minus batches committed. (The bus's own
  // faultline_bus_consumer_lag_records gauge cannot be used: with transactional commits it grows with
  // the end offset, see the report.) The schedule starts when the simulator logs it is simulating.
  const now = Date.now();
  const starts = simLogs().map((log) => Date.parse(/^(\S+) INFO .*simulating a fleet/m.exec(log)?.[1] ?? ''));
  const simStart = Math.min(...starts);
  if (!cpuFrom && starts.every(Number.isFinite)) cpuFrom = { at: now, cpu: cpuNow() };
  const scheduled = Number.isFinite(simStart) ? Math.floor(Math.max(0, now - simStart) / 1000 * batchesPerS) : 0;
  const lagBatches = Math.max(0, scheduled - consumed);
  const point = {
    t_s: Math.round((now - t0) / 1000), correlated_per_s: Math.round(((consumed - lastConsumed) * series) / ((now - lastAt) / 1000)),
    heartbeats_per_s: Math.round((beats - lastBeats) / ((now - lastAt) / 1000)),
    lag_batches: lagBatches, lag_s: Math.round((lagBatches / batchesPerS) * 10) / 10,
  };
  timeline.push(point);
  lastConsumed = consumed;
  lastBeats = beats;
  lastAt = now;
  say(`  t=${point.t_s}s correlated ${point.correlated_per_s} samples/s and ${point.heartbeats_per_s} heartbeats/s, lag ${lagBatches} batches ≈ ${point.lag_s} s (interval ${intervalMs / 1000} s)`);
}
const wall = (Date.now() - t0) / 1000;
const cpuEnd = cpuNow();
const cpuWall = cpuFrom ? (Date.now() - cpuFrom.at) / 1000 : NaN;
const cpu = Object.fromEntries(Object.entries(procs).map(([n]) => [n, Math.round(((cpuEnd[n]! - (cpuFrom?.cpu[n] ?? NaN)) / cpuWall) * 100)]));

// Offered: each simulator's own reports (every 10 s), ignoring the first (ramp-up), summed over simulators.
const offeredBy = (log: string, field: string) => {
  const reports = [...log.matchAll(new RegExp(`${field}[=":]+(\\d+)`, 'g'))].map((m) => Number(m[1]));
  const steady = reports.slice(1);
  return steady.length ? steady.reduce((a, b) => a + b, 0) / steady.length : (reports[0] ?? 0);
};
const offered = Math.round(simLogs().reduce((n, log) => n + offeredBy(log, 'samples_per_s'), 0));
const heartbeatsOffered = Math.round(simLogs().reduce((n, log) => n + offeredBy(log, 'heartbeats_per_s'), 0));
// Steady state starts after the first point with correlated samples (before it: group join and
// the first fetch; that point itself is partial).
const firstFlow = timeline.findIndex((p) => p.correlated_per_s > 0);
const steadyPoints = firstFlow < 0 ? [] : timeline.slice(firstFlow + 1);
const correlated = steadyPoints.length ? Math.round(steadyPoints.reduce((n, p) => n + p.correlated_per_s, 0) / steadyPoints.length) : 0;
const maxLagS = Math.max(0, ...timeline.map((p) => p.lag_s));
// A simulator that could not deliver (its spool took the records, then dropped the oldest) is
// flagged: the lag then also counts records that never reached the broker.
const simulatorSpooled = simLogs().some((log) => log.includes('spooling to disk'));
const simulatorDropped = simLogs().some((log) => log.includes('dropping its oldest records'));
// CPU-seconds per million samples, by kind of process (heartbeats of the run included): what says how
// many cores the target needs whatever else shares the machine. Correlators per sample correlated,
// simulators and broker per sample offered.
const perMillion = (names: string[], rate: number) =>
  (rate ? Math.round((names.reduce((n, k) => n + (cpu[k] ?? 0), 0) / 100 / (rate / 1e6)) * 100) / 100 : NaN);
const costs = {
  simulators: perMillion(sims.map((_, i) => `simulator-${i}`), offered),
  correlators: perMillion(['correlator-0', 'correlator-1'], correlated),
  broker: perMillion(['broker'], offered),
};
const coresAt = (samplesPerS: number) => Math.round((costs.simulators + costs.correlators + costs.broker) * (samplesPerS / 1e6) * 10) / 10;
const coresAtTarget = coresAt(offeredTarget);
/** The issue's target, 10,000 hosts × 500 series / 10 s: a smaller run's costs (with the same heartbeat period) scale to it. */
const ISSUE_TARGET = 500_000;
const keptUp = maxLagS < intervalMs / 1000 && correlated >= 0.9 * offered;
const lastLagS = timeline.at(-1)?.lag_s ?? 0;

for (const c of [...sims, ...correlators]) c.kill('SIGTERM');
// A correlator writes its profile when it exits; a child that hangs in its drain (a simulator whose
// spool still holds records) is killed after 20 s, so the bench exits.
await Promise.all([...sims, ...correlators].map((c) => (c.exitCode === null ? new Promise((r) => {
  const kill = setTimeout(() => c.kill('SIGKILL'), 20_000);
  c.once('exit', () => { clearTimeout(kill); r(undefined); });
}) : undefined)));
await new Promise((r) => setTimeout(r, 2_000));
const profiles = args.profile ? correlators.map((_, i) => topFunctions(join(work, `prof-${i}`))) : undefined;
await svc('stop').catch(() => {});

const result = {
  at: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg_end: loadavg().map((x) => Math.round(x * 10) / 10) },
  hosts, series_per_host: series, interval_s: intervalMs / 1000, duration_s: Math.round(wall), simulators,
  heartbeat: args.heartbeat, heartbeats_target_per_s: Math.round(heartbeatPerS), heartbeats_offered_per_s: heartbeatsOffered,
  encoding: 'metric_batch 2.0 columnar',
  target_samples_per_s: Math.round(offeredTarget), offered_samples_per_s: offered, correlated_samples_per_s: correlated,
  correlated_over_offered: offered ? Math.round((correlated / offered) * 100) / 100 : 0,
  correlated_over_target: Math.round((correlated / offeredTarget) * 100) / 100,
  heartbeats_correlated_per_s: steadyPoints.length ? Math.round(steadyPoints.reduce((n, p) => n + p.heartbeats_per_s, 0) / steadyPoints.length) : 0,
  offered_over_target: Math.round((offered / offeredTarget) * 100) / 100,
  lag_max_s: maxLagS, lag_end_s: lastLagS, kept_up: keptUp,
  simulator_spooled: simulatorSpooled, simulator_spool_dropped: simulatorDropped,
  cpu_percent_of_one_core: cpu, cpu_seconds_per_million_samples: costs, cores_needed_at_target: coresAtTarget,
  cores_needed_over_cores: Math.round((coresAtTarget / cpus().length) * 100) / 100, cores_needed_at_500k: coresAt(ISSUE_TARGET), timeline, ...(profiles && { correlator_profiles: profiles }),
};
say(`\noffered ${offered} samples/s (${result.offered_over_target}× the ${Math.round(offeredTarget)} target; the simulators' own count) and ${heartbeatsOffered} heartbeats/s`);
say(`correlated ${correlated} samples/s by two correlators (${result.correlated_over_offered}× offered, ${result.correlated_over_target}× the target) and ${result.heartbeats_correlated_per_s} heartbeats/s`);
say(`consumer lag: max ${maxLagS} s, at the end ${lastLagS} s; kept up (lag under one interval of ${intervalMs / 1000} s and ≥ 0.9× offered correlated): ${keptUp ? 'yes' : 'NO'}`);
if (simulatorSpooled) say(`the simulator's producer timed out and spooled to disk${simulatorDropped ? ', then dropped its oldest records (spool full)' : ''}: its producer did not deliver the offered rate within the spool's ack deadline (compare its CPU with the broker's)`);
say(`CPU (% of one core): ${Object.entries(cpu).map(([n, v]) => `${n} ${v}%`).join(', ')}; load average at the end ${result.machine.loadavg_end.join(' ')} on ${cpus().length} cores (the broker shares them)`);
profiles?.forEach((top, i) => {
  say(`correlator-${i} CPU profile, busy self time (whole process life, start included) by file: ${top.by_file.slice(0, 10).map((x) => `${x.file} ${x.percent}%`).join(', ')}`);
  say(`  by function: ${top.by_function.slice(0, 10).map((x) => `${x.fn} ${x.percent}%`).join(', ')}`);
});
say(`CPU-seconds per million samples: simulators ${costs.simulators}, correlators ${costs.correlators}, broker ${costs.broker} → the target (${Math.round(offeredTarget)} samples/s) needs ${coresAtTarget} cores at these costs, ${result.cores_needed_over_cores}× the ${cpus().length} of this machine; the issue's 500,000 samples/s (with heartbeats every ${args.heartbeat}) would need ${coresAt(ISSUE_TARGET)}`);
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
const name = `${args.full ? 'fleet-full' : 'fleet'}${args.heartbeat === '1s' ? '' : `-heartbeat-${args.heartbeat}`}.json`;
writeFileSync(resolve(ROOT, 'bench/results', name), `${JSON.stringify(result, null, 2)}\n`);
say(`wrote bench/results/${name}`);
if (!process.env.FAULTLINE_KEEP) rmSync(work, { recursive: true, force: true });
