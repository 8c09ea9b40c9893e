// The Bus contract: one suite, run against the embedded bus (test/bus/embedded.test.ts) and against
// the real Kafka broker (test/bus/kafka.test.ts). Each case uses topics and groups of its own.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  silentLogger, startPipeline, type Bus, type BusRecord, type OutboundRecord, type SinkFactory, type Subscription,
} from '@faultline/runtime';
import { TOPICS, encode, validate, type DeadLetter, type MetricBatch } from '@faultline/schemas';
import { Type } from '@sinclair/typebox';
import { waitFor } from './services.js';

export interface BusUnderTest {
  name: string;
  /** A bus for one case; the suite starts and stops it. */
  create(): Bus;
  /** Partitions of the topics the suite creates (Kafka: several, to exercise per-partition batches). */
  partitions: number;
}

const rec = (topic: string, key: string | null, value: string | null, headers: Record<string, string> = {}): OutboundRecord =>
  ({ topic, key, value: value === null ? null : Buffer.from(value), headers });

/** Collects what a group receives; `until` waits for a count. */
function collector() {
  const seen: BusRecord[] = [];
  return {
    seen,
    onBatch: async (records: readonly BusRecord[]) => { seen.push(...records); },
    until: (n: number, what = `${n} records`) => waitFor(what, () => (seen.length >= n ? seen : undefined), 60_000, 50),
  };
}

const byKey = (records: readonly BusRecord[]) => {
  const m = new Map<string | null, string[]>();
  for (const r of records) m.set(r.key, [...(m.get(r.key) ?? []), r.value?.toString() ?? 'null']);
  return m;
};

