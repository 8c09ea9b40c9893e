// Alarm state at scale: how much memory one correlator needs for N active alarms, and how long it takes to
// be back after a restart: restored from the compacted alarms.active topic (plus correlator.state).
//   source scripts/env.sh && node --expose-gc --conditions=@faultline/source --import tsx bench/alarm-state/main.ts [--alarms N] [--full]
// Default 200 000 alarms (~2 min); --full is the target: 1 000 000 alarms within 1 GiB RSS, restored in ≤ 10 s.
// Runs on a private broker (started and removed here) so the topics can have their real names.
// What is measured, each in a process of its own so no other state sits beside it:
// - a new owner's DurableState.assign from the topics without a group view, the embedded bus's path (new-owner.ts);
// - a real correlator (`faultline processor correlator`) restarted on the topics: time to /readyz and its RSS,
//   against the same correlator started on empty topics in the same run (what is process start, not restore).
// Baselines in the same run: a plain Map of the same ActiveAlarm objects (memory floor); the same topic read
// by Kafka's own ConsumerPerformance (JVM), by a @platformatic/kafka group consumer, and by readAll without
// decoding (the bus floor). Wall time AND process CPU time are printed: the machine has 2 cores, often shared,
// so wall figures depend on the load (printed too); compare ratios, not runs.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Consumer, FetchIsolationLevels } from '@platformatic/kafka';
import { Value } from '@sinclair/typebox/value';
import { createKafkaBus, type OutboundRecord } from '@faultline/runtime';
import { alarmKey, encode, type ActiveAlarm } from '@faultline/schemas';
import {
  CorrelatorConfigSchema, Engine, loadDefinitions, splitSnapshot, type CorrelatorConfig,
} from '@faultline/processor-correlator';
import { CorrelatorProcess, privateKafka } from '@faultline/test/support/alarm-service';
import { hostsFor, raiseOnBusyHosts } from './busy-hosts.js';

const { values: args } = parseArgs({ options: { alarms: { type: 'string' }, full: { type: 'boolean', default: false } } });
const N = Number(args.alarms ?? (args.full ? 1_000_000 : 200_000));
const HOSTS = hostsFor(N);
const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const { catalog } = loadDefinitions(Value.Default(CorrelatorConfigSchema, {}) as CorrelatorConfig);
const gc = () => { (globalThis as { gc?: () => void }).gc?.(); (globalThis as { gc?: () => void }).gc?.(); };
const rssMiB = () => { gc(); return process.memoryUsage().rss / 2 ** 20; };
const r1 = (x: number) => Math.round(x * 10) / 10;
const load = () => loadavg()[0]!.toFixed(1);

/** Wall and process CPU seconds of `f`. */
async function timed<T>(f: () => Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}
const fmt = (t: { wall: number; cpu: number }, n: number) =>
  `${t.wall.toFixed(1)} s wall (${Math.round(n / t.wall).toLocaleString()} /s), ${t.cpu.toFixed(1)} s CPU`;

// ---- memory -------------------------------------------------------------------------------------
const base = rssMiB();
const engine = new Engine({ catalog, id_seed: 'bench', event_log_size: 10_000 });
const t0 = performance.now();
raiseOnBusyHosts(engine, N, HOSTS);
const raiseMs = performance.now() - t0;
const engineMiB = rssMiB() - base;
const alarms = engine.query();
const rssWithEngine = rssMiB();
const plain = new Map<string, ActiveAlarm>(alarms.map((a) => [alarmKey(a.alarm), structuredClone(a)]));
const plainMiB = rssMiB() - rssWithEngine;
console.log(`alarm state benchmark: ${N.toLocaleString()} active alarms on ${HOSTS.toLocaleString()} hosts (shared 2-core machine, load ${load()})`);
console.log(`  raise ${N.toLocaleString()} alarms through the engine: ${(raiseMs / 1000).toFixed(1)} s (${Math.round(N / (raiseMs / 1000)).toLocaleString()} /s)`);
console.log(`  engine holding them: +${r1(engineMiB)} MiB RSS (${Math.round((engineMiB * 2 ** 20) / N)} B per alarm); process RSS ${r1(rssWithEngine)} MiB`);
console.log(`  baseline, a plain Map of the same ActiveAlarm objects: +${r1(plainMiB)} MiB → engine/plain ${(engineMiB / plainMiB).toFixed(2)}x`);
plain.clear();

// ---- restore and restart from the compacted topics ---------------------------------------------------
const kafka = await privateKafka();
const BROKER = kafka.brokers[0]!;
const dir = mkdtempSync(join(tmpdir(), 'bench-alarm-state-'));
const results: Record<string, number | string> = {};
/**
 * A correlator process on the private broker: seconds from spawn to /readyz, its RSS (MiB) once ready, and from
 * its log how long its group view took to catch up on alarms.active and its restore took after that.
 */
