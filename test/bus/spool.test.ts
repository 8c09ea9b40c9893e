// The edge spool against a real broker stopped mid-stream and started again. The broker is a PRIVATE
// one (own FAULTLINE_DEV_DIR and ports), never the shared dev broker. Two spools live through the
// same outage: a roomy one, whose every record must arrive once and in order per key, and a small
// one, which must drop its oldest records, count them, and report 720.001 (set, then clear).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createKafkaBus, createLogger, type Bus, type BusRecord, type Producer } from '@faultline/runtime';
import type { FaultEvent } from '@faultline/schemas';
import { privateService, waitFor } from '../support/index.js';

const kafka = await privateService('kafka');
const { svc } = kafka;
const TOPIC = 'spooled';
const KEYS = ['compute-0', 'compute-1', 'compute-2', 'compute-3'];
const log = createLogger('spool-test', { level: process.env.FAULTLINE_TEST_LOG ? 'debug' : 'error' });

let bus: Bus | undefined;
const spoolDirs: string[] = [];
test.after(async () => {
  await bus?.stop().catch(() => {});
  await kafka.remove();
  for (const d of spoolDirs) rmSync(d, { recursive: true, force: true });
});

/** Sends `count` records round-robin over KEYS, each numbered per key, one send() per record. */
async function feed(p: Producer, from: number, count: number, seq: Map<string, number>, pad = 0) {
  for (let i = from; i < from + count; i++) {
    const key = KEYS[i % KEYS.length]!;
    const n = seq.get(key) ?? 0;
    seq.set(key, n + 1);
    await p.send([{ topic: TOPIC, key, value: Buffer.from(JSON.stringify({ key, n, pad: 'x'.repeat(pad) })) }]);
  }
}

test('records sent while the broker is down arrive once it is back: all of them inside the bound, once, in order per key; past the bound the oldest are dropped and 720.001 is set then cleared', async () => {
  await svc('start');
  const brokers = [`127.0.0.1:${kafka.ports.FAULTLINE_KAFKA_PORT}`];
  bus = createKafkaBus({
    brokers, client_id: 'spool-test', compression: 'lz4', linger_ms: 5, batch_max_records: 200,
    spool: { max_bytes: 1 << 20, clear_after_ms: 1000 },
  }, { log });
  await bus.ensureTopics([{ name: TOPIC, partitions: 3 }, { name: 'small', partitions: 1 }, { name: 'faults', partitions: 1 }]);
  const dir = (name: string) => { const d = mkdtempSync(join(tmpdir(), `fl-spool-${name}-`)); spoolDirs.push(d); return d; };
  const roomy = bus.producer({ spool: { name: 'roomy', dir: dir('roomy'), node: 'edge-1', maxBytes: 8 << 20, clearAfterMs: 1000 } });
  const small = bus.producer({ spool: { name: 'small', dir: dir('small'), node: 'edge-1', maxBytes: 64 * 1024, clearAfterMs: 1000 } });
  const seq = new Map<string, number>();

  await feed(roomy, 0, 100, seq);
  await svc('stop');
  await feed(roomy, 100, 300, seq); // resolves as the records reach the spool on disk
  // The small spool: ~600 records of ~1 KiB through a 64 KiB bound while the broker is away.
  for (let i = 0; i < 600; i++) await small.send([{ topic: 'small', key: 'edge-1', value: Buffer.from(JSON.stringify({ i, pad: 'y'.repeat(1000) })) }]);
  const dropped = await bus.telemetry.registry.getSingleMetric('faultline_spool_dropped_total')!.get();
  const smallDropped = dropped.values.find((v) => v.labels.spool === 'small')?.value ?? 0;
  assert.ok(smallDropped > 0, 'the small spool dropped its oldest records');
  assert.is(dropped.values.find((v) => v.labels.spool === 'roomy')?.value ?? 0, 0, 'the roomy spool dropped nothing');
  await svc('start');
  await feed(roomy, 400, 100, seq);

  const seen: BusRecord[] = [];
  const faults: FaultEvent[] = [];
  const smallSeen: number[] = [];
  await bus.subscribe({ group: 'spool-test-reader', topics: [TOPIC], onBatch: async (r) => { seen.push(...r); } });
  await bus.subscribe({ group: 'spool-test-small', topics: ['small'], onBatch: async (r) => { smallSeen.push(...r.map((x) => (JSON.parse(x.value!.toString()) as { i: number }).i)); } });
  await bus.subscribe({ group: 'spool-test-faults', topics: ['faults'], onBatch: async (r) => { faults.push(...r.map((x) => JSON.parse(x.value!.toString()) as FaultEvent)); } });
  await waitFor('500 spooled records', () => (seen.length >= 500 ? true : undefined), 120_000, 100);
  await waitFor('720.001 set and clear', () => (faults.some((f) => f.op === 'clear') ? true : undefined), 60_000, 100);
  await new Promise((r) => setTimeout(r, 1_000)); // no duplicate may follow

  assert.is(seen.length, 500, 'every record once');
  for (const key of KEYS) {
    const ns = seen.filter((r) => r.key === key).map((r) => (JSON.parse(r.value!.toString()) as { n: number }).n);
    assert.equal(ns, Array.from({ length: seq.get(key)! }, (_, i) => i), `${key} in order`);
  }
  // Nothing is lost silently: every record that did not arrive was counted as dropped. (A record whose send was
  // in flight when the broker went away can arrive and be spooled too, and then be counted in a dropped segment:
  // the spool is at-least-once, so the count may exceed what is missing, never fall short of it.)
  const missing = 600 - new Set(smallSeen).size;
  assert.ok(missing <= smallDropped, `every missing small record was counted as dropped (missing ${missing}, dropped ${smallDropped})`);
  assert.ok(missing > 0, 'past the bound, records really were dropped');
  assert.equal(smallSeen, [...smallSeen].sort((a, b) => a - b), 'what survived is in order');
  assert.is(smallSeen.at(-1), 599, 'the newest records survived, the oldest were dropped');
  const [set, clear] = faults.filter((f) => f.alarm_id === '720.001');
  assert.is(set!.op, 'set');
  assert.is(set!.entity_instance_id, 'host=edge-1.collector=small');
  assert.match(set!.reason_text!, new RegExp(`dropped ${smallDropped} records`));
  assert.is(clear!.op, 'clear');
  await roomy.close();
  await small.close();
});

test.run();
