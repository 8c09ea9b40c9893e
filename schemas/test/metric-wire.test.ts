import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  HEADER_CONTENT_TYPE, HEADER_VERSION, METRIC_WIRE_CONTENT_TYPE, columnarBatch, decode, encode, metricColumns, type MetricBatch,
} from '../src/index.js';

const batch: MetricBatch = {
  node: 'compute-0', collector: 'host', ts: 1_700_000_000_123.5, interval_ms: 10_000,
  samples: [
    { name: 'node_cpu_usage_ratio', labels: {}, value: 0.25 },
    { name: 'node_filesystem_usage_ratio', labels: { mountpoint: '/var', device: 'sda1' }, value: 0.9 },
    { name: 'node_temp_celsius', labels: { sensor: 'coretemp/Core 0 – Package' }, value: -1e-9 },
  ],
  meta: { node_temp_celsius: { type: 'gauge', unit: 'celsius', help: 'temperature' } },
};
const headers = encode('metric_batch', batch).headers;
const decoded = (bytes: Buffer) => decode('metric_batch', headers, bytes);
const reasonOf = (bytes: Buffer) => { const d = decoded(bytes); return d.ok ? 'ok' : `${d.reason}: ${d.detail}`; };

test('metric_batch is written as 2.0 columnar, announced by version and content type, and reads back equal', () => {
  const enc = encode('metric_batch', batch);
  assert.is(enc.headers[HEADER_VERSION], '2.0');
  assert.is(enc.headers[HEADER_CONTENT_TYPE], METRIC_WIRE_CONTENT_TYPE);
  assert.ok(enc.value.length < Buffer.byteLength(JSON.stringify(batch)));
  const d = decode('metric_batch', enc.headers, enc.value);
  assert.ok(d.ok);
  if (d.ok) assert.equal(JSON.parse(JSON.stringify(d.value)), batch);
});

test('1.x JSON batches from writers not yet upgraded are still read, with or without headers', () => {
  const json = Buffer.from(JSON.stringify(batch));
  const v1 = decode('metric_batch', { 'fl-schema': 'metric_batch', [HEADER_VERSION]: '1.0' }, json);
  assert.ok(v1.ok);
  if (v1.ok) assert.equal(v1.value, batch);
  assert.ok(decode('metric_batch', {}, json).ok, 'no headers: JSON bytes read as JSON');
  assert.ok(decode('metric_batch', {}, encode('metric_batch', batch).value).ok, 'no headers: columnar bytes read as columnar');
});

