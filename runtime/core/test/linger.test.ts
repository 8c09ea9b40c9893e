import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createLingerBatcher } from '../src/bus/linger.js';
import type { OutboundRecord } from '../src/index.js';

const rec = (v: string): OutboundRecord => ({ topic: 't', key: null, value: Buffer.from(v) });
const values = (rs: OutboundRecord[]) => rs.map((r) => r.value!.toString());

test('sends made within the linger time go out as one batch, in order; each caller is acknowledged', async () => {
  const batches: string[][] = [];
  const b = createLingerBatcher({ lingerMs: 20, maxRecords: 100, flush: async (rs) => { batches.push(values(rs)); } });
  await Promise.all([b.add([rec('a'), rec('b')]), b.add([rec('c')]), b.add([rec('d')])]);
  assert.equal(batches, [['a', 'b', 'c', 'd']]);
});

test('a full batch goes out at once; batches never overlap, so order holds across them', async () => {
  const batches: string[][] = [];
  let inFlight = 0;
  const b = createLingerBatcher({
    lingerMs: 1_000, maxRecords: 2,
    flush: async (rs) => {
      assert.is(++inFlight, 1, 'one batch at a time');
      await new Promise((r) => setTimeout(r, 5));
      batches.push(values(rs));
      inFlight--;
    },
  });
  const acks = [b.add([rec('1'), rec('2')]), b.add([rec('3'), rec('4')]), b.add([rec('5')])];
  await b.drain(); // the last, partial batch goes out now rather than after the linger time
  await Promise.all(acks);
  assert.equal(batches, [['1', '2'], ['3', '4'], ['5']]);
});

test('a failed batch rejects its callers only; the next batch still goes', async () => {
  let n = 0;
  const b = createLingerBatcher({ lingerMs: 0, maxRecords: 10, flush: async () => { if (n++ === 0) throw new Error('broker says no'); } });
  const first = b.add([rec('x')]);
  const second = b.add([rec('y')]);
  const outcome = await first.then(() => 'acknowledged', (err: Error) => err.message);
  assert.is(outcome, 'broker says no');
  await second;
});

test('a record that finds the producer quiet goes out at the end of the turn; records close behind it still linger together', async () => {
  const batches: string[][] = [];
  const b = createLingerBatcher({ lingerMs: 60_000, maxRecords: 100, flush: async (rs) => { batches.push(values(rs)); } });
  const first = b.add([rec('a')]);
  await new Promise((r) => setImmediate(r));
  assert.equal(batches, [['a']], 'sent without waiting for the linger time');
  await first;
  const rest = [b.add([rec('b')])];
  await new Promise((r) => setImmediate(r));
  rest.push(b.add([rec('c')]));
  await new Promise((r) => setImmediate(r));
  assert.equal(batches, [['a']], 'b and c wait: the producer was busy a moment ago');
  await b.drain();
  await Promise.all(rest);
  assert.equal(batches, [['a'], ['b', 'c']]);
});

test.run();
