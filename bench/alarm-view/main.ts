// The scale-out view (docs/alarm-api.md): what it costs a correlator member to follow the whole group's
// alarms.active. Catch-up: how long Bus.follow + decode + AlarmView take to read N active alarms, beside readAll
// of the same topic without decoding (the bus floor, the restore path). Memory: heap held by the view per alarm.
// Live: from the producer's send of one alarm to the follower holding it, beside the send's own acknowledgement.
//   source scripts/env.sh && node --expose-gc --conditions=@faultline/source --import tsx bench/alarm-view/main.ts [--alarms N] [--broker host:port]
// Default 100 000 alarms (~30 s). Runs on the shared broker in a topic of its own, deleted at the end. The machine
// has 2 cores shared with other engineers: wall figures move with their load (printed); compare the ratios.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Admin } from '@platformatic/kafka';
import { createKafkaBus } from '@faultline/runtime';
import { TOPICS, alarmKey, decode, encode, type ActiveAlarm } from '@faultline/schemas';
import { AlarmView, BUILTIN_CATALOG, Engine, loadCatalogFile, newOutput } from '@faultline/processor-correlator';

const { values: args } = parseArgs({ options: { alarms: { type: 'string' }, broker: { type: 'string', default: '127.0.0.1:19092' } } });
const N = Number(args.alarms ?? 100_000);
const LIVE = 200;
const BROKER = args.broker!;
const ROOT = resolve(import.meta.dirname, '../..');
const gc = () => { (globalThis as { gc?: () => void }).gc?.(); (globalThis as { gc?: () => void }).gc?.(); };
const heapMiB = () => { gc(); return process.memoryUsage().heapUsed / 2 ** 20; };
const r1 = (x: number) => Math.round(x * 10) / 10;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** N distinct active alarms as a correlator stores them: one raised by a real engine, copied per entity. */
function alarms(n: number, tag: string): ActiveAlarm[] {
  const e = new Engine({ catalog: loadCatalogFile(BUILTIN_CATALOG).catalog, id_seed: 'bench' });
  e.fault({ op: 'set', alarm_id: '700.110', entity_instance_id: 'host=h.interface=eth0', ts: Date.now() }, newOutput());
  const one = e.query()[0]!;
  return Array.from({ length: n }, (_, i) => ({
    ...one, alarm: { ...one.alarm, uuid: randomUUID(), entity_instance_id: `host=${tag}-h${Math.floor(i / 100)}.interface=eth${i % 100}` },
  }));
}

if (!(globalThis as { gc?: unknown }).gc) console.log('  (run with node --expose-gc for the memory figure)');
const topic = `bench-alarm-view-${Date.now()}`;
const bus = createKafkaBus({ brokers: [BROKER], client_id: 'bench-alarm-view', compression: 'lz4', linger_ms: 2, batch_max_records: 5000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } });
const admin = new Admin({ clientId: 'bench-alarm-view', bootstrapBrokers: [BROKER] });
const results: Record<string, number | string> = { alarms: N, load_before: loadavg()[0]!.toFixed(1) };
try {
  await bus.ensureTopics([{ name: topic, partitions: 3, config: { 'cleanup.policy': 'compact' } }]);
  const producer = bus.producer();
  const all = alarms(N, 'b');
  for (let i = 0; i < all.length; i += 5000) {
    await producer.send(all.slice(i, i + 5000).map((a) => {
      const enc = encode('active_alarm', a);
      return { topic, key: alarmKey(a.alarm), value: enc.value, headers: enc.headers };
    }));
  }
  console.log(`  wrote ${N.toLocaleString()} alarms to ${topic} (3 partitions)`);

  // Baseline: the same topic read to its end without decoding (what a restore pays for the bytes alone).
  let t0 = performance.now();
  let raw = 0;
  for await (const _ of bus.readAll(topic)) raw++;
  const readAllS = (performance.now() - t0) / 1000;

  const before = heapMiB();
  const view = new AlarmView(0);
  /** Live phase: when each fresh alarm was sent, and how long until the view held it. */
  const sentAt = new Map<string, number>();
  const lag = new Map<string, number>();
  let bad = 0;
  t0 = performance.now();
  const follower = await bus.follow!({
    topics: [topic],
    onRecords: (records) => {
      for (const r of records) {
        if (r.key === null) continue;
        if (r.value === null) { view.applyActive(r.key, null); continue; }
        const d = decode(TOPICS['alarms.active'].schema, r.headers, r.value);
        if (!d.ok) { bad++; continue; }
        view.applyActive(r.key, d.value);
        const sent = sentAt.get(r.key);
        if (sent !== undefined && !lag.has(r.key)) lag.set(r.key, performance.now() - sent);
      }
    },
  });
  await follower.caughtUp;
  const followS = (performance.now() - t0) / 1000;
  const viewMiB = heapMiB() - before;
  console.log(`  catch-up: follow + decode + view ${followS.toFixed(2)} s for ${view.activeCount.toLocaleString()} alarms (${bad} bad), `
    + `readAll without decoding ${readAllS.toFixed(2)} s (${raw.toLocaleString()} records): ratio ${(followS / readAllS).toFixed(2)}`);
  console.log(`  memory: the view holds ${r1(viewMiB)} MiB of heap, ${Math.round((viewMiB * 2 ** 20) / N)} bytes per alarm`);

  // Live: one alarm at a time; the send's acknowledgement is the baseline, the view's holding it the figure.
  const acks: number[] = [];
  const fresh = alarms(LIVE, 'live');
  for (const a of fresh) {
    const key = alarmKey(a.alarm);
    const enc = encode('active_alarm', a);
    const s0 = performance.now();
    sentAt.set(key, s0);
    await producer.send([{ topic, key, value: enc.value, headers: enc.headers }]);
    acks.push(performance.now() - s0);
    const deadline = Date.now() + 10_000;
    while (!lag.has(key) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  }
  const lags = [...lag.values()];
  console.log(`  live: send → in the view p50 ${pct(lags, 0.5).toFixed(1)} ms, p99 ${pct(lags, 0.99).toFixed(1)} ms (${lags.length}/${LIVE}); `
    + `send acknowledged p50 ${pct(acks, 0.5).toFixed(1)} ms, p99 ${pct(acks, 0.99).toFixed(1)} ms: ratio p50 ${(pct(lags, 0.5) / pct(acks, 0.5)).toFixed(1)}`);
  Object.assign(results, {
    follow_catch_up_s: Number(followS.toFixed(2)), read_all_s: Number(readAllS.toFixed(2)), follow_over_read_all: Number((followS / readAllS).toFixed(2)),
    view_heap_mib: r1(viewMiB), view_bytes_per_alarm: Math.round((viewMiB * 2 ** 20) / N),
    live_p50_ms: r1(pct(lags, 0.5)), live_p99_ms: r1(pct(lags, 0.99)), live_seen: lags.length,
    send_ack_p50_ms: r1(pct(acks, 0.5)), send_ack_p99_ms: r1(pct(acks, 0.99)),
    load_after: loadavg()[0]!.toFixed(1),
  });
  await follower.stop();
  await producer.close();
} finally {
  await admin.deleteTopics({ topics: [topic] }).catch(() => {});
  await admin.close().catch(() => {});
  await bus.stop();
}
console.log(`  load average ${results.load_before} → ${results.load_after} on 2 shared cores: wall times are noisy, ratios less so`);
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/alarm-view.json'), `${JSON.stringify({ at: new Date().toISOString(), ...results }, null, 2)}\n`);