export function busContract(under: BusUnderTest): void {
  const run = randomUUID().slice(0, 8);
  let n = 0;
  const name = (what: string) => `contract-${run}-${what}-${++n}`;
  let bus: Bus;
  const subs: Subscription[] = [];

  test.before.each(async () => {
    bus = under.create();
    await bus.start();
  });
  test.after.each(async () => {
    await Promise.all(subs.splice(0).map((s) => s.stop()));
    await bus.stop();
  });

  const topics = async (...names: string[]) => bus.ensureTopics(names.map((t) => ({ name: t, partitions: under.partitions })));

  test(`${under.name}: a group receives every record with key, headers and tombstones, in order per key`, async () => {
    const t = name('order');
    await topics(t);
    const p = bus.producer();
    const out: OutboundRecord[] = [];
    for (let i = 0; i < 60; i++) out.push(rec(t, `host-${i % 3}`, `${i}`, { 'fl-schema': 'x', n: String(i) }));
    out.push(rec(t, 'host-0', null));
    await p.send(out);
    await p.close();
    const c = collector();
    subs.push(await bus.subscribe({ group: name('g'), topics: [t], onBatch: c.onBatch }));
    await c.until(61);
    const keys = byKey(c.seen);
    assert.equal(keys.get('host-1'), out.filter((r) => r.key === 'host-1').map((r) => r.value!.toString()));
    assert.equal(keys.get('host-0')!.at(-1), 'null', 'the tombstone arrives last for its key, as null');
    const five = c.seen.find((r) => r.value?.toString() === '5')!;
    assert.equal(five.headers.n, '5');
    assert.equal(five.topic, t);
    assert.ok(Number(five.offset) >= 0);
  });

  test(`${under.name}: a group resumes after its committed offset; another group reads everything`, async () => {
    const t = name('commit');
    const group = name('g');
    await topics(t);
    const p = bus.producer();
    await p.send(Array.from({ length: 10 }, (_, i) => rec(t, 'k', `a${i}`)));
    const first = collector();
    const s1 = await bus.subscribe({ group, topics: [t], onBatch: first.onBatch });
    await first.until(10);
    await s1.stop();
    await p.send(Array.from({ length: 5 }, (_, i) => rec(t, 'k', `b${i}`)));
    await p.close();
    const second = collector();
    subs.push(await bus.subscribe({ group, topics: [t], onBatch: second.onBatch }));
    await second.until(5);
    const other = collector();
    subs.push(await bus.subscribe({ group: name('g'), topics: [t], onBatch: other.onBatch }));
    await other.until(15);
    await new Promise((r) => setTimeout(r, 500)); // nothing old may follow
    assert.equal(second.seen.map((r) => r.value!.toString()), ['b0', 'b1', 'b2', 'b3', 'b4']);
    assert.is(other.seen.length, 15);
  });

  test(`${under.name}: a batch whose onBatch throws is delivered again and nothing is skipped`, async () => {
    const t = name('retry');
    await topics(t);
    const p = bus.producer();
    await p.send(Array.from({ length: 5 }, (_, i) => rec(t, 'k', `${i}`)));
    await p.close();
    let failures = 0;
    const seen: string[] = [];
    subs.push(await bus.subscribe({
      group: name('g'), topics: [t],
      onBatch: async (records) => {
        if (failures < 1) { failures++; throw new Error('sink down'); }
        seen.push(...records.map((r) => r.value!.toString()));
      },
    }));
    await waitFor('redelivery', () => (seen.length >= 5 ? true : undefined), 60_000, 50);
    assert.is(failures, 1);
    assert.equal(seen, ['0', '1', '2', '3', '4']);
  });

  test(`${under.name}: consume-transform-produce: the output and the offsets commit together`, async () => {
    const input = name('ctp-in');
    const output = name('ctp-out');
    const group = name('g');
    await topics(input, output);
    const p = bus.producer();
    await p.send(Array.from({ length: 20 }, (_, i) => rec(input, `h${i % 2}`, `${i}`)));
    await p.close();
    let processed = 0;
    const transform = async (records: readonly BusRecord[]) => {
      processed += records.length;
      return records.map((r) => rec(output, r.key, `out-${r.value!.toString()}`));
    };
    const s = await bus.subscribe({ group, topics: [input], onBatch: transform });
    const downstream = collector();
    subs.push(await bus.subscribe({ group: name('down'), topics: [output], onBatch: downstream.onBatch }));
    await downstream.until(20);
    await s.stop();
    // The same group starts again: the offsets were committed with the output, so nothing is redone.
    let again = 0;
    subs.push(await bus.subscribe({ group, topics: [input], onBatch: async (r) => { again += r.length; } }));
    await new Promise((r) => setTimeout(r, 1_500));
    assert.is(again, 0);
    assert.is(processed, 20);
    assert.equal(byKey(downstream.seen).get('h1'), ['out-1', 'out-3', 'out-5', 'out-7', 'out-9', 'out-11', 'out-13', 'out-15', 'out-17', 'out-19']);
  });

  test(`${under.name}: pause stops deliveries until resume`, async () => {
    const t = name('pause');
    await topics(t);
    const c = collector();
    const s = await bus.subscribe({ group: name('g'), topics: [t], onBatch: c.onBatch });
    subs.push(s);
    const p = bus.producer();
    await p.send([rec(t, 'k', 'before')]);
    await c.until(1);
    s.pause();
    await new Promise((r) => setTimeout(r, 300));
    await p.send([rec(t, 'k', 'while-paused')]);
    await new Promise((r) => setTimeout(r, 1_000));
    assert.is(c.seen.length, 1, 'nothing is delivered while paused');
    s.resume();
    await c.until(2);
    await p.close();
    assert.is(c.seen[1]!.value!.toString(), 'while-paused');
  });

  test(`${under.name}: from latest skips what was there before; onAssign comes before the first batch`, async () => {
    const t = name('latest');
    await topics(t);
    const p = bus.producer();
    await p.send([rec(t, 'k', 'old')]);
    const events: string[] = [];
    const c = collector();
    subs.push(await bus.subscribe({
      group: name('g'), topics: [t], from: 'latest',
      onAssign: async (parts) => { events.push(`assign ${parts.length}`); },
      onBatch: async (r) => { events.push('batch'); await c.onBatch(r); },
    }));
    await waitFor('assignment', () => (events.length ? true : undefined), 30_000, 50);
    await new Promise((r) => setTimeout(r, 500));
    await p.send([rec(t, 'k', 'new')]);
    await p.close();
    await c.until(1);
    assert.equal(c.seen.map((r) => r.value!.toString()), ['new']);
    assert.ok(events[0]!.startsWith('assign'), events.join(','));
  });

  test(`${under.name}: a member that stops hands its partitions over: nothing is lost, revoke and assign are told`, async () => {
    const t = name('handover');
    const group = name('g');
    await topics(t);
    const p = bus.producer();
    const got = new Map<string, number>();
    const events: string[] = [];
    const member = (id: string) => bus.subscribe({
      group, topics: [t],
      onAssign: async (parts) => { events.push(`${id} assigned ${parts.length}`); },
      onRevoke: async (parts) => { events.push(`${id} revoked ${parts.length}`); },
      onBatch: async (records) => { for (const r of records) got.set(r.value!.toString(), (got.get(r.value!.toString()) ?? 0) + 1); },
    });
    const a = await member('a');
    await p.send(Array.from({ length: 30 }, (_, i) => rec(t, `k${i % 5}`, `first-${i}`)));
    await waitFor('the first records', () => (got.size >= 30 ? true : undefined), 60_000, 50);
    const b = await member('b');
    subs.push(b);
    await a.stop();
    await p.send(Array.from({ length: 30 }, (_, i) => rec(t, `k${i % 5}`, `second-${i}`)));
    await p.close();
    await waitFor('every record', () => (got.size >= 60 ? true : undefined), 90_000, 50);
    assert.ok(events.includes(`a revoked ${under.partitions}`) || events.some((e) => e.startsWith('a revoked')), events.join(', '));
    assert.ok(events.some((e) => e.startsWith('b assigned')), events.join(', '));
    assert.ok([...got.values()].every((n) => n >= 1));
  });

  test(`${under.name}: one send of several MiB is delivered whole (the producer splits it under the broker's batch limit)`, async () => {
    const t = name('large-send');
    await topics(t);
    const p = bus.producer();
    // 6,000 records of 600 random bytes (compression cannot shrink them): 3.6 MB, more than the broker
    // takes in one batch (1 MiB).
    await p.send(Array.from({ length: 6_000 }, (_, i) => rec(t, `k${i % 7}`, `${String(i).padStart(8, '0')}${randomBytes(444).toString('base64')}`)));
    await p.close();
    const got = new Set<string>();
    for await (const r of bus.readAll(t)) got.add(r.value!.toString().slice(0, 8));
    assert.is(got.size, 6_000);
  });

  test(`${under.name}: readAll returns a topic from its start to its current end`, async () => {
    const t = name('readall');
    await topics(t);
    const p = bus.producer();
    await p.send(Array.from({ length: 12 }, (_, i) => rec(t, `a${i % 4}`, `${i}`)));
    await p.close();
    const got: string[] = [];
    for await (const r of bus.readAll(t)) got.push(r.value!.toString());
    assert.equal(got.sort(), Array.from({ length: 12 }, (_, i) => `${i}`).sort());
  });

  test(`${under.name}: bad input goes to deadletter with reason, source and original bytes; the consumer keeps going`, async () => {
    const tag = name('dl');
    const written: unknown[] = [];
    const sink: SinkFactory = {
      kind: 'sink', type: 'collect', stability: 'development', description: 'keeps what it is given', configSchema: Type.Object({}),
      create: () => ({ inputs: ['metrics'], start: async () => {}, stop: async () => {}, write: async (batch) => { written.push(...batch.map((e) => e.value)); } }),
    };
    const good = (i: number): MetricBatch => ({ node: tag, collector: 'contract', ts: Date.now(), interval_ms: 1000, samples: [{ name: 'x', labels: {}, value: i }] });
    const enc = (v: MetricBatch) => encode('metric_batch', v);
    const p = bus.producer();
    const sent = [
      { topic: 'metrics', key: tag, ...enc(good(1)) },
      { topic: 'metrics', key: tag, value: Buffer.from('{not json'), headers: { 'fl-schema': 'metric_batch', 'fl-version': '1.0' } },
      { topic: 'metrics', key: tag, value: Buffer.from(JSON.stringify({ node: tag })), headers: { 'fl-schema': 'metric_batch', 'fl-version': '1.0' } },
      { topic: 'metrics', key: tag, value: enc(good(2)).value, headers: { 'fl-schema': 'metric_batch', 'fl-version': '99.0' } },
      // Above the 1 MiB record limit; compressible, so the broker takes the lz4 batch.
      { topic: 'metrics', key: tag, value: Buffer.from(JSON.stringify('a'.repeat(1_100_000))), headers: { 'fl-schema': 'metric_batch', 'fl-version': '1.0' } },
      { topic: 'metrics', key: tag, value: enc(good(4)).value, headers: { 'fl-schema': 'no_such_event', 'fl-version': '1.0' } },
      { topic: 'metrics', key: tag, ...enc(good(3)) },
    ];
    const dataDir = mkdtempSync(join(tmpdir(), 'fl-contract-'));
    await bus.ensureTopics(Object.keys(TOPICS).map((t) => ({ name: t, partitions: 1 })));
    const pipeline = await startPipeline({
      file: 'contract', node: tag, dataDir, bus: { type: under.name === 'kafka' ? 'kafka' : 'embedded' },
      components: [{ kind: 'sink', id: `sinks.${tag}`, name: tag, factory: sink, config: {} }],
    }, bus, silentLogger);
    try {
      await p.send(sent);
      await p.close();
      await waitFor('good records', () => (written.filter((w) => (w as MetricBatch).node === tag).length >= 2 ? true : undefined), 60_000, 50);
      const letters: DeadLetter[] = [];
      const c = collector();
      subs.push(await bus.subscribe({ group: name('dlg'), topics: ['deadletter'], onBatch: c.onBatch }));
      await waitFor('5 dead letters', () => {
        letters.splice(0, letters.length, ...c.seen.map((r) => JSON.parse(r.value!.toString()) as DeadLetter).filter((d) =>
          d.consumer === `sinks.${tag}` && Buffer.from(d.key_base64 ?? '', 'base64').toString() === tag)); // metrics is shared: older bad records are refused too
        return letters.length >= 5 ? true : undefined;
      }, 60_000, 100);
      assert.equal(letters.map((d) => d.reason).sort(), ['malformed', 'oversized', 'schema_violation', 'unknown_schema', 'unknown_version']);
      const malformed = letters.find((d) => d.reason === 'malformed')!;
      assert.is(Buffer.from(malformed.value_base64, 'base64').toString(), '{not json');
      assert.is(malformed.source.topic, 'metrics');
      assert.ok(Number(malformed.source.offset) >= 0);
      const oversized = letters.find((d) => d.reason === 'oversized')!;
      assert.is(Buffer.from(oversized.value_base64, 'base64').length, 64 * 1024, 'an oversized record\'s dead letter keeps its head');
      assert.match(oversized.detail, /first 65536 bytes/);
      assert.ok(letters.every((d) => validate('dead_letter', d)), 'every dead letter is a valid DeadLetter');
      assert.equal((written as MetricBatch[]).filter((w) => w.node === tag).map((w) => w.samples[0]!.value), [1, 3]);
      const counted = await bus.telemetry.registry.getSingleMetricAsString('faultline_dead_letters_total');
      assert.match(counted, new RegExp(`component="sinks.${tag}",reason="malformed"} [1-9]`));
    } finally {
      await pipeline.stop(); // stops the bus too; after.each's stop is then a no-op
      bus = under.create();
    }
  });
}
