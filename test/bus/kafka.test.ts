// The Bus contract against the real Kafka broker (deploy/dev/svc kafka, 127.0.0.1:19092).
import { test } from 'uvu';
import { createKafkaBus, createLogger } from '@faultline/runtime';
import { busContract } from '../support/bus-contract.js';
import { SERVICES, ensureServices } from '../support/index.js';

await ensureServices('kafka');
busContract({
  name: 'kafka',
  partitions: 3,
  create: () => createKafkaBus({
    brokers: [...SERVICES.kafka.brokers], client_id: 'faultline-contract', compression: 'lz4', linger_ms: 5,
    batch_max_records: 1000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 },
  }, { log: createLogger('kafka-bus', { level: process.env.FAULTLINE_TEST_LOG ? 'debug' : 'error' }) }),
});
test.run();
