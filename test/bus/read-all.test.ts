// Bus.readAll against the real broker (127.0.0.1:19092; SASL 19094, TLS 19095): the raw Fetch reader of
// runtime/core/src/bus/kafka-read.ts must return exactly the committed records, whatever the codec, and
// honour start offsets and a partition filter (a checkpoint's tail read). The embedded bus is held to the same options.
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Producer as KafkaProducer } from '@platformatic/kafka';
import { createEmbeddedBus, createKafkaBus, type Bus, type KafkaConfig, type OutboundRecord, type ReadAllOptions } from '@faultline/runtime';
import { DEV_DIR, SERVICES, ensureServices } from '../support/index.js';

await ensureServices('kafka');
const base = { client_id: 'faultline-readall-test', linger_ms: 2, batch_max_records: 500, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } } as const;
const config = (compression: KafkaConfig['compression']): KafkaConfig => ({ ...base, brokers: [...SERVICES.kafka.brokers], compression });
const name = (what: string) => `readall-${what}-${randomUUID().slice(0, 8)}`;
const text = (v: Buffer | null) => (v ? v.toString() : null);

async function readAll(bus: Bus, topic: string, opts?: ReadAllOptions) {
  const out: { partition: number; offset: number; key: string | null; value: string | null; headers: Record<string, string> }[] = [];
  for await (const r of bus.readAll(topic, opts)) out.push({ partition: r.partition, offset: Number(r.offset), key: r.key, value: text(r.value), headers: r.headers });
  return out;
}

for (const compression of ['lz4', 'gzip', 'none'] as const) {
  test(`kafka (${compression}): every committed record once, in offset order per partition, with key, value, tombstones and headers`, async () => {
    const bus = createKafkaBus(config(compression));
    const topic = name(compression);
    try {
      await bus.ensureTopics([{ name: topic, partitions: 3 }]);
      const p = bus.producer();
      const sent: OutboundRecord[] = Array.from({ length: 3000 }, (_, i) => ({
        topic, key: `k${i % 700}`, value: i % 11 === 0 ? null : Buffer.from(`value ${i} ${'x'.repeat(i % 50)}`),
        headers: (i % 2 ? { 'fl-schema': 'test', 'fl-version': '1.0' } : { 'fl-schema': 'test', n: String(i) }) as Record<string, string>,
      }));
      await p.send(sent);
      await p.close();
      const got = await readAll(bus, topic);
      assert.is(got.length, sent.length);
      for (const part of [0, 1, 2]) {
        const offsets = got.filter((r) => r.partition === part).map((r) => r.offset);
        assert.equal(offsets, [...offsets].sort((a, b) => a - b), `partition ${part} in offset order`);
      }
      const byValue = (xs: { key: string | null; value: string | null; headers?: Record<string, string> }[]) =>
        xs.map((r) => JSON.stringify([r.key, r.value, r.headers])).sort();
      assert.equal(byValue(got), byValue(sent.map((r) => ({ key: r.key, value: text(r.value), headers: r.headers }))));
    } finally {
      await bus.stop();
    }
  });
}

test('kafka: records of aborted transactions are skipped, committed ones around them are read', async () => {
  const bus = createKafkaBus(config('lz4'));
  const topic = name('txn');
  const producer = new KafkaProducer({
    clientId: 'readall-txn', bootstrapBrokers: [...SERVICES.kafka.brokers], idempotent: true, acks: -1, compression: 'lz4',
    transactionalId: `readall-${randomUUID()}`,
  });
  const msg = (v: string) => ({ topic, partition: 0, key: Buffer.from(v), value: Buffer.from(v) });
  try {
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    for (const [values, commit] of [[['c1', 'c2'], true], [['a1', 'a2', 'a3'], false], [['c3'], true], [['a4'], false], [['c4', 'c5'], true]] as const) {
      const tx = await producer.beginTransaction();
      await tx.send({ messages: values.map(msg) });
      if (commit) await tx.commit();
      else await tx.abort();
    }
    const got = await readAll(bus, topic);
    assert.equal(got.map((r) => r.value), ['c1', 'c2', 'c3', 'c4', 'c5']);
    // Started inside the history (at c3): the aborted transaction after it is still skipped.
    const c3 = got.find((r) => r.value === 'c3')!.offset;
    assert.equal((await readAll(bus, topic, { from: new Map([[0, c3]]) })).map((r) => r.value), ['c3', 'c4', 'c5']);
  } finally {
    await producer.close();
    await bus.stop();
  }
});

