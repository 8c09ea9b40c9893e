// Bus.follow against the real broker (127.0.0.1:19092): the catch-up read (raw Fetch, kafka-read.ts) must end exactly
// at what the partitions held when following began, whatever wrote them (plain or transactional producers, a partition
// ending in a commit marker, an empty one, `last`); the stream that goes on from there must deliver what comes later
// once; and positions() must say how far the records handed over reach, so that `readAll(topic, { from: positions })`
// reads exactly the rest (the correlator's restore from its follower's view).
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Producer as KafkaProducer } from '@platformatic/kafka';
import { createKafkaBus, type Bus, type BusRecord, type FollowOptions, type KafkaConfig } from '@faultline/runtime';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';

await ensureServices('kafka');
const config: KafkaConfig = {
  client_id: 'faultline-follow-test', brokers: [...SERVICES.kafka.brokers], compression: 'lz4', linger_ms: 2, batch_max_records: 500,
  spool: { max_bytes: 1 << 20, clear_after_ms: 1000 },
};
const name = (what: string) => `follow-${what}-${randomUUID().slice(0, 8)}`;
const id = (r: { topic: string; partition: number; offset: string | number }) => `${r.topic}/${r.partition}/${r.offset}`;

// Idempotent: @platformatic/kafka 2.12.1's plain producer wrote partition 0's records twice when one send spanned two partitions.
const plain = () => new KafkaProducer({ clientId: 'follow-test', bootstrapBrokers: [...SERVICES.kafka.brokers], idempotent: true, acks: -1, compression: 'lz4' });
const transactional = () => new KafkaProducer({
  clientId: 'follow-test-tx', bootstrapBrokers: [...SERVICES.kafka.brokers], idempotent: true, acks: -1, compression: 'lz4',
  transactionalId: `follow-${randomUUID()}`,
});
const msgs = (topic: string, partition: number, values: readonly string[]) =>
  values.map((v) => ({ topic, partition, key: Buffer.from(v), value: Buffer.from(v) }));
async function inTransaction(p: KafkaProducer, messages: ReturnType<typeof msgs>, commit = true) {
  const tx = await p.beginTransaction();
  await tx.send({ messages });
  if (commit) await tx.commit();
  else await tx.abort();
}

/** A follower and what it was handed, with a snapshot of positions() taken after every onRecords call. */
async function follow(bus: Bus, opts: Omit<FollowOptions, 'onRecords'>) {
  const got: BusRecord[] = [];
  const snapshots: { count: number; positions: Map<string, ReadonlyMap<number, number>> }[] = [];
  let f: Awaited<ReturnType<NonNullable<Bus['follow']>>> | undefined;
  f = await bus.follow!({
    ...opts,
    onRecords: (records) => {
      got.push(...records);
      if (f) snapshots.push({ count: got.length, positions: new Map(opts.topics.map((t) => [t, f!.positions(t)])) });
    },
  });
  return { follower: f, got, snapshots };
}
const values = (rs: readonly BusRecord[], topic?: string) => rs.filter((r) => !topic || r.topic === topic).map((r) => r.value!.toString());
const perPartition = (rs: readonly BusRecord[], topic: string, partition: number) => values(rs.filter((r) => r.topic === topic && r.partition === partition));
async function readAll(bus: Bus, topic: string, from?: ReadonlyMap<number, number>) {
  const out: BusRecord[] = [];
  for await (const r of bus.readAll(topic, from && { from })) out.push(r);
  return out;
}
/** The committed records of a topic as the broker has them: the truth the follower is held to. */
const ids = (rs: readonly BusRecord[]) => rs.map(id).sort();

