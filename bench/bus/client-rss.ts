// What the Kafka client's option validators cost every faultline process in memory. @platformatic/kafka makes a
// validator for each of its 38 option shapes at load; upstream compiles them all there (ajv: generated code and
// the compiler's memory), patches/@platformatic__kafka*.patch compiles each on its first call, and the client calls them
// only with `strict: true`, which faultline never sets. Each figure is the RSS of a process measured side by side
// in this run with the patched package as installed ("lazy") and with every validator compiled right after the
// import ("all compiled"): the same work and memory as the unpatched package's load, so the ratio is the patch's
// (checked before the patch went in: the unpatched idle import was 100.3-100.6 MB, as "all compiled" is here).
//   1. node that only imports @platformatic/kafka, idle (plain node, no tsx);
//   2. `faultline run` (full CLI through tsx) on an embedded-bus pipeline: host collector, correlator, remediator
//      (dry run), Prometheus sink on a free port. No services needed.
// An empty node is the floor. Writes bench/results/bus-client-rss.json.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/bus/client-rss.ts [--runs 3]
// 2 cores shared with other engineers: the idle import's RSS moves by ~1 MB between runs, `faultline run`'s by up
// to ~15 MB (startup garbage; a full GC does not return it); compare medians within one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '3' }, settle: { type: 'string', default: '3' } } });
const RUNS = Number(args.runs);
const SETTLE_S = Number(args.settle);
const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'faultline-bench-client-rss-'));
const kafkaUrl = import.meta.resolve('@platformatic/kafka');
/** The installed package's store folder: its version, and its patch hash when patched. */
const PACKAGE = kafkaUrl.replace(/^.*\/\.pnpm\/([^/]+)\/.*$/, '$1');
const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/** A module that compiles every validator the client exports: what the unpatched package does as it loads. */
const COMPILE_ALL = `data:text/javascript,${encodeURIComponent(`
import * as kafka from ${JSON.stringify(kafkaUrl)};
let n = 0;
for (const [name, v] of Object.entries(kafka)) if (name.endsWith('Validator') && typeof v === 'function') { v({}); n++; }
process.stderr.write('compiled ' + n + ' validators\\n');
`)}`;
/** Lets the bench ask a child for a full GC (SIGUSR2): RSS without the garbage that startup left, which is noisy. */
const GC_ON_SIGNAL = `data:text/javascript,${encodeURIComponent(`
import v8 from 'node:v8'; import vm from 'node:vm';
v8.setFlagsFromString('--expose-gc'); const gc = vm.runInNewContext('gc');
process.on('SIGUSR2', () => { gc(); process.stderr.write('gc done, heap used ' + process.memoryUsage().heapUsed + '\\n'); });
`)}`;
const idleImport = (compileAll: boolean) => [
  '--import', GC_ON_SIGNAL, ...(compileAll ? ['--import', COMPILE_ALL] : []),
  '--input-type=module', '-e',
  `await import(${JSON.stringify(kafkaUrl)}); process.stdout.write('ready\\n'); setInterval(() => {}, 2 ** 30);`,
];

const pipeline = join(dir, 'pipeline.yaml');
writeFileSync(pipeline, `bus: { type: embedded }
data_dir: ${join(dir, 'data')}
collectors:
  host: { type: host, interval: 5s }
processors:
  correlator: { type: correlator, api: { enabled: false } }
  remediator: { type: remediator, rules_file: ${join(root, 'deploy/remediation/demo.yaml')}, dry_run: true }
sinks:
  prometheus: { type: prometheus, listen: '127.0.0.1:0' }
`);
const COMPONENTS = 4;
const faultlineRun = (compileAll: boolean) => [
  '--conditions=@faultline/source', '--import', join(root, 'node_modules/tsx/dist/loader.mjs'), '--import', GC_ON_SIGNAL,
  ...(compileAll ? ['--import', COMPILE_ALL] : []),
  join(root, 'runtime/cli/src/main.ts'), 'run', '-c', pipeline,
];

function memory(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, anonMb: kb('RssAnon') / 1024 };
}