test('batches with the same series share one decoded dictionary; values are their own', () => {
  const a = decoded(encode('metric_batch', batch).value);
  const b = decoded(encode('metric_batch', { ...batch, node: 'compute-1', samples: batch.samples.map((s) => ({ ...s, value: s.value + 1 })) }).value);
  assert.ok(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  const ca = metricColumns(a.value);
  const cb = metricColumns(b.value);
  assert.ok(ca.series === cb.series, 'one dictionary object');
  assert.equal([...cb.values], batch.samples.map((s) => s.value + 1));
  assert.is(b.value.node, 'compute-1');
});

test('a dictionary fingerprint that lies is caught by the byte comparison', () => {
  const first = encode('metric_batch', batch).value;
  const other = encode('metric_batch', { ...batch, samples: batch.samples.map((s) => ({ ...s, labels: { ...s.labels, rack: 'r1' } })) }).value;
  other.writeUInt32LE(first.readUInt32LE(28), 28); // same fingerprint, other series
  assert.ok(decoded(first).ok);
  const d = decoded(other);
  assert.ok(d.ok);
  if (d.ok) assert.equal(d.value.samples.map((s) => s.labels.rack), ['r1', 'r1', 'r1']);
});

test('samples are built on first read; after that they are the truth for re-encoding', () => {
  const d = decoded(encode('metric_batch', batch).value);
  assert.ok(d.ok);
  if (!d.ok) return;
  const cols = metricColumns(d.value);
  assert.is(cols.values.length, 3);
  d.value.samples[0]!.value = 0.75;
  d.value.samples[1]!.labels.mountpoint = '/home';
  assert.is(metricColumns(d.value).values[0], 0.75);
  const again = decoded(encode('metric_batch', d.value).value);
  assert.ok(again.ok && again.value.samples[1]!.labels.mountpoint === '/home');
  assert.is(cols.series.labels[1]!.mountpoint, '/var', 'the shared dictionary was not edited through a sample');
});

test('a columnar batch made from columns encodes like one made from samples', () => {
  const { series, values } = metricColumns(batch);
  const { samples: _, ...head } = batch;
  const made = columnarBatch(head, series, values);
  assert.equal(encode('metric_batch', made).value, encode('metric_batch', batch).value);
  assert.throws(() => columnarBatch(head, series, new Float64Array(2)), /3 series but 2 values/);
});

test('a dictionary larger than the writer\'s scratch space, with non-ASCII labels, reads back', () => {
  const big: MetricBatch = {
    node: 'compute-9', collector: 'host', ts: 1, interval_ms: 1000,
    samples: Array.from({ length: 3000 }, (_, i) => ({ name: `node_x_${i % 7}`, labels: i % 2 ? { path: `/données/${'x'.repeat(20)}/${i}` } : ({} as Record<string, string>), value: i })),
  };
  const d = decoded(encode('metric_batch', big).value);
  assert.ok(d.ok);
  if (d.ok) assert.equal(d.value.samples, big.samples);
});

test('malformed columnar records are refused with the place they break', () => {
  const good = encode('metric_batch', batch).value;
  assert.match(reasonOf(Buffer.from(JSON.stringify(batch))), /^malformed: not a columnar metric batch/);
  assert.match(reasonOf(good.subarray(0, 20)), /^malformed/);
  assert.match(reasonOf(good.subarray(0, good.length - 3)), /^malformed: .* the header promises/);
  assert.match(reasonOf(Buffer.concat([good, Buffer.alloc(8)])), /^malformed: .* the header promises/);
  const layout = Buffer.from(good);
  layout.writeUInt8(9, 4);
  assert.match(reasonOf(layout), /^malformed: columnar layout 9/);
  const longName = Buffer.from(good);
  longName.writeUInt16LE(0xffff, 32); // the node's length runs past the end
  assert.match(reasonOf(longName), /^malformed: truncated at byte 34 \(node\)/);
  assert.match(reasonOf(Buffer.alloc(0)), /^malformed/);
});

test('columnar records that break the schema name the field', () => {
  const bad = (b: Partial<MetricBatch>) => reasonOf(encode('metric_batch', { ...batch, ...b }).value);
  assert.match(bad({ samples: [{ name: '1bad name', labels: {}, value: 1 }] }), /^schema_violation: \/samples\/0\/name/);
  assert.match(bad({ samples: [{ name: 'x', labels: {}, value: 1 }, { name: 'y', labels: {}, value: Number.NaN }] }), /^schema_violation: \/samples\/1\/value/);
  assert.match(bad({ node: '' }), /^schema_violation: \/node/);
  assert.match(bad({ ts: -5 }), /^schema_violation: \/ts/);
  assert.match(bad({ meta: { x: { type: 'histogram', unit: '', help: '' } } as never }), /^schema_violation: \/meta/);
});

test('a value without the batch\'s shape is still encoded (as 1.x JSON) and refused by readers with the field', () => {
  const enc = encode('metric_batch', { node: 'rules-0' } as never);
  assert.is(enc.headers[HEADER_VERSION], '1.0');
  assert.is(enc.headers[HEADER_CONTENT_TYPE], undefined);
  assert.match(reasonOf(enc.value), /^malformed: not a columnar/, 'with the 2.0 headers it is not columnar');
  const d = decode('metric_batch', enc.headers, enc.value);
  assert.ok(!d.ok && d.reason === 'schema_violation' && d.detail.includes('/collector'));
});

test('oversized columnar records are refused before they are read', () => {
  const big: MetricBatch = { ...batch, meta: undefined as never, samples: Array.from({ length: 200 }, (_, i) => ({ name: 'node_x', labels: { i: String(i) }, value: i })) };
  delete big.meta;
  const d = decode('metric_batch', headers, encode('metric_batch', big).value, 1000);
  assert.equal(d.ok ? 'ok' : d.reason, 'oversized');
});

test.run();
