import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, HEADER_VERSION, type MetricBatch, type FaultEvent } from '../src/index.js';

const batch: MetricBatch = {
  node: 'compute-0', collector: 'host', ts: 1_700_000_000_000, interval_ms: 10_000,
  samples: [{ name: 'node_load1', labels: {}, value: 0.5 }],
};

test('a record survives encode then decode, with its schema headers', () => {
  const enc = encode('metric_batch', batch, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  assert.is(enc.headers['fl-schema'], 'metric_batch');
  const d = decode('metric_batch', enc.headers, enc.value);
  assert.ok(d.ok);
  if (d.ok) {
    assert.equal(d.value, batch);
    assert.is(d.traceparent, '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01');
  }
});

test('an unknown major version is refused; a newer minor with unknown fields is accepted', () => {
  const enc = encode('metric_batch', batch);
  const v99 = decode('metric_batch', { ...enc.headers, [HEADER_VERSION]: '99.0' }, enc.value);
  assert.equal(v99.ok ? 'ok' : v99.reason, 'unknown_version');
  const v19 = decode('metric_batch', { ...enc.headers, [HEADER_VERSION]: '1.9' }, Buffer.from(JSON.stringify({ ...batch, future_field: { x: 1 } })));
  assert.ok(v19.ok);
});

test('malformed, oversized and invalid records get a reason naming the field', () => {
  const enc = { headers: { 'fl-schema': 'metric_batch', [HEADER_VERSION]: '1.0' } }; // the JSON layout (2.x: metric-wire.test.ts)
  const bad = decode('metric_batch', enc.headers, Buffer.from('{"node":'));
  assert.equal(bad.ok ? 'ok' : bad.reason, 'malformed');
  const big = decode('metric_batch', enc.headers, Buffer.alloc(2000, 32), 1000);
  assert.equal(big.ok ? 'ok' : big.reason, 'oversized');
  const wrong = decode('metric_batch', enc.headers, Buffer.from(JSON.stringify({ ...batch, samples: [{ name: 'x', labels: {}, value: 'high' }] })));
  assert.equal(wrong.ok ? 'ok' : wrong.reason, 'schema_violation');
  if (!wrong.ok) assert.match(wrong.detail, '/samples/0/value');
});

test('a fault event enforces StarlingX ids and entity paths', () => {
  const ok: FaultEvent = { op: 'set', alarm_id: '100.101', entity_instance_id: 'host=compute-0.port=eth0', severity: 'major', ts: 1 };
  assert.ok(decode('fault_event', {}, Buffer.from(JSON.stringify(ok))).ok);
  const badId = decode('fault_event', {}, Buffer.from(JSON.stringify({ ...ok, alarm_id: '100-101' })));
  assert.ok(!badId.ok && badId.detail.includes('/alarm_id'));
  const badPath = decode('fault_event', {}, Buffer.from(JSON.stringify({ ...ok, entity_instance_id: 'compute-0' })));
  assert.ok(!badPath.ok && badPath.detail.includes('/entity_instance_id'));
});

test.run();
