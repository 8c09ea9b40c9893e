import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { DeadLetterReason } from './dead-letter.js';
import {
  MetricMetaSchema, columnarBatch, metricColumns, ownColumns, type MetricBatch, type MetricBatchHead, type SeriesDictionary,
} from './metric-batch.js';

/**
 * metric_batch 2.x on the wire: a fixed header, the series dictionary, then the values as raw
 * float64. Layout and the reasons for it: docs/schemas.md#metric_batch-2x-columnar.
 *
 *   0  "FLMB"  4  layout 1 (u8)  5  flags (u8, bit 0: meta)  6  reserved (u16)
 *   8  ts (f64)  16 interval_ms (u32)  20 series count n (u32)  24 dictionary bytes d (u32)  28 dictionary fingerprint (u32)
 *   32 node (u16 length + UTF-8), collector (u16 + UTF-8), [meta: u32 length + JSON]
 *   dictionary (d bytes): per series, name (u16 + UTF-8), label count (u16), per label key and value (u16 + UTF-8 each)
 *   values: n × f64
 * All integers and floats little-endian.
 */
export const METRIC_WIRE_CONTENT_TYPE = 'application/vnd.faultline.metric-batch.columnar';
const MAGIC = 0x424d4c46; // "FLMB" read as a little-endian u32
const LAYOUT = 1;
const HEADER_BYTES = 32;
const FLAG_META = 1;
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const checkMeta = TypeCompiler.Compile(Type.Record(Type.String(), MetricMetaSchema));

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('metric_batch 2.x copies float64 values as they lie in memory: a big-endian host needs a byte-swapping path');

/** FNV-1a over the dictionary: only a cache hint for readers, which compare the bytes before trusting a hit. */
function fingerprint(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

interface EncodedDictionary { bytes: Buffer; fingerprint: number }
/** The writer's side of the dictionary cache: a shared SeriesDictionary is laid out once. */
const encodedDictionaries = new WeakMap<SeriesDictionary, EncodedDictionary>();

/** Where dictionaries are laid out before their exact size is known; grows, never shrinks. */
let scratch = Buffer.allocUnsafe(64 * 1024);

function reserve(used: number, need: number) {
  if (need <= scratch.length) return;
  const next = Buffer.allocUnsafe(Math.max(need, scratch.length * 2));
  scratch.copy(next, 0, 0, used);
  scratch = next;
}

/**
 * u16 length + UTF-8 at `o`; returns the end. Names and label values are short and nearly always
 * ASCII: a byte loop is several times cheaper than Buffer.write per string, which only the rest take.
 */
function putString(s: string, o: number): number {
  reserve(o, o + 2 + s.length * 3);
  let p = o + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) { p = o + 2 + scratch.write(s, o + 2, 'utf8'); break; }
    scratch[p++] = c;
  }
  const n = p - o - 2;
  if (n > 0xffff) throw new RangeError(`metric_batch: a name or label above 65535 bytes (${s.slice(0, 40)}...)`);
  scratch[o] = n & 0xff;
  scratch[o + 1] = n >>> 8;
  return p;
}

function encodeDictionary(series: SeriesDictionary): EncodedDictionary {
  const { names, labels } = series;
  let o = 0;
  for (let i = 0; i < names.length; i++) {
    o = putString(names[i]!, o);
    const l = labels[i]!;
    const countAt = o;
    reserve(o, o + 2);
    o += 2;
    let count = 0;
    for (const k in l) { o = putString(l[k]!, putString(k, o)); count++; }
    if (count > 0xffff) throw new RangeError('metric_batch: a series with more than 65535 labels');
    scratch[countAt] = count & 0xff;
    scratch[countAt + 1] = count >>> 8;
  }
  const bytes = Buffer.allocUnsafe(o);
  scratch.copy(bytes, 0, 0, o);
  return { bytes, fingerprint: fingerprint(bytes) };
}

function dictionaryOf(series: SeriesDictionary): EncodedDictionary {
  let d = encodedDictionaries.get(series);
  if (!d) encodedDictionaries.set(series, (d = encodeDictionary(series)));
  return d;
}

/**
 * One batch as metric_batch 2.x bytes; undefined when the value does not have the batch's shape (no
 * samples array, a string too long for its length field...). A columnar batch (simulator, a decoded
 * batch) reuses its dictionary's bytes.
 */
