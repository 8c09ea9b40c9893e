// SNMP sink: notifications/s sustained to the real snmptrapd, and latency from the transition handed to the
// sink (write) to the notification's line in snmptrapd's log, p50/p99. Baseline in the same run: net-snmp's
// own session.trap() of the same notifications, already encoded (what the sink adds is classification,
// tables, filters, rate limit and queue). v2c traps and v3 authPriv informs (each acknowledged).
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/snmp/main.ts
//     [--trap-rates 500,1000,2000,4000] [--trap-seconds 1.5] [--count N (informs)] [--rate N --latency-count N]
// Traps have no flow control: each is offered at a fixed rate and the sustained rate is the highest one
// snmptrapd logged in full. Informs pace themselves on acknowledgements: they are sent back to back.
// snmptrapd is the shared dev one (deploy/dev/svc snmptrapd start); it writes every notification to its log,
// which is what bounds throughput here. 2 shared cores: the numbers are noisy, compare ratios.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as snmp from 'net-snmp';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Envelope } from '@faultline/runtime';
import type { Alarm, AlarmTransition } from '@faultline/schemas';
import {
  SnmpSinkConfigSchema, alarmMibOids, classify, createSnmpSink, encodeEvent, type Notification, type SnmpSinkConfig,
} from '@faultline/sink-snmp';
import { UUID_KEYS, quantiles, tailTrapLog, type Quantiles } from '../pipeline/trap-log.js';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '3000' },
    'trap-rates': { type: 'string', default: '500,1000,2000,4000' },
    'trap-seconds': { type: 'string', default: '1.5' },
    rate: { type: 'string', default: '200' },
    'latency-count': { type: 'string', default: '400' },
  },
});
const COUNT = Number(args.count);
const RATE = Number(args.rate);
const LAT_COUNT = Number(args['latency-count']);
const TRAP_RATES = args['trap-rates'].split(',').map(Number);
const TRAP_SECONDS = Number(args['trap-seconds']);
const ROOT = resolve(import.meta.dirname, '../..');
const TRAP_LOG = resolve(process.env.FAULTLINE_DEV_DIR ?? resolve(ROOT, '.dev'), 'snmptrapd/traps.log');
const PORT = Number(process.env.FAULTLINE_SNMPTRAPD_PORT ?? 11162);
const COMMUNITY = process.env.FAULTLINE_SNMP_COMMUNITY ?? 'faultline';
const V3 = {
  name: process.env.FAULTLINE_SNMP_V3_SHA256_USER ?? 'faultline-v3-sha256', auth_protocol: 'sha256',
  auth_key: process.env.FAULTLINE_SNMP_AUTH_PASS ?? 'faultline-auth', priv_key: process.env.FAULTLINE_SNMP_PRIV_PASS ?? 'faultline-priv',
};
const oids = alarmMibOids('1.3.6.1.4.1.32473');

function alarmsFor(n: number): Alarm[] {
  const now = Date.now();
  return Array.from({ length: n }, (_, i) => ({
    uuid: randomUUID(), alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: `host=bench-${i % 500}.port=p${i}`,
    severity: 'major', reason_text: 'CPU usage 93% above 90%', alarm_type: 'operational-violation', probable_cause: 'threshold-crossed',
    proposed_repair_action: 'Reduce the load or add capacity', service_affecting: false, suppression_allowed: true, state: 'active',
    raised_at: now, updated_at: now, inhibited: false, suppressed: false, silenced_by: [], flapping: false, source: 'bench', labels: {},
  }));
}
const transitions = (as: Alarm[]): AlarmTransition[] => as.map((a, i) => ({ uuid: randomUUID(), at: Date.now(), kind: 'raised', seq: i + 1, alarm: a }));
/** The keys the trap log is tailed for: each notified alarm's uuid. */
const uuids = (ts: AlarmTransition[]): string[] => ts.flatMap((t) => (t.kind === 'cleared_all' ? [] : [t.alarm.uuid]));
const envelope = (t: AlarmTransition, i: number): Envelope => ({ topic: 'alarms', key: null, value: t, partition: 0, offset: String(i), timestamp: 0 } as Envelope);

/** The sender under test: either the sink, or net-snmp's session fed pre-encoded notifications. */
interface Sender { send(ts: AlarmTransition[]): Promise<void>; stop(): Promise<void> }