test('caughtUp after exactly the records present at the start (plain and transactional writers, a commit marker last, an empty partition); later records once; positions', async () => {
  const bus = createKafkaBus(config);
  const [a, b] = [name('a'), name('b')];
  const p = plain();
  const tx = transactional();
  try {
    await bus.ensureTopics([{ name: a, partitions: 3 }, { name: b, partitions: 1 }]);
    // a/0: plain records; a/1: transactions, an aborted one inside, the last committed (its end is a commit marker);
    // a/2: empty. b/0: plain then a transaction.
    await p.send({ messages: msgs(a, 0, Array.from({ length: 1200 }, (_, i) => `a0-${i}`)) });
    await inTransaction(tx, msgs(a, 1, ['a1-c1', 'a1-c2']));
    await inTransaction(tx, msgs(a, 1, ['a1-x1', 'a1-x2']), false);
    await inTransaction(tx, msgs(a, 1, ['a1-c3']));
    await p.send({ messages: msgs(b, 0, ['b0-1', 'b0-2']) });
    await inTransaction(tx, msgs(b, 0, ['b0-3']));
    const atStart = [...await readAll(bus, a), ...await readAll(bus, b)];

    const { follower, got, snapshots } = await follow(bus, { topics: [a, b] });
    // What had been handed over when caughtUp resolved (the stream may deliver more before this test looks again).
    const atCaughtUp = follower.caughtUp.then(() => ({ got: [...got], a: [...follower.positions(a)], b: [...follower.positions(b)] }));
    // Written after following began: none of it may count towards caughtUp.
    await p.send({ messages: msgs(a, 0, ['a0-late']) });
    await inTransaction(tx, msgs(a, 1, ['a1-late']));
    await inTransaction(tx, msgs(a, 2, ['a2-late-x']), false);
    await p.send({ messages: msgs(a, 2, ['a2-late']) });
    const caught = await atCaughtUp;
    assert.equal(ids(caught.got), ids(atStart), 'at caughtUp: exactly the committed records present at the start');
    assert.equal(perPartition(caught.got, a, 1), ['a1-c1', 'a1-c2', 'a1-c3']);
    // The catch-up read ends at the last stable offsets of the start: past a/1's and b/0's commit markers.
    // a/1: c1 c2 marker x1 x2 abort-marker c3 marker = 8 offsets; b/0: 2 records, 1, marker = 4.
    assert.equal(caught.a, [[0, 1200], [1, 8], [2, 0]]);
    assert.equal(caught.b, [[0, 4]]);

    const all = await waitFor('the records written after the start', async () => {
      const now = [...await readAll(bus, a), ...await readAll(bus, b)];
      return now.length === atStart.length + 3 && got.length >= now.length ? now : undefined;
    });
    await new Promise((r) => setTimeout(r, 300)); // a duplicate would follow here
    assert.equal(ids(got), ids(all), 'every record once: none lost or repeated at the switch to the stream');
    assert.equal(perPartition(got, a, 2), ['a2-late']);
    // Positions after the stream: past the last record handed over (a/1 and a/2 end with markers the stream does not count).
    const last = (t: string, part: number) => Math.max(...got.filter((r) => r.topic === t && r.partition === part).map((r) => Number(r.offset)));
    assert.equal([...follower.positions(a)], [[0, 1201], [1, last(a, 1) + 1], [2, last(a, 2) + 1]]);

    // Any snapshot of positions with what had been handed over then, plus readAll from those positions, is the whole topic once.
    assert.ok(snapshots.length >= 2);
    for (const s of snapshots) {
      const seen = got.slice(0, s.count);
      const rest = [...await readAll(bus, a, s.positions.get(a)), ...await readAll(bus, b, s.positions.get(b))];
      assert.equal(ids([...seen, ...rest]), ids(all), `snapshot after ${s.count} records`);
    }
    await follower.stop();
  } finally {
    await p.close();
    await tx.close();
    await bus.stop();
  }
});

test('last: each partition from that many offsets before its end; an empty topic is caught up at once', async () => {
  const bus = createKafkaBus(config);
  const [t, empty] = [name('last'), name('empty')];
  const p = plain();
  try {
    await bus.ensureTopics([{ name: t, partitions: 2 }, { name: empty, partitions: 2 }]);
    await p.send({ messages: [...msgs(t, 0, Array.from({ length: 10 }, (_, i) => `p0-${i}`)), ...msgs(t, 1, ['p1-0', 'p1-1'])] });
    const { follower, got } = await follow(bus, { topics: [t, empty], last: 3 });
    await follower.caughtUp; // nothing is written after the start here: what the stream could add is nothing
    assert.equal(perPartition(got, t, 0), ['p0-7', 'p0-8', 'p0-9']);
    assert.equal(perPartition(got, t, 1), ['p1-0', 'p1-1']);
    assert.equal([...follower.positions(t)], [[0, 10], [1, 2]]);
    assert.equal([...follower.positions(empty)], [[0, 0], [1, 0]]);
    await p.send({ messages: msgs(empty, 1, ['e1-0']) });
    await waitFor('a record on the empty topic', () => (got.some((r) => r.topic === empty) ? true : undefined));
    assert.equal([...follower.positions(empty)], [[0, 0], [1, 1]]);
    await follower.stop();
  } finally {
    await p.close();
    await bus.stop();
  }
});

test('a follower stopped while catching up stops', async () => {
  const bus = createKafkaBus(config);
  const t = name('stop');
  const p = plain();
  try {
    await bus.ensureTopics([{ name: t, partitions: 1 }]);
    for (let i = 0; i < 4; i++) await p.send({ messages: msgs(t, 0, Array.from({ length: 2000 }, (_, j) => `${i}-${j}-${'x'.repeat(200)}`)) });
    let calls = 0;
    const f = await bus.follow!({ topics: [t], onRecords: () => { calls++; } });
    await f.stop();
    const after = calls;
    await new Promise((r) => setTimeout(r, 300));
    assert.is(calls, after, 'nothing handed over after stop');
  } finally {
    await p.close();
    await bus.stop();
  }
});

test.run();
