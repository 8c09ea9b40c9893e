// Alarm state at scale: how much memory one correlator needs for N active alarms, and how long a new
// owner takes to restore them from the compacted alarms.active topic (plus correlator.state).
//   source scripts/env.sh && node --expose-gc --conditions=@faultline/source --import tsx bench/alarm-state/main.ts [--alarms N] [--full] [--broker host:port]
// Default 200 000 alarms (~1 min); --full is the target: 1 000 000 alarms within 1 GiB RSS, restored in ≤ 10 s.
// Runs on the shared broker (deploy/dev/svc kafka, 127.0.0.1:19092) in topics of its own, deleted at the end.
// Baselines in the same run: a plain Map of the same ActiveAlarm objects (memory floor); the same topic read
// by Kafka's own ConsumerPerformance (JVM), by a @platformatic/kafka group consumer (what readAll was), and by
// readAll without decoding (the bus floor). Wall time AND process CPU time are printed: the machine has 2 cores
// shared with other engineers, so wall figures depend on their load (printed too); compare ratios, not runs.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { Admin, Consumer, FetchIsolationLevels } from '@platformatic/kafka';
import { Value } from '@sinclair/typebox/value';
import { createKafkaBus, silentLogger, type OutboundRecord } from '@faultline/runtime';
import { alarmKey, encode, type ActiveAlarm } from '@faultline/schemas';
import {
  CorrelatorConfigSchema, DurableState, Engine, loadDefinitions, newOutput, splitSnapshot, type CorrelatorConfig,
} from '@faultline/processor-correlator';