export function encodeMetricWire(batch: MetricBatch): Buffer | undefined {
  try {
    return writeBatch(batch);
  } catch {
    return undefined;
  }
}

function writeBatch(batch: MetricBatch): Buffer {
  // Only a dictionary that batches share is worth remembering; one built from this batch's samples is not.
  const own = ownColumns(batch);
  const { series, values } = own ?? metricColumns(batch);
  const dict = own ? dictionaryOf(series) : encodeDictionary(series);
  const meta = batch.meta === undefined ? undefined : JSON.stringify(batch.meta);
  const nodeLen = utf8Length(batch.node);
  const collectorLen = utf8Length(batch.collector);
  const metaLen = meta === undefined ? 0 : 4 + utf8Length(meta);
  const valuesAt = HEADER_BYTES + 2 + nodeLen + 2 + collectorLen + metaLen + dict.bytes.length;
  const out = Buffer.allocUnsafe(valuesAt + values.length * 8);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt8(LAYOUT, 4);
  out.writeUInt8(meta === undefined ? 0 : FLAG_META, 5);
  out.writeUInt16LE(0, 6);
  out.writeDoubleLE(batch.ts, 8);
  out.writeUInt32LE(batch.interval_ms, 16);
  out.writeUInt32LE(values.length, 20);
  out.writeUInt32LE(dict.bytes.length, 24);
  out.writeUInt32LE(dict.fingerprint, 28);
  let o = HEADER_BYTES;
  out.writeUInt16LE(nodeLen, o); o += 2; o += out.write(batch.node, o, 'utf8');
  out.writeUInt16LE(collectorLen, o); o += 2; o += out.write(batch.collector, o, 'utf8');
  if (meta !== undefined) { out.writeUInt32LE(metaLen - 4, o); o += 4; o += out.write(meta, o, 'utf8'); }
  dict.bytes.copy(out, o);
  out.set(new Uint8Array(values.buffer, values.byteOffset, values.length * 8), valuesAt);
  return out;
}

export type WireResult =
  | { ok: true; value: MetricBatch }
  | { ok: false; reason: Extract<DeadLetterReason, 'malformed' | 'schema_violation'>; detail: string };

class Refused extends Error {
  constructor(readonly reason: 'malformed' | 'schema_violation', detail: string) { super(detail); }
}
const truncated = (at: number, what: string) => new Refused('malformed', `truncated at byte ${at} (${what})`);

/**
 * The reader's side: decoded dictionaries by fingerprint, each with the bytes it came from. A hit is
 * trusted only when the bytes are equal, so a wrong fingerprint costs a decode, never a wrong series.
 * Least recently used first out, bounded by the dictionary bytes held (a heterogeneous fleet of 10,000
 * hosts with 5 KB dictionaries of their own fits; a fleet of alike hosts shares a few entries).
 */
const CACHE_MAX_BYTES = 64 << 20;
const readDictionaries = new Map<number, { bytes: Buffer; series: SeriesDictionary }>();
let cachedBytes = 0;

function decodeDictionary(buf: Buffer, start: number, end: number, n: number): SeriesDictionary {
  const names = new Array<string>(n);
  const labels = new Array<Readonly<Record<string, string>>>(n);
  let o = start;
  const str = (what: string) => {
    if (o + 2 > end) throw truncated(o, what);
    const len = buf.readUInt16LE(o);
    o += 2;
    if (o + len > end) throw truncated(o, what);
    const s = buf.toString('utf8', o, o + len);
    o += len;
    return s;
  };
  for (let i = 0; i < n; i++) {
    const name = str(`series ${i} name`);
    if (!NAME.test(name)) throw new Refused('schema_violation', `/samples/${i}/name: Expected string to match '${NAME.source}'`);
    if (o + 2 > end) throw truncated(o, `series ${i} label count`);
    const count = buf.readUInt16LE(o);
    o += 2;
    const l: Record<string, string> = {};
    for (let j = 0; j < count; j++) {
      const k = str(`series ${i} label ${j}`);
      l[k] = str(`series ${i} label ${k}`);
    }
    names[i] = name;
    labels[i] = Object.freeze(l);
  }
  if (o !== end) throw new Refused('malformed', `dictionary holds ${end - o} bytes after its ${n} series`);
  return { names: Object.freeze(names), labels: Object.freeze(labels) };
}

