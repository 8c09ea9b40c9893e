// A processor whose handle() keeps throwing: the pipeline retries the batch processor_retry.max_attempts times, then
// splits it to find the records it fails on; only those go to deadletter (processing_error), the good records' outputs
// are published once, and a processor that fails on everything costs a bounded number of handle() calls. On the
// embedded bus and on the real Kafka broker (127.0.0.1:19092).
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import {
  createEmbeddedBus, createKafkaBus, silentLogger, startPipeline, type Bus, type BusRecord, type Envelope, type ProcessorFactory,
  type RunningPipeline,
} from '@faultline/runtime';
import { decode, encode, type DeadLetter, type FaultEvent, type MetricBatch } from '@faultline/schemas';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';

await ensureServices('kafka');

const MAX_ATTEMPTS = 3;
/** The systemic-failure rule's count (SYSTEMIC_AFTER_FAILED_RECORDS in runtime/core/src/processor-retry.ts). */
const SYSTEMIC_AFTER = 4;

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

/**
 * A pipeline with one processor that logs a fault per record of this run (reason_text = the record's sample name),
 * and throws where `fails` says, after emitting: what a failed call emitted must never be published. On Kafka the
 * shared metrics topic holds other runs' records: the processor passes them over, and the readers keep only this
 * run's (its node and key are the run's tag).
 */
async function harness(under: (typeof buses)[number], fails: (name: string, calls: number) => boolean) {
  const tag = `retry-${randomUUID().slice(0, 8)}`;
  const id = `processors.${tag}`;
  /** Each handle() call with records of this run: their sample names, and how many records it had (other runs' too). */
  const calls: { names: string[]; size: number }[] = [];
  const nameOf = (e: Envelope) => {
    const m = e.value as MetricBatch;
    return m.node === tag ? m.samples[0]!.name : undefined;
  };
  const factory: ProcessorFactory = {
    kind: 'processor', type: 'flaky', stability: 'development', description: 'fails on some records', configSchema: Type.Object({}),
    create: () => ({
      inputs: ['metrics'], start: async () => {}, stop: async () => {},
      handle: async (batch, out) => {
        const names = batch.map(nameOf).filter((n) => n !== undefined);
        if (!names.length) return;
        calls.push({ names, size: batch.length });
        for (const name of names) {
          out('faults', { op: 'log', alarm_id: '700.101', entity_instance_id: `host=${tag}`, reason_text: name, ts: Date.now() });
          if (fails(name, calls.length)) throw new Error(`cannot handle ${name}`);
        }
      },
    }),
  };
  const bus = under.create();
  const pipeline: RunningPipeline = await startPipeline({
    file: 'retry', node: tag, dataDir: mkdtempSync(join(tmpdir(), 'fl-retry-data-')), bus: { type: under.name },
    components: [{ kind: 'processor', id, name: tag, factory, config: {} }],
    processorRetry: { maxAttempts: MAX_ATTEMPTS, backoffMs: 10, maxBackoffMs: 40 },
  }, bus, silentLogger);
  const logged = await reader(bus, 'faults', (r) => {
    const d = decode('fault_event', r.headers, r.value!);
    const f = d.ok ? (d.value as FaultEvent) : undefined;
    return f?.entity_instance_id === `host=${tag}` ? f.reason_text : undefined;
  });
  const letters = await reader(bus, 'deadletter', (r) => {
    const dl = JSON.parse(r.value!.toString()) as DeadLetter;
    return dl.consumer === id && Buffer.from(dl.key_base64 ?? '', 'base64').toString() === tag ? dl : undefined;
  });
  const producer = bus.producer();
  /** One send: the records reach the consumer together, as one batch. */
  const send = (...names: string[]) => producer.send(names.map((name) => ({
    topic: 'metrics', key: tag,
    ...encode('metric_batch', { node: tag, collector: 'retry', ts: Date.now(), interval_ms: 1000, samples: [{ name, labels: {}, value: 1 }] }),
  })));
  /** Sends a record and waits until its output is read: everything handled before it has been published by then. */
  const mark = async (name: string) => {
    await send(name);
    await waitFor(`${name} handled`, () => (logged.includes(name) ? true : undefined), 60_000, 20);
  };
  const letterName = (dl: DeadLetter) => {
    const original = decode('metric_batch', dl.headers, Buffer.from(dl.value_base64, 'base64'));
    return original.ok ? (original.value as MetricBatch).samples[0]!.name : undefined;
  };
  const counted = async (metric: string) => bus.telemetry.registry.getSingleMetricAsString(metric);
  return {
    tag, id, bus, calls, logged, letters, send, mark, letterName, counted,
    stop: async () => { await producer.close(); await pipeline.stop(); },
  };
}

