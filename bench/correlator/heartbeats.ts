// Correlator CPU per heartbeat, in-process (no broker): the bare engine, the processor's handle()
// with its output encoded as the bus would (alarms, alarms.active, correlator.state), and as a
// baseline in the same run the same batches with the host's state record written on every beat
// (what handle() did before heartbeats persisted only meaningful changes). Then the tick cost when
// N hosts fall silent together (710.010), at two fleet sizes: linear, not quadratic, in N.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/correlator/heartbeats.ts [--hosts N] [--beats N] [--batch N]
// The hosts carry the threshold state of two host-collector batches each, so a state record is as
// large as a real host's. The machine has 2 cores shared with other engineers: figures are noisy;
// compare the ratios, not runs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import type { Heartbeat } from '@faultline/schemas';
import { silentLogger, toOutbound, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import {
  CorrelatorConfigSchema, DurableState, Engine, correlatorProcessor, loadDefinitions, newOutput, publishOutput,
  type Correlator, type CorrelatorConfig,
} from '@faultline/processor-correlator';
import { makeWorkload } from './workload.js';

const { values: args } = parseArgs({
  options: {
    hosts: { type: 'string', default: '1000' },
    beats: { type: 'string', default: '30' },
    batch: { type: 'string', default: '100' },
  },
});
const hosts = Number(args.hosts);
const beats = Number(args.beats);
const batchSize = Number(args.batch);
const PERIOD = 100;
const config = Value.Default(CorrelatorConfigSchema, {}) as CorrelatorConfig;
const { catalog, rules } = loadDefinitions(config);
const workload = makeWorkload(hosts, 2);
const node = (h: number) => `host-${h}`;

let records = 0;
/** What the bus does with an emitted record before it is produced: encode it. */
const emit: Emit = (topic, value, opts) => { toOutbound(topic, value as never, opts); records++; };
const env = <T extends Envelope['topic']>(topic: T, value: Envelope<T>['value'], key: string): Envelope =>
  ({ topic, key, value, partition: 0, offset: '0', timestamp: 0 }) as Envelope;
const metricEnvs = workload.batches.map((b) => env('metrics', b, b.node));
/** Round r of beats, every host once, in batches of `batchSize`. */
function beatBatches(r: number, t0: number): Envelope[][] {
  const out: Envelope[][] = [];
  for (let h = 0; h < hosts; h += batchSize) {
    const b: Envelope[] = [];
    for (let i = h; i < Math.min(hosts, h + batchSize); i++) {
      b.push(env('heartbeats', { node: node(i), boot_id: 'b1', seq: r + 1, ts: t0 + r * PERIOD, period_ms: PERIOD } satisfies Heartbeat, node(i)));
    }
    out.push(b);
  }
  return out;
}
const rounds = Array.from({ length: beats }, (_, r) => beatBatches(r, Date.now()));

interface Figure { beats: number; cpu_s: number; us_per_beat: number; records_per_beat: number }
function measure(run: (batch: Envelope[]) => void): Figure {
  for (const b of beatBatches(0, Date.now())) run(b); // first beat of every host: the record that must be written
  records = 0;
  const c0 = process.cpuUsage();
  for (const r of rounds) for (const b of r) run(b);
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  const n = hosts * beats;
  return { beats: n, cpu_s: round(cpu), us_per_beat: round((cpu * 1e6) / n), records_per_beat: round(records / n) };
}
const round = (x: number) => Math.round(x * 1000) / 1000;

function bareEngine(): Figure {
  const e = new Engine({ catalog, rules, id_seed: 'bench' });
  for (const m of metricEnvs) e.metrics(m.value as never, newOutput());
  return measure((batch) => {
    const out = newOutput();
    for (const b of batch) e.heartbeat(b.value as Heartbeat, out, Date.now());
  });
}

async function handleNow(): Promise<Figure> {
  const ctx: ProcessorContext = { id: 'processors.correlator', node: 'bench', log: silentLogger, dataDir: '/tmp', emit };
  const c = correlatorProcessor.create(ctx, config) as Correlator;
  await c.start();
  try {
    for (const m of metricEnvs) await c.handle([m], emit);
    return measure((batch) => { void c.handle(batch, emit); });
  } finally {
    await c.stop();
  }
}

/** handle()'s path with every beat's host touched, as before: its state record re-serialised and emitted per beat. */
function perBeatPersistence(): Figure {
  const e = new Engine({ catalog, rules, id_seed: 'bench' });
  const state = new DurableState(() => e, silentLogger);
  const handle = (batch: Envelope[]) => {
    const out = newOutput();
    const touched = state.noteBatch(batch);
    for (const b of batch) {
      if (b.topic === 'metrics') e.metrics(b.value as never, out, Date.now());
      else { e.heartbeat(b.value as Heartbeat, out, Date.now()); touched.add((b.value as Heartbeat).node); }
    }
    e.takeHeartbeatChanges();
    publishOutput(out, emit, catalog);
    state.persist(touched, out, emit);
  };
  for (const m of metricEnvs) handle([m]);
  return measure(handle);
}

/** One tick in which `n` hosts fall silent together (all past fail_after), on an engine of `n` hosts. */
function tickAllFailing(n: number): { hosts: number; cpu_ms: number; us_per_host: number } {
  const e = new Engine({ catalog, rules, id_seed: 'bench' });
  for (let i = 0; i < n; i++) e.heartbeat({ node: node(i), boot_id: 'b1', seq: 1, ts: 0, period_ms: PERIOD }, newOutput(), 0);
  e.tick(PERIOD * 6, newOutput()); // all degraded
  const c0 = process.cpuUsage();
  e.tick(PERIOD * 10, newOutput()); // all failing together: one 710.010, every host held
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  return { hosts: n, cpu_ms: round(ms), us_per_host: round((ms * 1000) / n) };
}

console.log(`heartbeat bench: ${hosts} hosts × ${beats} beats in batches of ${batchSize} (threshold state of 2 host-collector batches per host)`);
bareEngine(); // warm-up (JIT)
const engine = bareEngine();
const before = perBeatPersistence();
const now = await handleNow();
console.log('');
console.log('CPU per heartbeat (after each host\'s first beat)     µs/beat   state+alarm records/beat');
const line = (what: string, f: Figure) => console.log(`  ${what.padEnd(50)} ${f.us_per_beat.toFixed(2).padStart(7)}   ${f.records_per_beat.toFixed(2).padStart(6)}`);
line('engine.heartbeat alone', engine);
line('baseline: handle() path, state record every beat', before);
line('handle() now (record on meaningful change only)', now);
console.log(`  per-beat persistence / now: ${(before.us_per_beat / now.us_per_beat).toFixed(1)}x; now / bare engine: ${(now.us_per_beat / engine.us_per_beat).toFixed(1)}x`);
tickAllFailing(1000); // warm-up
const small = tickAllFailing(Math.max(100, Math.floor(hosts / 4)));
const large = tickAllFailing(hosts * 4);
console.log('');
console.log('one tick in which every host falls silent together (710.010, each host held)');
console.log(`  ${String(small.hosts).padStart(6)} hosts: ${small.cpu_ms.toFixed(1)} ms CPU (${small.us_per_host.toFixed(1)} µs/host)`);
console.log(`  ${String(large.hosts).padStart(6)} hosts: ${large.cpu_ms.toFixed(1)} ms CPU (${large.us_per_host.toFixed(1)} µs/host); per-host cost ratio ${(large.us_per_host / small.us_per_host).toFixed(2)}x for ${large.hosts / small.hosts}x the hosts (quadratic would be ${large.hosts / small.hosts}x)`);
console.log('\nnoise: 2 shared cores; other engineers\' processes run at the same time.');
const results = resolve(import.meta.dirname, '../results');
mkdirSync(results, { recursive: true });
writeFileSync(resolve(results, 'correlator-heartbeats.json'), `${JSON.stringify({
  at: new Date().toISOString(), hosts, beats, batch: batchSize, engine, per_beat_persistence: before, handle: now,
  ratio_before_over_now: round(before.us_per_beat / now.us_per_beat), tick_all_failing: [small, large],
}, null, 2)}\n`);