test('kafka: from offsets reads each listed partition from there, the others from the start; partitions filters', async () => {
  const bus = createKafkaBus(config('lz4'));
  const topic = name('from');
  try {
    await bus.ensureTopics([{ name: topic, partitions: 2 }]);
    const p = bus.producer();
    await p.send(Array.from({ length: 200 }, (_, i) => ({ topic, key: `k${i}`, value: Buffer.from(String(i)) })));
    await p.close();
    const all = await readAll(bus, topic);
    const count = (part: number) => all.filter((r) => r.partition === part).length;
    const tail = await readAll(bus, topic, { from: new Map([[0, 10]]) });
    assert.is(tail.filter((r) => r.partition === 0).length, count(0) - 10);
    assert.ok(tail.filter((r) => r.partition === 0).every((r) => r.offset >= 10));
    assert.is(tail.filter((r) => r.partition === 1).length, count(1));
    const only1 = await readAll(bus, topic, { partitions: [1] });
    assert.ok(only1.length === count(1) && only1.every((r) => r.partition === 1));
    assert.equal(await readAll(bus, topic, { from: new Map([[0, count(0)], [1, count(1)]]) }), []);
    assert.equal(await readAll(bus, `readall-missing-${randomUUID().slice(0, 8)}`), [], 'a topic never written holds nothing');
  } finally {
    await bus.stop();
  }
});

test('kafka: a reader that stops early (its next fetch in flight) leaves no failure behind', async () => {
  const bus = createKafkaBus(config('none'));
  const topic = name('early');
  try {
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const p = bus.producer();
    // 1.8 MB: several fetches. Sent in parts: one send of it all is one produce batch, over the broker's 1 MB.
    for (let i = 0; i < 6000; i += 500) await p.send(Array.from({ length: 500 }, (_, j) => ({ topic, key: `k${i + j}`, value: Buffer.alloc(300, (i + j) % 256) })));
    await p.close();
    for await (const r of bus.readAll(topic)) { assert.is(r.offset, '0'); break; }
    await new Promise((r) => setTimeout(r, 500)); // an unhandled rejection of the abandoned request would end the process here
    assert.is((await readAll(bus, topic, { from: new Map([[0, 5990]]) })).length, 10);
  } finally {
    await bus.stop();
  }
});

test('kafka: readAll over SASL/SCRAM and over TLS', async () => {
  const SASL = { mechanism: 'scram-sha-512', username: process.env.FAULTLINE_KAFKA_SASL_USER ?? 'faultline', password: process.env.FAULTLINE_KAFKA_SASL_PASSWORD ?? 'faultline-secret' } as const;
  const secured: KafkaConfig[] = [
    { ...config('lz4'), brokers: [`127.0.0.1:${SERVICES.kafka.saslPort}`], sasl: SASL },
    { ...config('lz4'), brokers: [`127.0.0.1:${SERVICES.kafka.tlsPort}`], tls: { ca_file: resolve(DEV_DIR, 'kafka/tls/ca.pem'), reject_unauthorized: true } },
  ];
  for (const c of secured) {
    const bus = createKafkaBus(c);
    const topic = name(c.sasl ? 'sasl' : 'tls');
    try {
      await bus.ensureTopics([{ name: topic, partitions: 1 }]);
      const p = bus.producer();
      await p.send([{ topic, key: 'k', value: Buffer.from('secret payload') }]);
      await p.close();
      assert.equal((await readAll(bus, topic)).map((r) => r.value), ['secret payload']);
    } finally {
      await bus.stop();
    }
  }
});

test('embedded: from offsets and partitions as on Kafka (one partition, 0)', async () => {
  const bus = createEmbeddedBus();
  try {
    await bus.start();
    const p = bus.producer();
    await p.send(Array.from({ length: 5 }, (_, i) => ({ topic: 't', key: `k${i}`, value: Buffer.from(String(i)) })));
    assert.equal((await readAll(bus, 't', { from: new Map([[0, 3]]) })).map((r) => r.value), ['3', '4']);
    assert.equal(await readAll(bus, 't', { partitions: [1] }), []);
    assert.is((await readAll(bus, 't', { partitions: [0] })).length, 5);
  } finally {
    await bus.stop();
  }
});

test.run();
