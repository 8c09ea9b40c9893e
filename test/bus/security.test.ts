// The Kafka bus over the broker's secured listeners: SASL/SCRAM-SHA-512 (19094, user faultline) and
// TLS (19095, certificate signed by the CA deploy/dev/svc generated at .dev/kafka/tls/ca.pem).
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus, type BusRecord, type KafkaConfig } from '@faultline/runtime';
import { DEV_DIR, SERVICES, ensureServices, waitFor } from '../support/index.js';

await ensureServices('kafka');
const base = { client_id: 'faultline-security-test', compression: 'lz4', linger_ms: 2, batch_max_records: 100, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 } } as const;
const SASL = { mechanism: 'scram-sha-512', username: process.env.FAULTLINE_KAFKA_SASL_USER ?? 'faultline', password: process.env.FAULTLINE_KAFKA_SASL_PASSWORD ?? 'faultline-secret' } as const;
const CA = resolve(DEV_DIR, 'kafka/tls/ca.pem');

/** Produces one record and reads it back through a consumer group, all over the given connection. */
async function roundTrip(config: KafkaConfig): Promise<string> {
  const bus = createKafkaBus(config);
  const topic = `security-${randomUUID().slice(0, 8)}`;
  try {
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    const p = bus.producer();
    await p.send([{ topic, key: 'k', value: Buffer.from('secret payload') }]);
    await p.close();
    const seen: BusRecord[] = [];
    await bus.subscribe({ group: `${topic}-g`, topics: [topic], onBatch: async (r) => { seen.push(...r); } });
    await waitFor('the record', () => (seen.length ? true : undefined), 60_000, 50);
    return seen[0]!.value!.toString();
  } finally {
    await bus.stop();
  }
}

const refused = async (config: KafkaConfig) => {
  const bus = createKafkaBus({ ...config, brokers: config.brokers });
  try {
    await bus.ensureTopics([{ name: `security-refused-${randomUUID().slice(0, 8)}`, partitions: 1 }]);
    return false;
  } catch {
    return true;
  } finally {
    await bus.stop();
  }
};

test('SASL/SCRAM-SHA-512: produce and consume with the right password', async () => {
  assert.is(await roundTrip({ ...base, brokers: [`127.0.0.1:${SERVICES.kafka.saslPort}`], sasl: SASL }), 'secret payload');
});

test('SASL/SCRAM-SHA-512: a wrong password is refused', async () => {
  assert.ok(await refused({ ...base, brokers: [`127.0.0.1:${SERVICES.kafka.saslPort}`], sasl: { ...SASL, password: 'wrong' } }));
});

test('TLS: produce and consume, the broker certificate checked against the dev CA', async () => {
  assert.is(await roundTrip({ ...base, brokers: [`127.0.0.1:${SERVICES.kafka.tlsPort}`], tls: { ca_file: CA, reject_unauthorized: true } }), 'secret payload');
});

test('TLS: without the CA the broker certificate is not trusted', async () => {
  assert.ok(await refused({ ...base, brokers: [`127.0.0.1:${SERVICES.kafka.tlsPort}`], tls: { reject_unauthorized: true } }));
});

test.run();
