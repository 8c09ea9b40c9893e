// CPU per send of one small record every 100 ms (the host collector's heartbeat) through the real broker, beside
// baselines in the same run: a child that only ticks a 100 ms timer, and @platformatic/kafka's Producer.send called
// directly (client defaults; and with the bus's options: idempotent, acks=all, lz4). faultline's producer runs as the
// collector uses it: createKafkaBus (linger 5 ms, lz4) with the edge spool. Each variant is its own child process; CPU
// is summed over all its threads from /proc/<pid>/task/*/schedstat after a warm-up. Writes bench/results/bus-per-send.json.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/bus/per-send.ts [--seconds 20] [--only a,b] [--collector-flags]
// --collector-flags runs the children with the lean collector's V8 flags (no optimising compilers, 1 MB young generation).
// The shared dev broker must run (deploy/dev/svc kafka start). 2 shared cores: expect ±20 % between runs.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Producer as KafkaProducer } from '@platformatic/kafka';
import { createKafkaBus, type OutboundRecord } from '@faultline/runtime';

const ROOT = resolve(import.meta.dirname, '../..');
const BROKERS = [`127.0.0.1:${process.env.FAULTLINE_KAFKA_PORT ?? 19092}`];
const PERIOD_MS = 100;
/** The V8 flags collectors/host/bin/faultline-collector-host runs the lean collector with (--collector-flags). */
const COLLECTOR_FLAGS = ['--max-semi-space-size=1', '--no-opt', '--no-maglev'];
const RECORD_BYTES = 150;
const { values: args } = parseArgs({
  options: {
    child: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '4' },
    only: { type: 'string' },
    topic: { type: 'string', default: `bench-per-send-${Date.now()}` },
    'collector-flags': { type: 'boolean', default: false },
  },
});

type Variant = 'timer' | 'client-defaults' | 'client-idempotent' | 'client-bus-options' | 'bus-producer-linger0' | 'bus-producer' | 'bus-producer-spool';
const VARIANTS: Record<Variant, string> = {
  timer: 'baseline: 100 ms timer, no send',
  'client-defaults': '@platformatic/kafka Producer.send, defaults',
  'client-idempotent': '@platformatic/kafka Producer.send, idempotent acks=all',
  'client-bus-options': '@platformatic/kafka Producer.send, idempotent acks=all lz4',
  'bus-producer-linger0': 'faultline bus producer (linger 0, lz4)',
  'bus-producer': 'faultline bus producer (linger 5 ms, lz4)',
  'bus-producer-spool': 'faultline bus producer + spool (collector)',
};

/** One record shaped like a heartbeat on the wire: key = host, ~150-byte value, two headers. */
const record = (topic: string, seq: number): OutboundRecord => ({
  topic, key: 'compute-0', value: Buffer.alloc(RECORD_BYTES, seq % 256), headers: { 'content-type': 'application/json', schema: 'heartbeat' },
});

async function child(variant: Variant, topic: string): Promise<void> {
  let send: (seq: number) => Promise<unknown>;
  if (variant === 'timer') send = async () => {};
  else if (variant.startsWith('client')) {
    const p = new KafkaProducer(variant === 'client-defaults'
      ? { clientId: 'bench-per-send', bootstrapBrokers: BROKERS }
      : { clientId: 'bench-per-send', bootstrapBrokers: BROKERS, idempotent: true, acks: -1, compression: variant === 'client-idempotent' ? 'none' : 'lz4' });
    send = (seq) => {
      const r = record(topic, seq);
      return p.send({ messages: [{ topic, key: Buffer.from(r.key!), value: r.value!, headers: new Map(Object.entries(r.headers!).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])) }] });
    };
  } else {
    const bus = createKafkaBus({
      brokers: BROKERS, client_id: 'bench-per-send', compression: 'lz4', linger_ms: variant === 'bus-producer-linger0' ? 0 : 5, batch_max_records: 1000,
      spool: { max_bytes: 1 << 26, clear_after_ms: 60_000 },
    });
    const p = bus.producer(variant === 'bus-producer-spool'
      ? { spool: { name: 'per-send', dir: mkdtempSync(join(tmpdir(), 'faultline-per-send-')), node: 'bench', maxBytes: 1 << 26, clearAfterMs: 60_000 } }
      : {});
    send = (seq) => p.send([record(topic, seq)]);
  }
  await send(0); // connect and fetch metadata before the parent starts counting
  let seq = 1;
  let failed = 0;
  setInterval(() => { send(seq++).catch(() => { failed++; }); }, PERIOD_MS);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ sent: seq, failed }) + '\n'); process.exit(0); });
}

/** CPU time of every thread of a process, in ns (schedstat: nanosecond run time). */
function cpuNs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try { ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]); } catch { /* thread ended */ }
  }
  return ns;
}

