import { appendFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmbeddedBus, type BusRecord, type OutboundRecord } from '../src/index.js';

const rec = (topic: string, key: string | null, value: string | null): OutboundRecord =>
  ({ topic, key, value: value === null ? null : Buffer.from(value) });
const values = (rs: readonly BusRecord[]) => rs.map((r) => r.value?.toString() ?? null);

async function drain(bus: ReturnType<typeof createEmbeddedBus>, group: string, topic: string, wanted: number) {
  const seen: BusRecord[] = [];
  const sub = await bus.subscribe({ group, topics: [topic], onBatch: async (r) => { seen.push(...r); } });
  const deadline = Date.now() + 5_000;
  while (seen.length < wanted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 50));
  await sub.stop();
  return seen;
}

test('records and committed offsets survive a clean restart on the same directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-emb-'));
  const a = createEmbeddedBus({ dir });
  await a.start();
  const p = a.producer();
  await p.send([rec('t', 'k', '1'), rec('t', 'k', '2'), rec('t', 'k', '3')]);
  assert.equal(values(await drain(a, 'g', 't', 3)), ['1', '2', '3']);
  await p.send([rec('t', 'k', '4')]);
  await a.stop();

  const b = createEmbeddedBus({ dir });
  await b.start();
  assert.equal(values(await drain(b, 'g', 't', 1)), ['4'], 'the group goes on after its committed offset');
  assert.equal(values(await drain(b, 'other', 't', 4)), ['1', '2', '3', '4'], 'every record is still there');
  await b.stop();
});

test('a consume-transform-produce step is one journal line: output and offset come back together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-emb-'));
  const a = createEmbeddedBus({ dir });
  await a.start();
  await a.producer().send([rec('in', 'k', 'x'), rec('in', 'k', 'y')]);
  const sub = await a.subscribe({ group: 'ctp', topics: ['in'], onBatch: async (rs) => rs.map((r) => rec('out', r.key, `out-${r.value}`)) });
  await new Promise((r) => setTimeout(r, 100));
  await sub.stop();
  await a.stop();
  const b = createEmbeddedBus({ dir });
  await b.start();
  assert.equal(values(await drain(b, 'reader', 'out', 2)), ['out-x', 'out-y']);
  assert.equal(values(await drain(b, 'ctp', 'in', 0)), [], 'the input offsets were committed with the output');
  await b.stop();
});

test('a torn last journal line (a crash mid-write) is cut off and the rest replays', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-emb-'));
  const a = createEmbeddedBus({ dir });
  await a.start();
  await a.producer().send([rec('t', null, 'kept')]);
  await a.stop();
  appendFileSync(join(dir, 'bus.journal'), '{"r":[["t",1,null,"bG9zdA==",{},1');
  const b = createEmbeddedBus({ dir });
  await b.start();
  assert.equal(values(await drain(b, 'g', 't', 1)), ['kept']);
  await b.producer().send([rec('t', null, 'after')]);
  await b.stop();
  const c = createEmbeddedBus({ dir });
  await c.start();
  assert.equal(values(await drain(c, 'g2', 't', 2)), ['kept', 'after']);
  await c.stop();
});

test('the journal is rewritten past its bound: compacted topics keep the last value per key, others what is unread', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-emb-'));
  const a = createEmbeddedBus({ dir, compactBytes: 20_000, retainRecords: 10 });
  await a.start();
  await a.ensureTopics([{ name: 'active', partitions: 1, config: { 'cleanup.policy': 'compact' } }, { name: 'log', partitions: 1 }]);
  const p = a.producer();
  for (let i = 0; i < 300; i++) await p.send([rec('active', `alarm-${i % 5}`, `v${i}`), rec('log', null, `l${i}`)]);
  await p.send([rec('active', 'alarm-0', null)]); // cleared: a tombstone
  for (let i = 0; i < 100; i++) await p.send([rec('log', null, `m${i}`)]);
  assert.ok(statSync(join(dir, 'bus.journal')).size < 60_000, 'the journal stays near its bound');
  await a.stop();
  const b = createEmbeddedBus({ dir, compactBytes: 20_000, retainRecords: 10 });
  await b.start();
  const active: BusRecord[] = [];
  for await (const r of b.readAll('active')) active.push(r);
  // A restore applies last-wins per key, as on Kafka (the tail after the last rewrite is not compacted yet).
  const table = new Map<string | null, string | null>();
  for (const r of active) table.set(r.key, r.value?.toString() ?? null);
  assert.equal([...table].filter(([, v]) => v !== null).sort(), [['alarm-1', 'v296'], ['alarm-2', 'v297'], ['alarm-3', 'v298'], ['alarm-4', 'v299']]);
  assert.ok(active.length < 300, `compaction dropped superseded values (${active.length} of 301 left)`);
  const log: BusRecord[] = [];
  for await (const r of b.readAll('log')) log.push(r);
  assert.ok(log.length >= 10 && log.length < 400, `${log.length} log records retained`);
  assert.is(log.at(-1)!.value!.toString(), 'm99');
  await b.producer().send([rec('log', null, 'next')]);
  const after: BusRecord[] = [];
  for await (const r of b.readAll('log')) after.push(r);
  assert.is(Number(after.at(-1)!.offset), 400, 'offsets keep counting after a rewrite');
  await b.stop();
});

test('one member of a group reads a topic; another takes over when it stops', async () => {
  const bus = createEmbeddedBus();
  await bus.start();
  const got: string[] = [];
  const events: string[] = [];
  const first = await bus.subscribe({
    group: 'g', topics: ['t'], onBatch: async (rs) => { got.push(...rs.map((r) => `1:${r.value}`)); },
    onRevoke: async () => { events.push('1 revoked'); },
  });
  const second = await bus.subscribe({
    group: 'g', topics: ['t'], onBatch: async (rs) => { got.push(...rs.map((r) => `2:${r.value}`)); },
    onAssign: async () => { events.push('2 assigned'); },
  });
  const p = bus.producer();
  await p.send([rec('t', null, 'a')]);
  await new Promise((r) => setTimeout(r, 100));
  await first.stop();
  await p.send([rec('t', null, 'b')]);
  await new Promise((r) => setTimeout(r, 400));
  await second.stop();
  await bus.stop();
  assert.equal(got, ['1:a', '2:b']);
  assert.equal(events, ['1 revoked', '2 assigned']);
});

test.run();