for (const under of buses) {
  test(`${under.name}: a record that keeps failing alone goes to deadletter after max_attempts; the processor moves on`, async () => {
    // Throws on "poison" always, on "twice" the first two times.
    const tries = new Map<string, number>();
    const h = await harness(under, (name) => {
      const n = (tries.get(name) ?? 0) + 1;
      tries.set(name, n);
      return name === 'poison' || (name === 'twice' && n <= 2);
    });
    try {
      // One at a time, so the poison record is alone in its batch.
      await h.mark('first');
      await h.send('poison');
      await waitFor('the poison dead-lettered', () => (h.letters.length ? true : undefined), 60_000, 20);
      await h.send('after');
      await h.mark('twice');

      assert.is(tries.get('poison'), MAX_ATTEMPTS, 'handle() was tried max_attempts times on the poison batch, no more: it is one record');
      assert.is(h.letters.length, 1);
      const dl = h.letters[0]!;
      assert.is(dl.reason, 'processing_error');
      assert.is(dl.source.topic, 'metrics');
      assert.match(dl.detail, `failed on this record alone, after ${MAX_ATTEMPTS} attempts on its batch of 1: cannot handle poison`);
      assert.is(h.letterName(dl), 'poison', 'the dead letter holds the original record');
      assert.equal(h.logged, ['first', 'after', 'twice'], 'only the attempt that succeeded published; the poison batch published nothing');
      assert.match(await h.counted('faultline_dead_letters_total'), new RegExp(`component="${h.id}",reason="processing_error"} 1\\b`));
      assert.match(await h.counted('faultline_processor_retries_total'), `{component="${h.id}"} 4`, 'two retries of the poison batch, two of "twice"');
    } finally {
      await h.stop();
    }
  });

  test(`${under.name}: one poison record among good ones: the good ones are published once, only the poison is dead-lettered`, async () => {
    const h = await harness(under, (name) => name === 'poison');
    try {
      await h.mark('first');
      const good = Array.from({ length: 15 }, (_, i) => `good_${i}`);
      const batch = [...good.slice(0, 6), 'poison', ...good.slice(6)];
      await h.send(...batch);
      await waitFor('the poison dead-lettered', () => (h.letters.length ? true : undefined), 60_000, 20);
      await h.mark('after');

      const withPoison = h.calls.filter((c) => c.names.includes('poison'));
      assert.ok(withPoison.some((c) => c.names.length > 1), 'the poison record shared a batch with good ones');
      const biggest = Math.max(...withPoison.map((c) => c.size));
      assert.equal(h.logged, ['first', ...good, 'after'], 'every good record\'s output once, in batch order; nothing of a failed call');
      assert.is(h.letters.length, 1, 'nothing else is dead-lettered');
      const dl = h.letters[0]!;
      assert.is(dl.reason, 'processing_error');
      assert.match(dl.detail, `failed on this record alone, after ${MAX_ATTEMPTS} attempts on its batch of ${biggest}: cannot handle poison`);
      assert.is(h.letterName(dl), 'poison', 'the dead letter holds the original value');
      assert.is(Buffer.from(dl.key_base64!, 'base64').toString(), h.tag, 'and the original key');
      assert.is(dl.source.topic, 'metrics');
      // max_attempts on the whole batch, then about 2 log2 n calls of bisection.
      const handled = h.calls.filter((c) => c.names.some((n) => batch.includes(n))).length;
      assert.ok(handled <= MAX_ATTEMPTS + 2 * Math.ceil(Math.log2(biggest)), `${handled} handle() calls for a batch of ${biggest}`);
      assert.match(await h.counted('faultline_dead_letters_total'), new RegExp(`component="${h.id}",reason="processing_error"} 1\\b`));
    } finally {
      await h.stop();
    }
  });

  test(`${under.name}: a processor failing on everything dead-letters every record in a bounded number of calls`, async () => {
    let down = false;
    const h = await harness(under, (name) => down && name !== 'after');
    try {
      await h.mark('first');
      down = true;
      const records = Array.from({ length: 64 }, (_, i) => `down_${i}`);
      await h.send(...records);
      await waitFor('every record dead-lettered', () => (h.letters.length >= records.length ? true : undefined), 60_000, 20);
      down = false;
      await h.mark('after');

      const whileDown = h.calls.filter((c) => c.names.some((n) => records.includes(n)));
      assert.ok(whileDown.some((c) => c.names.length > 1), 'the records shared a batch');
      const biggest = Math.max(...whileDown.map((c) => c.size));
      assert.equal(h.letters.map(h.letterName).sort(), [...records].sort(), 'every record dead-lettered once');
      assert.equal(h.logged, ['first', 'after'], 'nothing of a failed call published');
      // A full bisection would take about 2n calls (126 for 64); the systemic rule stops splitting.
      const bound = MAX_ATTEMPTS + 2 * Math.ceil(Math.log2(biggest)) + SYSTEMIC_AFTER;
      assert.ok(whileDown.length <= bound, `${whileDown.length} handle() calls while down, at most ${bound}`);
      assert.ok(h.letters.some((dl) => dl.detail.includes('failed on this record alone')), 'the first records were isolated');
      assert.ok(h.letters.some((dl) => dl.detail.includes('the failure looks systemic')), 'then parts went whole');
      assert.ok(h.letters.every((dl) => dl.reason === 'processing_error' && dl.detail.includes('cannot handle down_')));
    } finally {
      await h.stop();
    }
  });
}

test.run();
