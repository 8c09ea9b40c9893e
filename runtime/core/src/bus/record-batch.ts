import { compressionsAlgorithmsByBitmask } from '@platformatic/kafka';
import type { Headers } from '@faultline/schemas';
import type { BusRecord } from './types.js';

// Kafka record batch v2 (magic 2): https://kafka.apache.org/documentation/#recordbatch
const BATCH_HEAD = 61; // base offset .. record count
const COMPRESSION = 0x07;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** What a read_committed reader tracks over one response's batches of a partition to skip aborted transactions. */
export interface AbortFilter {
  /** Aborted transactions this fetch reported, by first offset, not yet reached. */
  pending: { producerId: number; firstOffset: number }[];
  /** Producers inside an aborted transaction whose abort marker has not been read yet. */
  aborted: Set<number>;
}

export const newAbortFilter = (): AbortFilter => ({ pending: [], aborted: new Set() });

/** Adds the aborted transactions a fetch response listed for a partition (Java's Fetcher keeps them ordered the same way). */
export function noteAborted(f: AbortFilter, list: readonly { producerId: number; firstOffset: number }[]): void {
  if (!list.length) return;
  f.pending.push(...list);
  f.pending.sort((a, b) => a.firstOffset - b.firstOffset);
}

/** Offsets are int64 on the wire; a partition stays far below 2^53 records, so a Number holds them exactly. */
const int64 = (b: Buffer, at: number) => b.readInt32BE(at) * 4_294_967_296 + b.readUInt32BE(at + 4);

/** The offset after the last complete batch in `b` (batch headers only, nothing decompressed), or -1 when none is complete. */
export function nextOffsetAfter(b: Buffer): number {
  let pos = 0;
  let next = -1;
  while (b.length - pos >= BATCH_HEAD) {
    const len = b.readInt32BE(pos + 8);
    if (b.length - pos - 12 < len) break;
    next = int64(b, pos) + b.readInt32BE(pos + 23) + 1;
    pos += 12 + len;
  }
  return next;
}

/**
 * Decodes the records of a fetch response's record set for one partition, without the per-record
 * objects a general client makes (diagnostics, header maps, key and header Buffers): the key is a
 * string, the value a view into the (decompressed) batch, and records whose header bytes equal the
 * previous record's share one frozen headers object. Aborted transactional batches and control
 * batches are skipped; records before `from` (a fetch starts at a batch boundary) or at or after `end` are dropped.
 */
export function decodeRecordSet(
  b: Buffer, topic: string, partition: number, from: number, end: number, filter: AbortFilter, out: BusRecord[],
): void {
  let pos = 0;
  const shared: SharedHeaders = { buf: undefined, start: 0, end: 0, headers: EMPTY };
  while (b.length - pos >= BATCH_HEAD) {
    const len = b.readInt32BE(pos + 8);
    if (b.length - pos - 12 < len) break; // a partial batch at the end of the response: the next fetch starts at it
    const batchEnd = pos + 12 + len;
    const base = int64(b, pos);
    const attributes = b.readInt16BE(pos + 21);
    const last = base + b.readInt32BE(pos + 23);
    const baseTs = int64(b, pos + 27);
    const producerId = int64(b, pos + 43);
    const count = b.readInt32BE(pos + 57);
    while (filter.pending.length && filter.pending[0]!.firstOffset <= last) filter.aborted.add(filter.pending.shift()!.producerId);
    let body = b.subarray(pos + BATCH_HEAD, batchEnd);
    const codec = attributes & COMPRESSION;
    if (codec && !(attributes & CONTROL)) {
      const algorithm = compressionsAlgorithmsByBitmask[codec];
      if (!algorithm) throw new Error(`record batch at offset ${base} of ${topic}/${partition}: unknown compression ${codec}`);
      body = algorithm.decompressSync(body) as Buffer;
    }
    pos = batchEnd;
    if (attributes & CONTROL) {
      // The marker's key is (version int16, type int16); type 0 ends an aborted transaction.
      if (attributes & TRANSACTIONAL && controlType(body) === 0) filter.aborted.delete(producerId);
      continue;
    }
    if (attributes & TRANSACTIONAL && filter.aborted.has(producerId)) continue;
    decodeRecords(body, count, topic, partition, base, baseTs, from, end, shared, out);
  }
}