/** Starts node with `argv`, waits until `ready(output)`, lets it settle, and returns its memory. */
async function measure(argv: string[], ready: (out: string) => boolean): Promise<{ rssMb: number; anonMb: number; afterGcMb: number; heapUsedMb: number; out: string }> {
  const child: ChildProcess = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: root });
  let out = '';
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready within 60 s: ${argv.join(' ')}\n${out.slice(-2000)}`)), 60_000);
      child.once('exit', (code) => { clearTimeout(timer); fail(new Error(`exited with ${code}: ${out.slice(-2000)}`)); });
      const seen = (d: Buffer) => { out += d; if (ready(out)) { clearTimeout(timer); ok(); } };
      child.stdout!.on('data', seen);
      child.stderr!.on('data', seen);
    });
    await sleep(SETTLE_S);
    const asRunning = memory(child.pid!);
    const collected = new Promise<void>((ok) => child.stderr!.on('data', () => { if (out.includes('gc done')) ok(); }));
    child.kill('SIGUSR2');
    await collected;
    await sleep(0.5);
    const heapUsedMb = Number(/gc done, heap used (\d+)/.exec(out)![1]) / 2 ** 20;
    return { ...asRunning, afterGcMb: memory(child.pid!).rssMb, heapUsedMb, out };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const isReady = (out: string) => out.includes('ready\n');
const pipelineStarted = (out: string) => (out.match(/started (collector|processor|sink) /g)?.length ?? 0) >= COMPONENTS;

interface Arm { name: string; argv: string[]; ready: (out: string) => boolean }
const ARMS: Arm[] = [
  { name: 'node, empty', argv: ['--import', GC_ON_SIGNAL, '-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 2 ** 30);"], ready: isReady },
  { name: 'import @platformatic/kafka, lazy', argv: idleImport(false), ready: isReady },
  { name: 'import @platformatic/kafka, all compiled', argv: idleImport(true), ready: isReady },
  { name: 'faultline run (embedded), lazy', argv: faultlineRun(false), ready: pipelineStarted },
  { name: 'faultline run (embedded), all compiled', argv: faultlineRun(true), ready: pipelineStarted },
];

try {
  const samples = new Map<string, { rssMb: number; anonMb: number; afterGcMb: number; heapUsedMb: number }[]>(ARMS.map((a) => [a.name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const arm of ARMS) {
      const m = await measure(arm.argv, arm.ready);
      if (arm.name.endsWith('all compiled') && !/compiled 3\d validators/.test(m.out)) throw new Error(`${arm.name}: ${m.out.slice(-500)}`);
      samples.get(arm.name)!.push(m);
    }
  }
  const rows = ARMS.map((a) => {
    const s = samples.get(a.name)!;
    const mid = (f: (x: (typeof s)[number]) => number) => Number(median(s.map(f)).toFixed(1));
    return { name: a.name, rssMb: mid((x) => x.rssMb), anonMb: mid((x) => x.anonMb), afterGcMb: mid((x) => x.afterGcMb), heapUsedMb: mid((x) => x.heapUsedMb), rssRunsMb: s.map((x) => Number(x.rssMb.toFixed(1))) };
  });
  const row = (name: string) => rows.find((r) => r.name === name)!;
  console.log(`RSS after ${SETTLE_S} s idle, then after a full GC; median of ${RUNS} runs each (${PACKAGE})\n`);
  console.log('process                                        RSS MB  anon MB  after GC: RSS MB  heap used MB   RSS of each run');
  for (const r of rows) console.log(`${r.name.padEnd(44)} ${r.rssMb.toFixed(1).padStart(8)} ${r.anonMb.toFixed(1).padStart(8)} ${r.afterGcMb.toFixed(1).padStart(17)} ${r.heapUsedMb.toFixed(1).padStart(13)}   ${r.rssRunsMb.join(' ')}`);
  const pairs = [['import @platformatic/kafka', 'import'], ['faultline run (embedded)', 'faultline run']] as const;
  const ratios: Record<string, { saved_mb: number; ratio: number; saved_after_gc_mb: number; ratio_after_gc: number; saved_heap_mb: number }> = {};
  console.log('');
  for (const [prefix, label] of pairs) {
    const lazy = row(`${prefix}, lazy`);
    const all = row(`${prefix}, all compiled`);
    const r = {
      saved_mb: Number((all.rssMb - lazy.rssMb).toFixed(1)), ratio: Number((lazy.rssMb / all.rssMb).toFixed(3)),
      saved_after_gc_mb: Number((all.afterGcMb - lazy.afterGcMb).toFixed(1)), ratio_after_gc: Number((lazy.afterGcMb / all.afterGcMb).toFixed(3)),
      saved_heap_mb: Number((all.heapUsedMb - lazy.heapUsedMb).toFixed(1)),
    };
    ratios[label] = r;
    console.log(`${label}: lazy ${lazy.rssMb.toFixed(1)} MB vs all compiled ${all.rssMb.toFixed(1)} MB: ${r.saved_mb} MB less (x${r.ratio.toFixed(2)}); after GC ${lazy.afterGcMb.toFixed(1)} vs ${all.afterGcMb.toFixed(1)} MB: ${r.saved_after_gc_mb} MB less (x${r.ratio_after_gc.toFixed(2)}); V8 heap ${r.saved_heap_mb} MB less`);
  }
  const out = resolve(root, 'bench/results/bus-client-rss.json');
  mkdirSync(resolve(root, 'bench/results'), { recursive: true });
  writeFileSync(out, JSON.stringify({
    date: new Date().toISOString(), runs: RUNS, settle_s: SETTLE_S, package: PACKAGE,
    processes: rows, ratios,
    note: '2 shared cores; RSS includes the node binary\'s file-backed pages. "all compiled" = every exported validator called once after the import, i.e. what the unpatched package compiles at load.',
  }, null, 2) + '\n');
  console.log(`\nwrote ${out}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