async function sinkSender(mode: 'trap' | 'inform'): Promise<Sender> {
  const destination = mode === 'trap'
    ? { name: 'bench', host: '127.0.0.1', port: PORT, community: COMMUNITY }
    : { name: 'bench', host: '127.0.0.1', port: PORT, version: 'v3', mode: 'inform', user: V3, inform: { max_in_flight: 64 } };
  const config = Value.Default(SnmpSinkConfigSchema, {
    destinations: [{ ...destination, queue_size: 1_000_000, rate_limit: { per_second: 1e9, burst: 1_000_000_000 } }],
    agent: { enabled: false },
  }) as SnmpSinkConfig;
  const sink = createSnmpSink({ id: `sinks.bench-${mode}`, node: 'bench', log: silentLogger, dataDir: '/tmp' }, config);
  await sink.start();
  return { send: (ts) => sink.write(ts.map(envelope)), stop: () => sink.stop() };
}

async function rawSender(mode: 'trap' | 'inform'): Promise<Sender> {
  const session = mode === 'trap'
    ? snmp.createSession('127.0.0.1', COMMUNITY, { version: snmp.Version2c, trapPort: PORT })
    : snmp.createV3Session('127.0.0.1', { name: V3.name, level: snmp.SecurityLevel.authPriv, authProtocol: snmp.AuthProtocols.sha256, authKey: V3.auth_key, privProtocol: snmp.PrivProtocols.aes, privKey: V3.priv_key }, { port: PORT, trapPort: PORT, version: snmp.Version3 } as snmp.SessionOptionsV3);
  // The same window as the sink's default max_in_flight, so both pace the socket alike (a blast loses datagrams).
  const WINDOW = 32;
  const queue: Notification[] = [];
  let inFlight = 0;
  let idle: (() => void) | undefined;
  const pump = () => {
    while (inFlight < WINDOW && queue.length) {
      const n = queue.shift()!;
      inFlight++;
      const done = () => { inFlight--; pump(); };
      if (mode === 'trap') session.trap(n.oid, n.varbinds as snmp.Varbind[], done);
      else session.inform(n.oid, n.varbinds as snmp.Varbind[], done);
    }
    if (!inFlight && !queue.length) idle?.();
  };
  const encoded = (t: AlarmTransition, i: number): Notification => {
    const c = classify(t);
    if (c.kind !== 'event') throw new Error('bench transitions are all notified');
    return encodeEvent(oids, c.event, i + 1);
  };
  let index = 0;
  return {
    async send(ts) {
      queue.push(...ts.map((t) => encoded(t, index++)));
      pump();
    },
    async stop() {
      if (inFlight || queue.length) await new Promise<void>((r) => { idle = r; });
      session.close();
    },
  };
}

/** Sends COUNT transitions in bus-sized batches as fast as write() returns; rate = lines logged per second. */
async function throughput(make: () => Promise<Sender>): Promise<{ perSecond: number; received: number }> {
  const tail = tailTrapLog(TRAP_LOG, UUID_KEYS);
  const sender = await make();
  const ts = transitions(alarmsFor(COUNT));
  const start = performance.now();
  for (let i = 0; i < ts.length; i += 500) await sender.send(ts.slice(i, i + 500));
  await tail.until(uuids(ts), 3000);
  const last = Math.max(...[...tail.seen.values()]);
  await sender.stop();
  tail.close();
  const received = uuids(ts).filter((u) => tail.seen.has(u)).length;
  return { perSecond: (received / (last - start)) * 1000, received };
}

/** Offers rate/s for TRAP_SECONDS, paced in 10 ms steps; how many of them snmptrapd logged. */
async function paced(make: () => Promise<Sender>, rate: number): Promise<{ offered: number; logged: number }> {
  const tail = tailTrapLog(TRAP_LOG, UUID_KEYS);
  const sender = await make();
  const ts = transitions(alarmsFor(Math.round(rate * TRAP_SECONDS)));
  const start = performance.now();
  let sent = 0;
  while (sent < ts.length) {
    const due = Math.min(ts.length, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    if (due > sent) await sender.send(ts.slice(sent, due));
    sent = Math.max(sent, due);
    await new Promise((r) => setTimeout(r, 10));
  }
  await tail.until(uuids(ts), 1000);
  await sender.stop();
  tail.close();
  return { offered: ts.length, logged: uuids(ts).filter((u) => tail.seen.has(u)).length };
}

/** One transition at a time at RATE/s; latency = first log line with its uuid minus the moment write() was called. */
async function latency(make: () => Promise<Sender>): Promise<Quantiles> {
  const tail = tailTrapLog(TRAP_LOG, UUID_KEYS);
  const sender = await make();
  const ts = transitions(alarmsFor(LAT_COUNT));
  const sentAt = new Map<string, number>();
  const gap = 1000 / RATE;
  const start = performance.now();
  for (let i = 0; i < ts.length; i++) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = ts[i]!;
    if (t.kind === 'cleared_all') continue;
    sentAt.set(t.alarm.uuid, performance.now());
    await sender.send([t]);
  }
  await tail.until(uuids(ts), 3000);
  await sender.stop();
  tail.close();
  return quantiles(sentAt, tail.seen);
}

