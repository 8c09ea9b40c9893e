// Kafka client comparison: kafkajs 2.2.4 against @platformatic/kafka 2.12 on the real broker.
// For each client: produce throughput (idempotent, acks=all), consume throughput (consumer group),
// whether transactions work (a read_committed reader sees the committed batch and not the aborted
// one), and which compression codecs round-trip. Results: stdout and bench/results/bus-clients.json.
//   source scripts/env.sh && node --conditions=@faultline/source --import tsx bench/bus/clients.ts [--records N] [--size BYTES]
// The broker is the shared dev one (deploy/dev/svc kafka start); 2 shared cores: numbers are noisy.
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  Admin, Consumer as PltConsumer, FetchIsolationLevels, Producer as PltProducer, type CompressionAlgorithmValue,
} from '@platformatic/kafka';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';

const { values: args } = parseArgs({
  options: {
    records: { type: 'string', default: '100000' },
    size: { type: 'string', default: '200' },
    brokers: { type: 'string', default: `127.0.0.1:${process.env.FAULTLINE_KAFKA_PORT ?? 19092}` },
  },
});
const RECORDS = Number(args.records);
const SIZE = Number(args.size);
const BROKERS = args.brokers.split(',');
const BATCH = 1000;
const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
let run = `${Date.now()}`; // reset before every pass: topic and group names stay unique
const payload = Buffer.alloc(SIZE, 'x');

interface ClientReport {
  client: string;
  produce: { records: number; seconds: number; recordsPerSec: number; mbPerSec: number } | { error: string };
  consume: { records: number; seconds: number; recordsPerSec: number; mbPerSec: number } | { error: string };
  idempotent: string;
  transactions: string;
  codecs: Record<string, string>;
}

const rate = (records: number, ms: number) => ({
  records, seconds: ms / 1000, recordsPerSec: Math.round(records / (ms / 1000)),
  mbPerSec: Number(((records * SIZE) / 1e6 / (ms / 1000)).toFixed(2)),
});
const errMsg = (e: unknown) => (e as Error).message?.split('\n')[0] ?? String(e);
const withTimeout = <T>(p: Promise<T>, ms: number, what: string) =>
  Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`${what}: no result after ${ms} ms`)), ms).unref())]);

