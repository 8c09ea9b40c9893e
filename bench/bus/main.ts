// The Kafka bus through the real broker: records/s and MB/s produced and consumed by faultline's bus
// (createKafkaBus: idempotent, acks=all, lz4, linger 5 ms), beside Kafka's own perf tools
// (ProducerPerformance / ConsumerPerformance through deploy/dev/kafka-run-class) on the same broker in
// the same run, with the ratio. Writes bench/results/bus.json.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/bus/main.ts [--records N] [--size BYTES]
// The shared dev broker must run (deploy/dev/svc kafka start). 2 shared cores: expect ±30 % between runs.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { createKafkaBus, type OutboundRecord } from '@faultline/runtime';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    size: { type: 'string', default: '200' },
    brokers: { type: 'string', default: `127.0.0.1:${process.env.FAULTLINE_KAFKA_PORT ?? 19092}` },
  },
});
const RECORDS = Number(args.records);
const SIZE = Number(args.size);
const BROKERS = args.brokers.split(',');
const stamp = Date.now();

interface Rate { records: number; seconds: number; recordsPerSec: number; mbPerSec: number }
const rate = (records: number, seconds: number): Rate => ({
  records, seconds: Number(seconds.toFixed(3)), recordsPerSec: Math.round(records / seconds),
  mbPerSec: Number(((records * SIZE) / 1024 / 1024 / seconds).toFixed(2)), // MiB/s, as Kafka's tools print "MB"
});

async function faultlineBus(): Promise<{ produce: Rate; consume: Rate }> {
  const topic = `bench-bus-${stamp}`;
  const bus = createKafkaBus({
    brokers: BROKERS, client_id: 'bench-bus', compression: 'lz4', linger_ms: 5, batch_max_records: 1000,
    spool: { max_bytes: 1 << 26, clear_after_ms: 60_000 },
  });
  await bus.ensureTopics([{ name: topic, partitions: 3 }]);
  const p = bus.producer();
  const payload = Buffer.alloc(SIZE, 'x');
  const t0 = performance.now();
  const inflight = new Set<Promise<void>>();
  for (let i = 0; i < RECORDS; i += 1000) {
    const batch: OutboundRecord[] = Array.from({ length: Math.min(1000, RECORDS - i) }, (_, j) => ({ topic, key: `host-${(i + j) % 100}`, value: payload }));
    const s = p.send(batch).finally(() => inflight.delete(s));
    inflight.add(s);
    if (inflight.size >= 8) await Promise.race(inflight);
  }
  await Promise.all(inflight);
  const produce = rate(RECORDS, (performance.now() - t0) / 1000);
  await p.close();

  let n = 0;
  let done!: () => void;
  const all = new Promise<void>((r) => { done = r; });
  const t1 = performance.now();
  const sub = await bus.subscribe({ group: `bench-bus-${stamp}`, topics: [topic], onBatch: async (r) => { n += r.length; if (n >= RECORDS) done(); } });
  await all;
  const consume = rate(n, (performance.now() - t1) / 1000);
  await sub.stop();
  await bus.stop();
  return { produce, consume };
}

async function kafkaTools(): Promise<{ produce: Rate; consume: Rate }> {
  const topic = `bench-bus-tools-${stamp}`;
  const tool = (...a: string[]) => run(resolve(ROOT, 'deploy/dev/kafka-run-class'), a, { cwd: ROOT, maxBuffer: 16 << 20, timeout: 300_000 });
  await tool('org.apache.kafka.tools.TopicCommand', '--bootstrap-server', BROKERS[0]!, '--create', '--topic', topic, '--partitions', '3');
  const prod = await tool('org.apache.kafka.tools.ProducerPerformance', '--topic', topic, '--num-records', String(RECORDS),
    '--record-size', String(SIZE), '--throughput', '-1', '--producer-props', `bootstrap.servers=${BROKERS.join(',')}`,
    'acks=all', 'enable.idempotence=true', 'compression.type=lz4', 'linger.ms=5');
  // "200000 records sent, 98814.2 records/sec (18.85 MB/sec), ..." is the last summary line.
  const summary = prod.stdout.trim().split('\n').at(-1) ?? '';
  const m = /([\d.]+) records\/sec \(([\d.]+) MB\/sec\)/.exec(summary);
  if (!m) throw new Error(`ProducerPerformance: unexpected output: ${summary}`);
  const produce: Rate = { records: RECORDS, seconds: Number((RECORDS / Number(m[1])).toFixed(3)), recordsPerSec: Math.round(Number(m[1])), mbPerSec: Number(m[2]) };
  const cons = await tool('org.apache.kafka.tools.ConsumerPerformance', '--bootstrap-server', BROKERS.join(','), '--topic', topic,
    '--messages', String(RECORDS), '--group', `bench-bus-tools-${stamp}`);
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, ...
  const row = cons.stdout.trim().split('\n').at(-1)!.split(',').map((c) => c.trim());
  const consume: Rate = { records: Number(row[4]), seconds: Number((Number(row[4]) / Number(row[5])).toFixed(3)), recordsPerSec: Math.round(Number(row[5])), mbPerSec: Number(Number(row[3]).toFixed(2)) };
  return { produce, consume };
}

const ours = await faultlineBus();
const theirs = await kafkaTools();
const ratio = (a: Rate, b: Rate) => Number((a.recordsPerSec / b.recordsPerSec).toFixed(2));
const result = {
  at: new Date().toISOString(), records: RECORDS, recordSize: SIZE, brokers: BROKERS, cores: cpus().length,
  settings: 'idempotent, acks=all, lz4, linger 5 ms, 3 partitions; consume includes the group join',
  faultline: ours, kafkaTools: theirs,
  ratio: { produce: ratio(ours.produce, theirs.produce), consume: ratio(ours.consume, theirs.consume) },
};
const line = (what: string, r: Rate) => `${what.padEnd(34)} ${String(r.recordsPerSec).padStart(9)} records/s ${r.mbPerSec.toFixed(2).padStart(8)} MB/s`;
process.stdout.write([
  `bus benchmark: ${RECORDS} records of ${SIZE} bytes through ${BROKERS.join(',')} (${result.settings})`,
  line('faultline bus produce', ours.produce),
  line('kafka-producer-perf-test', theirs.produce),
  `  ratio faultline/kafka produce: ${result.ratio.produce}`,
  line('faultline bus consume', ours.consume),
  line('kafka-consumer-perf-test', theirs.consume),
  `  ratio faultline/kafka consume: ${result.ratio.consume}`,
  'noisy: 2 cores shared with other work; compare ratios from the same run, not absolute figures',
].join('\n') + '\n');
mkdirSync(resolve(ROOT, 'bench/results'), { recursive: true });
writeFileSync(resolve(ROOT, 'bench/results/bus.json'), JSON.stringify(result, null, 2) + '\n');
