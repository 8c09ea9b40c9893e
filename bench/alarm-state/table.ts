// The alarm table's own share of a restore: no Kafka, no decoding. N active alarms raised through an Engine
// (as bench/alarm-state/main.ts does), snapshotted and copied (a restore gets fresh objects from the decoder),
// then restored into fresh engines. Heap is measured with the restored alarms' objects still held by the
// snapshot, so "B per alarm" is what the table adds on top of the alarms themselves (Recs, key strings, indexes).
//   source scripts/env.sh && node --expose-gc --conditions=@faultline/source --import tsx bench/alarm-state/table.ts [--alarms N] [--rounds R]
// Default 1 000 000 alarms, 1 round (~1 min; --rounds 3 gives medians, ~2.5 min). Baseline in the same run: a
// plain Map key → ActiveAlarm built from the same snapshot (the floor any keyed restore pays). The machine has
// 2 cores shared with other engineers: wall figures are noisy (the load average is printed), process CPU less
// so; compare ratios, not runs. Before the change (commit 6d24878, load 0.8): restore 8.3-12.5 µs per alarm
// (keys rebuilt either way), 242 B per alarm, reconcileOperatorFlags 675 ms, clear(alarm_id, host) 450 ms.
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Value } from '@sinclair/typebox/value';
import { alarmKey, type ActiveAlarm } from '@faultline/schemas';
import {
  CorrelatorConfigSchema, Engine, loadDefinitions, newOutput, type CorrelatorConfig, type EngineSnapshot,
} from '@faultline/processor-correlator';
import { hostsFor, raiseOnBusyHosts } from './busy-hosts.js';

const { values: args } = parseArgs({ options: { alarms: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '1' } } });
const N = Number(args.alarms);
const ROUNDS = Number(args.rounds);
const HOSTS = hostsFor(N);
const ROOT = resolve(import.meta.dirname, '../..');
const { catalog } = loadDefinitions(Value.Default(CorrelatorConfigSchema, {}) as CorrelatorConfig);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');
const heap = () => { gc(); gc(); return process.memoryUsage().heapUsed; };
const load = () => loadavg()[0]!.toFixed(1);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function raised(): EngineSnapshot {
  const engine = new Engine({ catalog, id_seed: 'bench', event_log_size: 10_000 });
  raiseOnBusyHosts(engine, N, HOSTS);
  // Fresh objects and strings, as the decoder hands them over; the source engine is dropped.
  return structuredClone(engine.snapshot());
}

const t0 = performance.now();
const snap = raised();
const keys = snap.table.alarms.map((a) => alarmKey(a.alarm));
console.log(`alarm table restore: ${N.toLocaleString()} alarms on ${HOSTS.toLocaleString()} hosts, built in ${((performance.now() - t0) / 1000).toFixed(1)} s (shared 2-core machine, load ${load()})`);

interface Measure { us: number; cpu: number; bytes: number }
/**
 * Wall and process-CPU µs per alarm of `restore` (CPU counts V8's GC threads too, and depends less on the
 * other engineers' load), and heap bytes per alarm of what it built (kept alive until measured).
 */
function measure(restore: () => unknown): Measure {
  const before = heap();
  const c0 = process.cpuUsage();
  const t = performance.now();
  const held = restore();
  const us = ((performance.now() - t) * 1000) / N;
  const c = process.cpuUsage(c0);
  const bytes = (heap() - before) / N;
  if (held === undefined) throw new Error('nothing held');
  return { us, cpu: (c.user + c.system) / N, bytes };
}

const plainMap = () => { const m = new Map<string, ActiveAlarm>(); const a = snap.table.alarms; for (let i = 0; i < a.length; i++) m.set(keys[i]!, a[i]!); return m; };
const fresh = () => new Engine({ catalog, id_seed: 'restored' });
const variants: Record<string, () => unknown> = {
  'plain Map key → ActiveAlarm (floor)': plainMap,
  'Engine.restore(snapshot)': () => { const e = fresh(); e.restore(snap); return e; },
  'Engine.restore(snapshot, at, { alarmKeys })': () => { const e = fresh(); e.restore(snap, undefined, { alarmKeys: keys }); return e; },
};
const runs: Record<string, Measure[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) for (const [name, f] of Object.entries(variants)) runs[name]!.push(measure(f));

const floor = median(runs['plain Map key → ActiveAlarm (floor)']!.map((m) => m.us));
const floorCpu = median(runs['plain Map key → ActiveAlarm (floor)']!.map((m) => m.cpu));
const floorBytes = median(runs['plain Map key → ActiveAlarm (floor)']!.map((m) => m.bytes));
const results: Record<string, unknown> = {};
for (const [name, ms] of Object.entries(runs)) {
  const us = median(ms.map((m) => m.us));
  const cpu = median(ms.map((m) => m.cpu));
  const bytes = median(ms.map((m) => m.bytes));
  console.log(`  ${name.padEnd(44)} ${us.toFixed(2).padStart(6)} µs/alarm wall (first ${ms[0]!.us.toFixed(2)}), ${cpu.toFixed(2).padStart(6)} µs CPU, ${Math.round(bytes).toString().padStart(4)} B/alarm`
    + ` → ${(us / floor).toFixed(2)}x wall, ${(cpu / floorCpu).toFixed(2)}x CPU, ${(bytes / floorBytes).toFixed(2)}x heap of the floor`);
  results[name] = {
    us_per_alarm: Number(us.toFixed(3)), first_us_per_alarm: Number(ms[0]!.us.toFixed(3)), cpu_us_per_alarm: Number(cpu.toFixed(3)), bytes_per_alarm: Math.round(bytes),
  };
}

// What a group member does right after the restore, and the first operations that touch the lazy or dropped indexes.
const e = fresh();
e.restore(snap, undefined, { alarmKeys: keys });
const timedMs = (f: () => void) => { gc(); const t = performance.now(); f(); return performance.now() - t; };
const after: Record<string, number> = {
  'reconcileOperatorFlags (nothing in force)': timedMs(() => e.reconcileOperatorFlags(1_764_100_000_000, newOutput())),
  'first getByUuid': timedMs(() => e.getByUuid(snap.table.alarms[N - 1]!.alarm.uuid)),
  'next getByUuid': timedMs(() => e.getByUuid(snap.table.alarms[0]!.alarm.uuid)),
  'query({ alarm_id })': timedMs(() => e.query({ alarm_id: '700.110' })),
  'clear(alarm_id, host)': timedMs(() => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=h1', ts: 1_764_100_000_001 }, newOutput())),
  'setSuppressed(alarm_id)': timedMs(() => e.setSuppressed('700.106', true, 1_764_100_000_002, newOutput())),
  'reconcileOperatorFlags (a suppression in force)': timedMs(() => e.reconcileOperatorFlags(1_764_100_000_003, newOutput())),
};
for (const [name, ms] of Object.entries(after)) console.log(`  then ${name}: ${ms.toFixed(1)} ms`);

mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/alarm-table.json'), `${JSON.stringify({
  at: new Date().toISOString(), alarms: N, hosts: HOSTS, rounds: ROUNDS, load: load(), restore: results,
  after_restore_ms: Object.fromEntries(Object.entries(after).map(([k, v]) => [k, Number(v.toFixed(1))])),
}, null, 2)}\n`);