/** Kernel share of a process's CPU so far: stime / (utime + stime) from /proc/<pid>/stat (10 ms ticks). */
function ticks(pid: number): { user: number; sys: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1]!.split(' ');
  return { user: Number(fields[11]), sys: Number(fields[12]) };
}

function ready(c: ChildProcess, name: string): Promise<void> {
  return new Promise((ok, fail) => {
    let out = '';
    c.once('exit', (code) => fail(new Error(`${name} exited with ${code}: ${out.slice(-2000)}`)));
    setTimeout(() => fail(new Error(`${name} not ready within 90 s: ${out.slice(-2000)}`)), 90_000).unref();
    const seen = (d: Buffer) => { out += d; if (out.includes('ready\n')) ok(); };
    c.stdout?.on('data', seen);
    c.stderr?.on('data', seen);
  });
}

async function main(): Promise<void> {
  const seconds = Number(args.seconds);
  const warmup = Number(args.warmup);
  const topic = args.topic;
  const admin = createKafkaBus({ brokers: BROKERS, client_id: 'bench-per-send', compression: 'lz4', linger_ms: 5, batch_max_records: 1000, spool: { max_bytes: 1 << 26, clear_after_ms: 60_000 } });
  await admin.ensureTopics([{ name: topic, partitions: 6 }]);
  await admin.stop();
  const chosen = (args.only ? args.only.split(',') : Object.keys(VARIANTS)) as Variant[];
  const children = new Map<Variant, ChildProcess>();
  for (const v of chosen) {
    const c = spawn(process.execPath, [...(args['collector-flags'] ? COLLECTOR_FLAGS : []), ...process.execArgv, import.meta.filename, '--child', v, '--topic', topic], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(v, c);
  }
  try {
    await Promise.all([...children].map(([v, c]) => ready(c, v)));
  } catch (err) {
    for (const c of children.values()) c.kill('SIGKILL');
    throw err;
  }
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const start = new Map([...children].map(([v, c]) => [v, cpuNs(c.pid!)]));
  const startTicks = new Map([...children].map(([v, c]) => [v, ticks(c.pid!)]));
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsedS = (performance.now() - t0) / 1000;
  const used = new Map([...children].map(([v, c]) => [v, cpuNs(c.pid!) - start.get(v)!]));
  const sysShare = new Map([...children].map(([v, c]) => {
    const [a, b] = [startTicks.get(v)!, ticks(c.pid!)];
    const user = b.user - a.user;
    const sys = b.sys - a.sys;
    return [v, user + sys ? sys / (user + sys) : 0];
  }));
  const counts = await Promise.all([...children].map(([v, c]) => new Promise<[Variant, string]>((ok) => {
    let out = '';
    c.stdout!.on('data', (d: Buffer) => { out += d; });
    c.once('exit', () => ok([v, out.trim().split('\n').pop() ?? '']));
    c.kill('SIGTERM');
  })));
  const sends = elapsedS * (1000 / PERIOD_MS);
  const perSendUs = (v: Variant) => used.get(v)! / 1e3 / sends;
  const floor = children.has('timer') ? perSendUs('timer') : 0;
  const direct = children.has('client-defaults') ? perSendUs('client-defaults') - floor : undefined;

  console.log(`\nCPU per send, one ${RECORD_BYTES}-byte record every ${PERIOD_MS} ms to ${BROKERS.join(',')}, ${elapsedS.toFixed(1)} s after ${warmup} s warm-up${args['collector-flags'] ? `, children run with ${COLLECTOR_FLAGS.join(' ')}` : ''} (2 shared cores: noisy)\n`);
  console.log('variant                                                     µs/send  above timer  ×client defaults  kernel share');
  const rows = chosen.map((v) => {
    const total = perSendUs(v);
    const above = total - floor;
    const ratio = direct && v !== 'timer' ? above / direct : undefined;
    const kernel = sysShare.get(v)!;
    console.log(`${VARIANTS[v].padEnd(58)} ${total.toFixed(0).padStart(8)} ${above.toFixed(0).padStart(12)} ${(ratio === undefined ? '' : ratio.toFixed(2)).padStart(17)} ${(kernel * 100).toFixed(0).padStart(12)} %`);
    return { variant: v, label: VARIANTS[v], us_per_send: Math.round(total), us_above_timer: Math.round(above), ratio_vs_client_defaults: ratio, kernel_share: Number(kernel.toFixed(2)) };
  });
  for (const [v, line] of counts) if (line.includes('"failed":') && !line.includes('"failed":0')) console.log(`  ${v}: ${line}`);
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/bus-per-send.json'), JSON.stringify({ date: new Date().toISOString(), collector_flags: args['collector-flags'], seconds: elapsedS, warmup, period_ms: PERIOD_MS, record_bytes: RECORD_BYTES, rows }, null, 2) + '\n');
}

if (args.child) void child(args.child as Variant, args.topic);
else await main();
