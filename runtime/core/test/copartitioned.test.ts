import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copartitionedAssigner } from '../src/bus/copartitioned.js';

const metadata = (counts: Record<string, number>) =>
  ({ topics: new Map(Object.entries(counts).map(([t, partitionsCount]) => [t, { partitionsCount }])) }) as never;
const members = (...ids: string[]) => new Map(ids.map((memberId) => [memberId, { memberId }])) as never;
const owned = (result: ReturnType<typeof copartitionedAssigner>) =>
  Object.fromEntries(result.map((m) => [m.memberId, Object.fromEntries([...m.assignments.values()].map((a) => [a.topic, a.partitions]))]));

test('partition p of every topic goes to one member, whatever the order of members and topics', () => {
  const r = copartitionedAssigner('b', members('b', 'a'), new Set(['heartbeats', 'metrics', 'faults']), metadata({ metrics: 6, faults: 6, heartbeats: 6 }));
  assert.equal(owned(r), {
    a: { faults: [0, 2, 4], heartbeats: [0, 2, 4], metrics: [0, 2, 4] },
    b: { faults: [1, 3, 5], heartbeats: [1, 3, 5], metrics: [1, 3, 5] },
  });
});

test('more members than partitions: the extra ones get nothing; one member gets everything', () => {
  const r = copartitionedAssigner('a', members('a', 'b', 'c'), new Set(['faults']), metadata({ faults: 2 }));
  assert.equal(owned(r), { a: { faults: [0] }, b: { faults: [1] }, c: {} });
  assert.equal(owned(copartitionedAssigner('a', members('a'), new Set(['faults']), metadata({ faults: 3 }))), { a: { faults: [0, 1, 2] } });
});

test.run();