const { values: args } = parseArgs({ options: { alarms: { type: 'string' }, full: { type: 'boolean', default: false }, broker: { type: 'string', default: '127.0.0.1:19092' } } });
const N = Number(args.alarms ?? (args.full ? 1_000_000 : 200_000));
const HOSTS = Math.max(1, Math.round(N / 200)); // 200 alarms per host: a busy edge node
const BROKER = args.broker!;
const ROOT = resolve(import.meta.dirname, '../..');
const run = promisify(execFile);
const { catalog } = loadDefinitions(Value.Default(CorrelatorConfigSchema, {}) as CorrelatorConfig);
const gc = () => { (globalThis as { gc?: () => void }).gc?.(); (globalThis as { gc?: () => void }).gc?.(); };
const rssMiB = () => { gc(); return process.memoryUsage().rss / 2 ** 20; };
const heapMiB = () => { gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
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
for (let i = 0; i < N; i += 10_000) {
  const out = newOutput();
  for (let j = i; j < Math.min(N, i + 10_000); j++) {
    engine.fault({
      op: 'set', alarm_id: j % 2 ? '700.110' : '700.106', ts: 1_764_000_000_000 + j, severity: 'major',
      entity_instance_id: j % 2 ? `host=h${j % HOSTS}.interface=eth${Math.floor(j / HOSTS)}` : `host=h${j % HOSTS}.disk=sd${Math.floor(j / HOSTS)}`,
    }, out);
  }
}
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

// ---- restore from the compacted topics ------------------------------------------------------------
await run(resolve(ROOT, 'deploy/dev/svc'), ['kafka', 'start'], { cwd: ROOT, timeout: 180_000 });
const prefix = `bench-alarm-state-${randomUUID().slice(0, 8)}`;
const topicOf = { 'alarms.active': `${prefix}.alarms.active`, 'correlator.state': `${prefix}.correlator.state` } as const;
const bus = createKafkaBus({ brokers: [BROKER], client_id: 'bench-alarm-state', compression: 'lz4', linger_ms: 20, batch_max_records: 5000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } });
const admin = new Admin({ clientId: 'bench-alarm-state', bootstrapBrokers: [BROKER] });
const results: Record<string, number | string> = {};
try {
  const compact = { 'cleanup.policy': 'compact' };
  await bus.ensureTopics([{ name: topicOf['alarms.active'], partitions: 3, config: compact }, { name: topicOf['correlator.state'], partitions: 6, config: compact }]);
  const producer = bus.producer();
  const p0 = performance.now();
  const state = splitSnapshot(engine.snapshot(), new Set(alarms.map((a) => a.alarm.entity_instance_id.slice(5, a.alarm.entity_instance_id.indexOf('.')))));
  const records: OutboundRecord[] = [];
  const flush = async () => { await producer.send(records.splice(0)); };
  let valueBytes = 0;
  for (const a of alarms) {
    const e = encode('active_alarm', a);
    valueBytes += e.value.length;
    records.push({ topic: topicOf['alarms.active'], key: alarmKey(a.alarm), value: e.value, headers: e.headers });
    if (records.length >= 20_000) await flush();
  }
  let hostIndex = 0;
  for (const [node, s] of state.hosts) {
    const e = encode('engine_state', { node, partition: hostIndex++ % 6, state: s as never });
    records.push({ topic: topicOf['correlator.state'], key: node, value: e.value, headers: e.headers });
  }
  await flush();
  await producer.close();
  const produceS = (performance.now() - p0) / 1000;
  console.log(`  wrote ${N.toLocaleString()} alarms.active (${Math.round(valueBytes / N)} B each, lz4) + ${state.hosts.size.toLocaleString()} correlator.state records in ${produceS.toFixed(1)} s`);

  // Baseline 1: Kafka's own consumer (JVM) reading the same topic: what the broker and the machine allow.
  const java = await run(resolve(ROOT, 'deploy/dev/kafka-run-class'), ['org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', BROKER, '--topic', topicOf['alarms.active'], '--messages', String(N), '--timeout', '120000'], { cwd: ROOT, timeout: 300_000 });
  const csv = java.stdout.trim().split('\n');
  const row = Object.fromEntries(csv[0]!.split(', ').map((k, i) => [k, csv[1]!.split(', ')[i]]));
  const javaS = (Date.parse(row['end.time']!.replace(/:(\d{3})$/, '.$1')) - Date.parse(row['start.time']!.replace(/:(\d{3})$/, '.$1'))) / 1000;
  console.log(`  baseline, Kafka ConsumerPerformance (JVM): ${row['data.consumed.in.nMsg']} records in ${javaS.toFixed(1)} s wall incl. its group join (${Math.round(Number(row['data.consumed.in.nMsg']) / javaS).toLocaleString()} /s)`);

  // Baseline 2: what readAll was: a @platformatic/kafka consumer in a throwaway group, counting messages.
  const group = await timed(async () => {
    const consumer = new Consumer({ clientId: 'bench-alarm-state', bootstrapBrokers: [BROKER], groupId: `${prefix}-g`, isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: false, maxWaitTime: 200 });
    const stream = await consumer.consume({ topics: [topicOf['alarms.active']], mode: 'earliest', autocommit: false });
    let n = 0;
    await new Promise<void>((done) => { stream.on('data', () => { if (++n >= N) done(); }); });
    await stream.close();
    await consumer.close(true);
    return n;
  });
  console.log(`  baseline, a group consumer's message stream (readAll before): ${group.value.toLocaleString()} records in ${fmt(group, N)}`);

  // The bus floor: readAll without decoding or building anything.
  const floor = await timed(async () => { let n = 0; for await (const r of bus.readAll(topicOf['alarms.active'])) if (r.value) n++; return n; });
  console.log(`  readAll, records only (raw Fetch): ${floor.value.toLocaleString()} records in ${fmt(floor, N)} → group consumer/readAll ${(group.wall / floor.wall).toFixed(1)}x`);

  // What a new owner of all six input partitions does: DurableState.assign, decoding and restoring.
  const fresh = new Engine({ catalog, id_seed: 'restored' });
  const durable = new DurableState(() => fresh, silentLogger);
  // Heap, not RSS: the freed baseline Map leaves RSS high, so an RSS delta here would hide the restored engine.
  const before = heapMiB();
  const loadBefore = load();
  const restore = await timed(() => durable.assign([0, 1, 2, 3, 4, 5].map((partition) => ({ topic: 'faults', partition })), (topic) => bus.readAll(topicOf[topic])));
  const restoredMiB = heapMiB() - before;
  const rssRestored = rssMiB();
  const ok = fresh.activeCount === N;
  console.log(`  full restore from the topics into a new engine: ${fresh.activeCount.toLocaleString()} alarms in ${fmt(restore, N)}, +${r1(restoredMiB)} MiB heap (${Math.round((restoredMiB * 2 ** 20) / N)} B per alarm), load ${loadBefore}${ok ? '' : '  <-- COUNT MISMATCH'}`);
  console.log(`    process RSS now ${Math.round(rssRestored)} MiB, holding both the raised and the restored engine`);
  console.log(`    restore/readAll floor ${(restore.wall / floor.wall).toFixed(2)}x wall; restore/JVM read ${(restore.wall / javaS).toFixed(1)}x`);
  const target = N >= 1_000_000
    ? `target (1 M): RSS ≤ 1024 MiB → ${rssWithEngine <= 1024 ? 'met' : 'MISSED'} (${Math.round(rssWithEngine)}), restore ≤ 10 s → ${restore.wall <= 10 ? 'met' : 'MISSED'} (${restore.wall.toFixed(1)} s wall, ${restore.cpu.toFixed(1)} s CPU)`
    : 'run with --full for the 1 M target';
  console.log(`  ${target}`);
  Object.assign(results, {
    produce_s: r1(produceS), value_bytes: Math.round(valueBytes / N), java_read_s: r1(javaS), group_consumer_read_s: r1(group.wall),
    read_floor_s: r1(floor.wall), read_floor_cpu_s: r1(floor.cpu), restore_s: r1(restore.wall), restore_cpu_s: r1(restore.cpu),
    restored: fresh.activeCount, restored_heap_mib: r1(restoredMiB), restored_bytes_per_alarm: Math.round((restoredMiB * 2 ** 20) / N), rss_after_restore_mib: Math.round(rssRestored), restore_over_floor: Number((restore.wall / floor.wall).toFixed(2)), load_at_restore: loadBefore,
  });
} finally {
  await bus.stop().catch(() => {});
  await admin.deleteTopics({ topics: Object.values(topicOf) }).catch(() => {});
  await admin.close().catch(() => {});
}
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/alarm-state.json'), `${JSON.stringify({
  at: new Date().toISOString(), alarms: N, hosts: HOSTS, broker: BROKER,
  raise_s: r1(raiseMs / 1000), engine_mib: r1(engineMiB), bytes_per_alarm: Math.round((engineMiB * 2 ** 20) / N), process_rss_mib: r1(rssWithEngine),
  plain_map_mib: r1(plainMiB), engine_over_plain: Number((engineMiB / plainMiB).toFixed(2)), ...results,
}, null, 2)}\n`);