const f = (n: number, d = 0) => n.toFixed(d).padStart(8);
const pct = (r: { offered: number; logged: number }) => `${((100 * r.logged) / r.offered).toFixed(1).padStart(5)} %`;
const results: Record<string, unknown> = { trapRates: TRAP_RATES, trapSeconds: TRAP_SECONDS, informCount: COUNT, latencyRate: RATE, latencyCount: LAT_COUNT, at: new Date().toISOString() };
console.log(`SNMP sink → snmptrapd (udp 127.0.0.1:${PORT}), beside net-snmp's session sending the same notifications`);
console.log('noisy: 2 shared cores, and snmptrapd writing its log is the bottleneck; compare the ratios\n');

console.log(`v2c traps offered at a fixed rate for ${TRAP_SECONDS} s: share logged by snmptrapd`);
const sweep: { rate: number; raw: { offered: number; logged: number }; sink: { offered: number; logged: number } }[] = [];
for (const rate of TRAP_RATES) {
  const raw = await paced(() => rawSender('trap'), rate);
  const sink = await paced(() => sinkSender('trap'), rate);
  sweep.push({ rate, raw, sink });
  console.log(`  ${f(rate)}/s   net-snmp raw ${pct(raw)}   sink ${pct(sink)}`);
}
const sustained = (k: 'raw' | 'sink') => Math.max(0, ...sweep.filter((x) => x[k].logged === x[k].offered).map((x) => x.rate));
console.log(`  sustained (every trap logged): net-snmp raw ${sustained('raw')}/s, sink ${sustained('sink')}/s, ratio ${(sustained('sink') / (sustained('raw') || NaN)).toFixed(2)}`);
results.trap = { sweep, sustained: { raw: sustained('raw'), sink: sustained('sink') } };

const rawInform = await throughput(() => rawSender('inform'));
const sinkInform = await throughput(() => sinkSender('inform'));
console.log(`\nv3 authPriv informs (SHA-256/AES), ${COUNT} back to back, each acknowledged`);
console.log(`  throughput   net-snmp raw ${f(rawInform.perSecond)}/s  sink ${f(sinkInform.perSecond)}/s  ratio ${(sinkInform.perSecond / rawInform.perSecond).toFixed(2)}   logged ${rawInform.received}/${COUNT} and ${sinkInform.received}/${COUNT}`);
results.inform = { raw: rawInform, sink: sinkInform };

console.log(`\nlatency, write() → line in snmptrapd's log, ${LAT_COUNT} notifications at ${RATE}/s`);
for (const mode of ['trap', 'inform'] as const) {
  const raw = await latency(() => rawSender(mode));
  const sink = await latency(() => sinkSender(mode));
  const label = mode === 'trap' ? 'v2c trap  ' : 'v3 inform ';
  console.log(`  ${label} p50  net-snmp raw ${f(raw.p50, 2)} ms  sink ${f(sink.p50, 2)} ms  ratio ${(sink.p50 / raw.p50).toFixed(2)}`);
  console.log(`  ${label} p99  net-snmp raw ${f(raw.p99, 2)} ms  sink ${f(sink.p99, 2)} ms  ratio ${(sink.p99 / raw.p99).toFixed(2)}   (sink max ${sink.max.toFixed(2)} ms, logged ${sink.received}/${LAT_COUNT})`);
  (results as Record<string, Record<string, unknown>>)[mode === 'trap' ? 'trap' : 'inform']!.latency = { raw, sink };
}
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/snmp.json'), JSON.stringify(results, null, 2) + '\n');