const EMPTY: Headers = Object.freeze({}) as Headers;

interface SharedHeaders { buf: Buffer | undefined; start: number; end: number; headers: Headers }

/** A reader of the varints of one record batch body. */
class Cursor {
  pos = 0;
  constructor(readonly b: Buffer) {}
  /** Zigzag varint (int32 or int64: values here stay far below 2^53). */
  varint(): number {
    const b = this.b;
    let byte = b[this.pos++]!;
    let n = byte & 0x7f;
    let scale = 128;
    while (byte & 0x80) {
      byte = b[this.pos++]!;
      n += (byte & 0x7f) * scale;
      scale *= 128;
    }
    return n % 2 ? -(n + 1) / 2 : n / 2;
  }
}

function controlType(body: Buffer): number {
  const c = new Cursor(body);
  c.varint(); // length
  c.pos += 1; // attributes
  c.varint(); // timestamp delta
  c.varint(); // offset delta
  const keyLen = c.varint();
  return keyLen >= 4 ? body.readInt16BE(c.pos + 2) : -1;
}

function decodeRecords(
  body: Buffer, count: number, topic: string, partition: number, base: number, baseTs: number, from: number, end: number,
  shared: SharedHeaders, out: BusRecord[],
): void {
  const c = new Cursor(body);
  for (let i = 0; i < count && c.pos < body.length; i++) {
    const length = c.varint();
    const next = c.pos + length;
    c.pos += 1; // record attributes: unused
    const tsDelta = c.varint();
    const offset = base + c.varint();
    if (offset < from || offset >= end) { c.pos = next; continue; }
    const keyLen = c.varint();
    const key = keyLen < 0 ? null : body.toString('utf8', c.pos, c.pos + keyLen);
    if (keyLen > 0) c.pos += keyLen;
    const valueLen = c.varint();
    const value = valueLen <= 0 ? null : body.subarray(c.pos, c.pos + valueLen);
    if (valueLen > 0) c.pos += valueLen;
    const headers = readHeaders(c, next, shared);
    c.pos = next;
    out.push({ topic, partition, offset: String(offset), key: key === '' ? null : key, value, headers, timestamp: baseTs + tsDelta });
  }
}

/** A few dozen bytes: a plain loop beats Buffer.compare's native call. */
function sameBytes(a: Buffer, aStart: number, aEnd: number, b: Buffer, bStart: number, bEnd: number): boolean {
  if (aEnd - aStart !== bEnd - bStart) return false;
  for (let i = aStart, j = bStart; i < aEnd; i++, j++) if (a[i] !== b[j]) return false;
  return true;
}

/** The record's headers; the previous record's object when the bytes are the same (records of one topic mostly carry the same ones). */
function readHeaders(c: Cursor, end: number, shared: SharedHeaders): Headers {
  const start = c.pos;
  if (shared.buf && sameBytes(c.b, start, end, shared.buf, shared.start, shared.end)) return shared.headers;
  const n = c.varint();
  if (n <= 0) return EMPTY;
  const h: Headers = {};
  for (let i = 0; i < n; i++) {
    const kl = c.varint();
    const k = c.b.toString('utf8', c.pos, c.pos + Math.max(kl, 0));
    c.pos += Math.max(kl, 0);
    const vl = c.varint();
    h[k] = vl < 0 ? '' : c.b.toString('utf8', c.pos, c.pos + vl);
    c.pos += Math.max(vl, 0);
  }
  Object.freeze(h);
  shared.buf = c.b; shared.start = start; shared.end = end; shared.headers = h;
  return h;
}
