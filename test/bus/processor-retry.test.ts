// A processor whose handle() keeps throwing on a batch: the pipeline retries it processor_retry.max_attempts
// times, then sends the batch's records to deadletter (processing_error) and moves on, on the embedded bus
// and on the real Kafka broker (127.0.0.1:19092).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import {
  createEmbeddedBus, createKafkaBus, silentLogger, startPipeline, type Bus, type BusRecord, type ProcessorFactory,
} from '@faultline/runtime';
import { decode, encode, type DeadLetter, type FaultEvent, type MetricBatch } from '@faultline/schemas';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';

await ensureServices('kafka');

const buses: { name: 'embedded' | 'kafka'; create(): Bus }[] = [
  { name: 'embedded', create: () => createEmbeddedBus({ dir: mkdtempSync(join(tmpdir(), 'fl-retry-')) }) },
  {
    name: 'kafka',
    create: () => createKafkaBus({
      brokers: [...SERVICES.kafka.brokers], client_id: 'faultline-processor-retry', compression: 'lz4', linger_ms: 5,
      batch_max_records: 1000, spool: { max_bytes: 1 << 20, clear_after_ms: 1000 },
    }, { log: silentLogger }),
  },
];

/** Reads a topic from its start and keeps what `keep` returns for this run's records. */
async function reader<T>(bus: Bus, topic: 'faults' | 'deadletter', keep: (r: BusRecord) => T | undefined) {
  const kept: T[] = [];
  await bus.subscribe({
    group: `retry-reader-${randomUUID()}`, topics: [topic],
    onBatch: async (records) => { for (const r of records) { const k = keep(r); if (k !== undefined) kept.push(k); } },
  });
  return kept;
}

for (const under of buses) {
  test(`${under.name}: a batch that keeps failing goes to deadletter after max_attempts; the processor moves on`, async () => {
    const tag = `retry-${randomUUID().slice(0, 8)}`;
    const attempts = new Map<string, number>();
    // Throws on "poison" always, on "twice" the first two times (after emitting: that output must not be published).
    const flaky: ProcessorFactory = {
      kind: 'processor', type: 'flaky', stability: 'development', description: 'fails on some records', configSchema: Type.Object({}),
      create: () => ({
        inputs: ['metrics'], start: async () => {}, stop: async () => {},
        handle: async (batch, out) => {
          for (const e of batch) {
            const m = e.value as MetricBatch;
            if (m.node !== tag) continue;
            const what = m.samples[0]!.name;
            const n = (attempts.get(what) ?? 0) + 1;
            attempts.set(what, n);
            out('faults', { op: 'log', alarm_id: '700.101', entity_instance_id: `host=${tag}`, reason_text: what, ts: Date.now() });
            if (what === 'poison' || (what === 'twice' && n <= 2)) throw new Error(`cannot handle ${what}`);
          }
        },
      }),
    };
    const bus = under.create();
    const id = `processors.${tag}`;
    const pipeline = await startPipeline({
      file: 'retry', node: tag, dataDir: mkdtempSync(join(tmpdir(), 'fl-retry-data-')), bus: { type: under.name },
      components: [{ kind: 'processor', id, name: tag, factory: flaky, config: {} }],
      processorRetry: { maxAttempts: 3, backoffMs: 10, maxBackoffMs: 40 },
    }, bus, silentLogger);
    try {
      const logged = await reader(bus, 'faults', (r) => {
        const d = decode('fault_event', r.headers, r.value!);
        const f = d.ok ? (d.value as FaultEvent) : undefined;
        return f?.entity_instance_id === `host=${tag}` ? f.reason_text : undefined;
      });
      // On Kafka the shared metrics topic holds other runs' records, read from its start: a poison batch takes its
      // batch-mates to deadletter with it, so only this run's key is counted.
      const letters = await reader(bus, 'deadletter', (r) => {
        const dl = JSON.parse(r.value!.toString()) as DeadLetter;
        return dl.consumer === id && Buffer.from(dl.key_base64 ?? '', 'base64').toString() === tag ? dl : undefined;
      });
      const producer = bus.producer();
      const send = (name: string) => producer.send([{
        topic: 'metrics', key: tag, ...encode('metric_batch', { node: tag, collector: 'retry', ts: Date.now(), interval_ms: 1000, samples: [{ name, labels: {}, value: 1 }] }),
      }]);
      // One at a time, so the poison record is alone in its batch.
      await send('first');
      await waitFor('first handled', () => (logged.includes('first') ? true : undefined), 60_000, 20);
      await send('poison');
      await waitFor('the poison dead-lettered', () => (letters.length ? true : undefined), 60_000, 20);
      await send('after');
      await send('twice');
      await waitFor('the records after it handled', () => (logged.includes('after') && logged.includes('twice') ? true : undefined), 60_000, 20);
      await producer.close();

      assert.is(attempts.get('poison'), 3, 'handle() was tried max_attempts times on the poison batch');
      assert.is(letters.length, 1);
      const dl = letters[0]!;
      assert.is(dl.reason, 'processing_error');
      assert.is(dl.source.topic, 'metrics');
      assert.match(dl.detail, 'failed 3 times on this batch: cannot handle poison');
      const original = decode('metric_batch', dl.headers, Buffer.from(dl.value_base64, 'base64'));
      assert.ok(original.ok && (original.value as MetricBatch).samples[0]!.name === 'poison', 'the dead letter holds the original record');
      assert.equal(logged, ['first', 'after', 'twice'], 'only the attempt that succeeded published; the poison batch published nothing');
      const counted = await bus.telemetry.registry.getSingleMetricAsString('faultline_dead_letters_total');
      assert.match(counted, new RegExp(`component="${id}",reason="processing_error"} [1-9]`));
      const retried = await bus.telemetry.registry.getSingleMetricAsString('faultline_processor_retries_total');
      assert.match(retried, `{component="${id}"} 4`, 'two retries of the poison batch, two of "twice"');
    } finally {
      await pipeline.stop();
    }
  });
}

test.run();