async function restart(name: string): Promise<{ ready_s: number; rss_mib: number; view_s: number; restore_s: number }> {
  const correlator = await CorrelatorProcess.create(name, dir, kafka.brokers);
  const t = performance.now();
  correlator.start();
  try {
    await correlator.ready(600_000);
    const ready = (performance.now() - t) / 1000;
    const status = readFileSync(`/proc/${correlator.child!.pid}/status`, 'utf8');
    const log = readFileSync(join(dir, `${name}.log`), 'utf8');
    const ms = (line: RegExp) => Number(line.exec(log)?.[1] ?? NaN) / 1000;
    return {
      ready_s: ready, rss_mib: Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024,
      view_s: ms(/group view caught up .*ms=(\d+)/), restore_s: ms(/state restored .*ms=(\d+)/),
    };
  } finally {
    await correlator.stop();
  }
}
try {
  const empty = await restart('bench-empty');
  console.log(`  baseline, a correlator started on empty topics: ready in ${empty.ready_s.toFixed(1)} s, RSS ${Math.round(empty.rss_mib)} MiB`);

  const bus = createKafkaBus({ brokers: kafka.brokers, client_id: 'bench-alarm-state', linger_ms: 20, batch_max_records: 5000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } } as never);
  const producer = bus.producer();
  const p0 = performance.now();
  const state = splitSnapshot(engine.snapshot(), new Set(alarms.map((a) => a.alarm.entity_instance_id.slice(5, a.alarm.entity_instance_id.indexOf('.')))));
  const records: OutboundRecord[] = [];
  const flush = async () => { await producer.send(records.splice(0)); };
  let valueBytes = 0;
  for (const a of alarms) {
    const e = encode('active_alarm', a);
    valueBytes += e.value.length;
    records.push({ topic: 'alarms.active', key: alarmKey(a.alarm), value: e.value, headers: e.headers });
    if (records.length >= 20_000) await flush();
  }
  let hostIndex = 0;
  for (const [node, s] of state.hosts) {
    const e = encode('engine_state', { node, partition: hostIndex++ % 6, state: s as never });
    records.push({ topic: 'correlator.state', key: node, value: e.value, headers: e.headers });
  }
  await flush();
  await producer.close();
  await bus.stop();
  const produceS = (performance.now() - p0) / 1000;
  console.log(`  wrote ${N.toLocaleString()} alarms.active (${Math.round(valueBytes / N)} B each, lz4) + ${state.hosts.size.toLocaleString()} correlator.state records in ${produceS.toFixed(1)} s`);

  // Baseline 1: Kafka's own consumer (JVM) reading the same topic: what the broker and the machine allow.
  const java = await run(resolve(ROOT, 'deploy/dev/kafka-run-class'), ['org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', BROKER, '--topic', 'alarms.active', '--messages', String(N), '--timeout', '120000'], { cwd: ROOT, timeout: 300_000 });
  const csv = java.stdout.trim().split('\n');
  const row = Object.fromEntries(csv[0]!.split(', ').map((k, i) => [k, csv[1]!.split(', ')[i]]));
  const javaS = (Date.parse(row['end.time']!.replace(/:(\d{3})$/, '.$1')) - Date.parse(row['start.time']!.replace(/:(\d{3})$/, '.$1'))) / 1000;
  console.log(`  baseline, Kafka ConsumerPerformance (JVM): ${row['data.consumed.in.nMsg']} records in ${javaS.toFixed(1)} s wall incl. its group join (${Math.round(Number(row['data.consumed.in.nMsg']) / javaS).toLocaleString()} /s)`);

  // Baseline 2: a @platformatic/kafka consumer in a throwaway group, counting messages.
  const group = await timed(async () => {
    const consumer = new Consumer({ clientId: 'bench-alarm-state', bootstrapBrokers: [BROKER], groupId: 'bench-alarm-state-g', isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: false, maxWaitTime: 200 });
    const stream = await consumer.consume({ topics: ['alarms.active'], mode: 'earliest', autocommit: false });
    let n = 0;
    await new Promise<void>((done) => { stream.on('data', () => { if (++n >= N) done(); }); });
    await stream.close();
    await consumer.close(true);
    return n;
  });
  console.log(`  baseline, a group consumer's message stream: ${group.value.toLocaleString()} records in ${fmt(group, N)}`);

  // The bus floor: readAll without decoding or building anything.
  const floor = await timed(async () => { let n = 0; for await (const r of kafka.bus.readAll('alarms.active')) if (r.value) n++; return n; });
  console.log(`  readAll, records only (raw Fetch): ${floor.value.toLocaleString()} records in ${fmt(floor, N)} → group consumer/readAll ${(group.wall / floor.wall).toFixed(1)}x`);

  // A new owner of all six input partitions, in a process of its own: DurableState.assign from the topics.
  const loadBefore = load();
  const child = await run(process.execPath, ['--expose-gc', '--conditions=@faultline/source', '--import', 'tsx', resolve(import.meta.dirname, 'new-owner.ts'), BROKER], { cwd: ROOT, timeout: 600_000 });
  const owner = JSON.parse(child.stdout.trim().split('\n').pop()!) as { restored: number; wall_s: number; cpu_s: number; heap_mib: number; rss_mib: number };
  console.log(`  a new owner's restore without a group view (DurableState.assign alone, the embedded bus's path, own process): ${owner.restored.toLocaleString()} alarms in ${fmt({ wall: owner.wall_s, cpu: owner.cpu_s }, N)}, +${r1(owner.heap_mib)} MiB heap (${Math.round((owner.heap_mib * 2 ** 20) / N)} B per alarm), RSS ${Math.round(owner.rss_mib)} MiB, load ${loadBefore}${owner.restored === N ? '' : '  <-- COUNT MISMATCH'}`);
  console.log(`    restore/readAll floor ${(owner.wall_s / floor.wall).toFixed(2)}x wall; restore/JVM read ${(owner.wall_s / javaS).toFixed(1)}x`);

  // The real thing: a correlator process restarted on these topics (its group follower, its restore, its API).
  const full = await restart('bench-restart');
  const restoreS = full.ready_s - empty.ready_s;
  console.log(`  a correlator restarted on ${N.toLocaleString()} active alarms: ready in ${full.ready_s.toFixed(1)} s (${restoreS.toFixed(1)} s more than on empty topics), RSS ${Math.round(full.rss_mib)} MiB (${Math.round(full.rss_mib - empty.rss_mib)} MiB more)`);
  console.log(`    its log: the group view caught up on alarms.active in ${full.view_s.toFixed(1)} s, then its restore (take from the view, tail read, engine) took ${full.restore_s.toFixed(1)} s`);
  const target = N >= 1_000_000
    ? `target (1 M): RSS ≤ 1024 MiB → ${full.rss_mib <= 1024 ? 'met' : 'MISSED'} (restarted correlator ${Math.round(full.rss_mib)} MiB), restore ≤ 10 s → ${restoreS <= 10 ? 'met' : 'MISSED'} (${restoreS.toFixed(1)} s; the new owner's assign alone ${owner.wall_s.toFixed(1)} s wall, ${owner.cpu_s.toFixed(1)} s CPU)`
    : 'run with --full for the 1 M target';
  console.log(`  ${target}`);
  Object.assign(results, {
    produce_s: r1(produceS), value_bytes: Math.round(valueBytes / N), java_read_s: r1(javaS), group_consumer_read_s: r1(group.wall),
    read_floor_s: r1(floor.wall), read_floor_cpu_s: r1(floor.cpu), restore_s: r1(owner.wall_s), restore_cpu_s: r1(owner.cpu_s),
    restored: owner.restored, restored_heap_mib: r1(owner.heap_mib), restored_bytes_per_alarm: Math.round((owner.heap_mib * 2 ** 20) / N),
    new_owner_rss_mib: Math.round(owner.rss_mib), restore_over_floor: Number((owner.wall_s / floor.wall).toFixed(2)), load_at_restore: loadBefore,
    correlator_empty_ready_s: r1(empty.ready_s), correlator_empty_rss_mib: Math.round(empty.rss_mib),
    correlator_restart_ready_s: r1(full.ready_s), correlator_restart_rss_mib: Math.round(full.rss_mib), correlator_restore_s: r1(restoreS),
    correlator_view_catch_up_s: r1(full.view_s), correlator_assign_s: r1(full.restore_s),
  });
} finally {
  await kafka.stop();
  rmSync(dir, { recursive: true, force: true });
}
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/alarm-state.json'), `${JSON.stringify({
  at: new Date().toISOString(), alarms: N, hosts: HOSTS,
  raise_s: r1(raiseMs / 1000), engine_mib: r1(engineMiB), bytes_per_alarm: Math.round((engineMiB * 2 ** 20) / N), process_rss_mib: r1(rssWithEngine),
  plain_map_mib: r1(plainMiB), engine_over_plain: Number((engineMiB / plainMiB).toFixed(2)), ...results,
}, null, 2)}\n`);