async function createTopic(name: string, partitions = 1) {
  const admin = new Admin({ clientId: 'bench-admin', bootstrapBrokers: BROKERS });
  try {
    await admin.createTopics({ topics: [name], partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

async function platformatic(): Promise<ClientReport> {
  const topic = `bench-clients-plt-${run}`;
  await createTopic(topic, 3);
  const report: ClientReport = { client: '@platformatic/kafka 2.12.1', produce: { error: '' }, consume: { error: '' }, idempotent: '', transactions: '', codecs: {} };
  const producer = new PltProducer({ clientId: 'bench-plt', bootstrapBrokers: BROKERS, idempotent: true, acks: -1 });
  try {
    const t0 = performance.now();
    for (let i = 0; i < RECORDS; i += BATCH) {
      const messages = Array.from({ length: Math.min(BATCH, RECORDS - i) }, (_, j) => ({ topic, key: Buffer.from(`k${(i + j) % 64}`), value: payload }));
      await producer.send({ messages });
    }
    report.produce = rate(RECORDS, performance.now() - t0);
    report.idempotent = producer.producerId !== undefined ? `yes (producer id ${producer.producerId})` : 'no producer id';
  } catch (e) {
    report.produce = { error: errMsg(e) };
  }
  await producer.close();

  const consumer = new PltConsumer({ clientId: 'bench-plt-c', groupId: `bench-plt-${run}`, bootstrapBrokers: BROKERS, maxWaitTime: 200 });
  try {
    const t0 = performance.now();
    const stream = await consumer.consume({ topics: [topic], mode: 'earliest', autocommit: false });
    let n = 0;
    // 'data' events: the fastest way this client hands out records (the async iterator measured ~25 % slower).
    await withTimeout(new Promise<void>((done) => stream.on('data', () => { if (++n === RECORDS) done(); })), 120_000, 'consume');
    report.consume = rate(n, performance.now() - t0);
    await stream.close();
  } catch (e) {
    report.consume = { error: errMsg(e) };
  }
  await consumer.close(true);

  report.transactions = await (async () => {
    const txTopic = `bench-clients-plt-tx-${run}`;
    await createTopic(txTopic);
    const tp = new PltProducer({ clientId: 'bench-plt-tx', bootstrapBrokers: BROKERS, idempotent: true, acks: -1, transactionalId: `bench-plt-tx-${run}` });
    const reader = new PltConsumer({ clientId: 'bench-plt-rc', groupId: `bench-plt-rc-${run}`, bootstrapBrokers: BROKERS, maxWaitTime: 200, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
    try {
      const commit = await tp.beginTransaction();
      await commit.send({ messages: [{ topic: txTopic, value: Buffer.from('committed-1') }, { topic: txTopic, value: Buffer.from('committed-2') }] });
      await commit.commit();
      const abort = await tp.beginTransaction();
      await abort.send({ messages: [{ topic: txTopic, value: Buffer.from('aborted') }] });
      await abort.abort();
      const last = await tp.beginTransaction();
      await last.send({ messages: [{ topic: txTopic, value: Buffer.from('committed-3') }] });
      await last.commit();
      const stream = await reader.consume({ topics: [txTopic], mode: 'earliest', autocommit: false });
      const seen: string[] = [];
      await withTimeout((async () => { for await (const m of stream) { seen.push(m.value.toString()); if (seen.length >= 3) break; } })(), 30_000, 'read_committed');
      await stream.close();
      return seen.join(',') === 'committed-1,committed-2,committed-3' ? 'yes (read_committed skipped the aborted record)' : `wrong records: ${seen.join(',')}`;
    } catch (e) {
      return `failed: ${errMsg(e)}`;
    } finally {
      await tp.close();
      await reader.close(true);
    }
  })();

  for (const codec of CODECS) {
    const ct = `bench-clients-plt-${codec}-${run}`;
    await createTopic(ct);
    const p = new PltProducer({ clientId: 'bench-plt-codec', bootstrapBrokers: BROKERS, idempotent: true, acks: -1 });
    const c = new PltConsumer({ clientId: 'bench-plt-codec-c', groupId: `bench-plt-codec-${codec}-${run}`, bootstrapBrokers: BROKERS, maxWaitTime: 200 });
    try {
      await p.send({ messages: Array.from({ length: 100 }, (_, i) => ({ topic: ct, value: Buffer.from(`${codec}-${i}-${'y'.repeat(100)}`) })), compression: codec as CompressionAlgorithmValue });
      const stream = await c.consume({ topics: [ct], mode: 'earliest', autocommit: false });
      let ok = 0;
      await withTimeout((async () => { for await (const m of stream) { if (m.value.toString().startsWith(`${codec}-`)) ok++; if (ok >= 100) break; } })(), 20_000, codec);
      await stream.close();
      report.codecs[codec] = ok === 100 ? 'ok' : `${ok}/100`;
    } catch (e) {
      report.codecs[codec] = `failed: ${errMsg(e)}`;
    } finally {
      await p.close();
      await c.close(true);
    }
  }
  return report;
}

async function kafkajs(): Promise<ClientReport> {
  process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
  const kafka = new Kafka({ clientId: 'bench-kjs', brokers: BROKERS, logLevel: logLevel.NOTHING });
  const topic = `bench-clients-kjs-${run}`;
  await createTopic(topic, 3);
  const report: ClientReport = { client: 'kafkajs 2.2.4', produce: { error: '' }, consume: { error: '' }, idempotent: '', transactions: '', codecs: {} };
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  try {
    await producer.connect();
    const t0 = performance.now();
    for (let i = 0; i < RECORDS; i += BATCH) {
      const messages = Array.from({ length: Math.min(BATCH, RECORDS - i) }, (_, j) => ({ key: `k${(i + j) % 64}`, value: payload }));
      await producer.send({ topic, acks: -1, messages });
    }
    report.produce = rate(RECORDS, performance.now() - t0);
    report.idempotent = 'yes (idempotent: true, maxInFlightRequests 1; marked experimental in its docs)';
  } catch (e) {
    report.produce = { error: errMsg(e) };
  }
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: `bench-kjs-${run}`, maxWaitTimeInMs: 200 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const t0 = performance.now();
    let n = 0;
    await withTimeout(new Promise<void>((done) => {
      void consumer.run({ autoCommit: false, eachBatch: async ({ batch }) => { n += batch.messages.length; if (n >= RECORDS) done(); } });
    }), 120_000, 'consume');
    report.consume = rate(n, performance.now() - t0);
  } catch (e) {
    report.consume = { error: errMsg(e) };
  }
  await consumer.disconnect();

  report.transactions = await (async () => {
    const txTopic = `bench-clients-kjs-tx-${run}`;
    await createTopic(txTopic);
    const tp = kafka.producer({ transactionalId: `bench-kjs-tx-${run}`, idempotent: true, maxInFlightRequests: 1 });
    const reader = kafka.consumer({ groupId: `bench-kjs-rc-${run}`, maxWaitTimeInMs: 200, readUncommitted: false });
    try {
      await tp.connect();
      const commit = await tp.transaction();
      await commit.send({ topic: txTopic, messages: [{ value: 'committed-1' }, { value: 'committed-2' }] });
      await commit.commit();
      const abort = await tp.transaction();
      await abort.send({ topic: txTopic, messages: [{ value: 'aborted' }] });
      await abort.abort();
      const last = await tp.transaction();
      await last.send({ topic: txTopic, messages: [{ value: 'committed-3' }] });
      await last.commit();
      await reader.connect();
      await reader.subscribe({ topic: txTopic, fromBeginning: true });
      const seen: string[] = [];
      await withTimeout(new Promise<void>((done) => {
        void reader.run({ eachMessage: async ({ message }) => { seen.push(String(message.value)); if (seen.length >= 3) done(); } });
      }), 30_000, 'read_committed');
      return seen.join(',') === 'committed-1,committed-2,committed-3' ? 'yes (read_committed skipped the aborted record)' : `wrong records: ${seen.join(',')}`;
    } catch (e) {
      return `failed: ${errMsg(e)}`;
    } finally {
      await tp.disconnect();
      await reader.disconnect();
    }
  })();

  const types: Record<string, CompressionTypes> = {
    none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD,
  };
  for (const codec of CODECS) {
    const ct = `bench-clients-kjs-${codec}-${run}`;
    await createTopic(ct);
    const p = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    try {
      await p.connect();
      await p.send({ topic: ct, acks: -1, compression: types[codec], messages: Array.from({ length: 100 }, (_, i) => ({ value: `${codec}-${i}` })) });
      report.codecs[codec] = 'ok';
    } catch (e) {
      report.codecs[codec] = `failed: ${errMsg(e)}`;
    } finally {
      await p.disconnect();
    }
  }
  return report;
}

// A first pass warms the broker (JIT, page cache, coordinators) and is thrown away: the first
// client measured on a fresh broker otherwise looks up to 4x slower.
for (const warm of [platformatic, kafkajs]) {
  run = `${Date.now()}-warm`;
  await warm();
}
const reports: ClientReport[] = [];
for (const measure of [platformatic, kafkajs]) {
  run = `${Date.now()}`;
  const r = await measure();
  reports.push(r);
  process.stdout.write(`\n== ${r.client}\n${JSON.stringify(r, null, 2)}\n`);
}
const [plt, kjs] = reports;
const ratio = (a: ClientReport['produce'] | undefined, b: ClientReport['produce'] | undefined) =>
  a && b && 'recordsPerSec' in a && 'recordsPerSec' in b ? Number((a.recordsPerSec / b.recordsPerSec).toFixed(2)) : null;
const summary = {
  records: RECORDS, size: SIZE, brokers: BROKERS, at: new Date().toISOString(),
  ratio_produce_platformatic_over_kafkajs: ratio(plt?.produce, kjs?.produce),
  ratio_consume_platformatic_over_kafkajs: ratio(plt?.consume, kjs?.consume),
  reports,
};
process.stdout.write(`\nplatformatic/kafkajs: produce x${summary.ratio_produce_platformatic_over_kafkajs}, consume x${summary.ratio_consume_platformatic_over_kafkajs}\n`);
const out = resolve(import.meta.dirname, '../results');
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, 'bus-clients.json'), JSON.stringify(summary, null, 2) + '\n');
process.exit(0);
