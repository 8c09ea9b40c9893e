import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRecordsBatch } from '@platformatic/kafka';
import { decodeRecordSet, newAbortFilter, nextOffsetAfter, noteAborted } from '../src/bus/record-batch.js';
import type { BusRecord } from '../src/index.js';

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** A record batch as the broker stores it, at `base`, made by the client's own writer. */
function batch(base: number, values: string[], opts: { compression?: 'lz4' | 'none'; producerId?: number; attributes?: number; headers?: Record<string, string> } = {}): Buffer {
  const messages = values.map((v) => ({
    topic: 't', key: Buffer.from(`k-${v}`), value: Buffer.from(v),
    headers: new Map(Object.entries(opts.headers ?? { 'fl-schema': 'x' }).map(([k, h]) => [Buffer.from(k), Buffer.from(h)])),
  }));
  const b = Buffer.from(createRecordsBatch(messages as never, { compression: opts.compression ?? 'none', producerId: BigInt(opts.producerId ?? -1) }).buffer);
  b.writeBigInt64BE(BigInt(base), 0);
  if (opts.attributes !== undefined) b.writeInt16BE(b.readInt16BE(21) | opts.attributes, 21);
  return b;
}
/** A transaction marker: key (version 0, type 0 abort / 1 commit). */
function marker(base: number, producerId: number, type: 0 | 1): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type, 2);
  const b = Buffer.from(createRecordsBatch([{ topic: 't', key, value: Buffer.alloc(6) }] as never, { producerId: BigInt(producerId) }).buffer);
  b.writeBigInt64BE(BigInt(base), 0);
  b.writeInt16BE(TRANSACTIONAL | CONTROL, 21);
  return b;
}
const decode = (b: Buffer, from = 0, end = Infinity, aborted: { producerId: number; firstOffset: number }[] = []) => {
  const f = newAbortFilter();
  noteAborted(f, aborted);
  const out: BusRecord[] = [];
  decodeRecordSet(b, 't', 0, from, end, f, out);
  return out;
};

test('batches of either codec decode to records with offsets, keys, values, headers; a partial batch at the end is left for the next fetch', () => {
  const whole = Buffer.concat([batch(0, ['a', 'b', 'c'], { compression: 'lz4' }), batch(3, ['d', 'e'])]);
  const cut = whole.subarray(0, whole.length - 5);
  assert.equal(decode(whole).map((r) => [r.offset, r.key, r.value!.toString(), r.headers]), [
    ['0', 'k-a', 'a', { 'fl-schema': 'x' }], ['1', 'k-b', 'b', { 'fl-schema': 'x' }], ['2', 'k-c', 'c', { 'fl-schema': 'x' }],
    ['3', 'k-d', 'd', { 'fl-schema': 'x' }], ['4', 'k-e', 'e', { 'fl-schema': 'x' }],
  ]);
  assert.equal(decode(cut).map((r) => r.offset), ['0', '1', '2']);
  assert.is(nextOffsetAfter(whole), 5);
  assert.is(nextOffsetAfter(cut), 3);
  assert.is(nextOffsetAfter(cut.subarray(0, 20)), -1);
});

test('records before `from` (a fetch starts at its batch) and at or after `end` are dropped', () => {
  const b = Buffer.concat([batch(10, ['a', 'b', 'c', 'd']), batch(14, ['e', 'f'])]);
  assert.equal(decode(b, 12, 15).map((r) => r.value!.toString()), ['c', 'd', 'e']);
});

test('records with the same header bytes share one frozen headers object; different ones get their own', () => {
  const got = decode(Buffer.concat([batch(0, ['a', 'b']), batch(2, ['c'], { headers: { 'fl-schema': 'y' } })]));
  assert.ok(got[0]!.headers === got[1]!.headers && Object.isFrozen(got[0]!.headers));
  assert.equal(got[2]!.headers, { 'fl-schema': 'y' });
});

test('an aborted transaction is skipped up to its abort marker; the same producer\'s next transaction is read', () => {
  const b = Buffer.concat([
    batch(0, ['committed-before'], { producerId: 3, attributes: TRANSACTIONAL }),
    marker(1, 3, 1),
    batch(2, ['aborted-1', 'aborted-2'], { producerId: 7, attributes: TRANSACTIONAL }),
    batch(4, ['other-producer'], { producerId: 8, attributes: TRANSACTIONAL }),
    marker(5, 7, 0),
    batch(6, ['next-txn'], { producerId: 7, attributes: TRANSACTIONAL }),
  ]);
  assert.equal(decode(b, 0, Infinity, [{ producerId: 7, firstOffset: 2 }]).map((r) => r.value!.toString()), ['committed-before', 'other-producer', 'next-txn']);
  assert.equal(decode(b).map((r) => r.value!.toString()), ['committed-before', 'aborted-1', 'aborted-2', 'other-producer', 'next-txn'], 'markers never come out as records');
});

test.run();