function cachedDictionary(buf: Buffer, start: number, end: number, n: number, hint: number): SeriesDictionary {
  const hit = readDictionaries.get(hint);
  const bytes = buf.subarray(start, end);
  if (hit && hit.series.names.length === n && hit.bytes.equals(bytes)) {
    readDictionaries.delete(hint); // to the young end
    readDictionaries.set(hint, hit);
    return hit.series;
  }
  const series = decodeDictionary(buf, start, end, n);
  if (hit) { readDictionaries.delete(hint); cachedBytes -= hit.bytes.length; }
  for (const [key, old] of readDictionaries) {
    if (cachedBytes + bytes.length <= CACHE_MAX_BYTES) break;
    readDictionaries.delete(key);
    cachedBytes -= old.bytes.length;
  }
  readDictionaries.set(hint, { bytes: Buffer.from(bytes), series });
  cachedBytes += bytes.length;
  return series;
}

/** Whether the bytes start like metric_batch 2.x (JSON starts with `{`). */
export const isMetricWire = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x46 && bytes[1] === 0x4c && bytes[2] === 0x4d && bytes[3] === 0x42;

/** Reads metric_batch 2.x bytes. Never throws: what is wrong comes back as a dead-letter reason. */
export function decodeMetricWire(buf: Buffer): WireResult {
  try {
    return { ok: true, value: readBatch(buf) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: err.reason, detail: err.message };
    return { ok: false, reason: 'malformed', detail: (err as Error).message };
  }
}

function readBatch(buf: Buffer): MetricBatch {
  if (buf.length < HEADER_BYTES || buf.readUInt32LE(0) !== MAGIC) throw new Refused('malformed', 'not a columnar metric batch (no FLMB header)');
  if (buf.readUInt8(4) !== LAYOUT) throw new Refused('malformed', `columnar layout ${buf.readUInt8(4)}: this reader knows ${LAYOUT}`);
  const flags = buf.readUInt8(5);
  const ts = buf.readDoubleLE(8);
  const interval = buf.readUInt32LE(16);
  const n = buf.readUInt32LE(20);
  const dictLen = buf.readUInt32LE(24);
  const hint = buf.readUInt32LE(28);
  let o = HEADER_BYTES;
  const str = (what: string) => {
    if (o + 2 > buf.length) throw truncated(o, what);
    const len = buf.readUInt16LE(o);
    o += 2;
    if (o + len > buf.length) throw truncated(o, what);
    const s = buf.toString('utf8', o, o + len);
    o += len;
    return s;
  };
  const node = str('node');
  const collector = str('collector');
  if (!node) throw new Refused('schema_violation', '/node: Expected string length greater or equal to 1');
  if (!collector) throw new Refused('schema_violation', '/collector: Expected string length greater or equal to 1');
  if (!(ts >= 0) || !Number.isFinite(ts)) throw new Refused('schema_violation', '/ts: Expected number to be greater or equal to 0');
  if (interval < 1) throw new Refused('schema_violation', '/interval_ms: Expected integer to be greater or equal to 1');
  const head: MetricBatchHead = { node, collector, ts, interval_ms: interval };
  if (flags & FLAG_META) {
    if (o + 4 > buf.length) throw truncated(o, 'meta');
    const len = buf.readUInt32LE(o);
    o += 4;
    if (o + len > buf.length) throw truncated(o, 'meta');
    let meta: unknown;
    try { meta = JSON.parse(buf.toString('utf8', o, o + len)); } catch (err) { throw new Refused('malformed', `meta is not JSON: ${(err as Error).message}`); }
    if (!checkMeta.Check(meta)) {
      const e = checkMeta.Errors(meta).First();
      throw new Refused('schema_violation', `/meta${e?.path ?? ''}: ${e?.message ?? 'invalid'}`);
    }
    head.meta = meta;
    o += len;
  }
  if (o + dictLen + n * 8 !== buf.length) {
    throw new Refused('malformed', `${buf.length} bytes, but the header promises ${o + dictLen + n * 8} (dictionary ${dictLen}, ${n} values)`);
  }
  const series = cachedDictionary(buf, o, o + dictLen, n, hint);
  o += dictLen;
  const values = new Float64Array(n);
  new Uint8Array(values.buffer).set(buf.subarray(o, o + n * 8));
  for (let i = 0; i < n; i++) {
    // As in 1.x (JSON has no NaN or Infinity): a sample is a finite number.
    if (!Number.isFinite(values[i]!)) throw new Refused('schema_violation', `/samples/${i}/value: Expected number`);
  }
  return columnarBatch(head, series, values);
}
