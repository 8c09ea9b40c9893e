import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encode, type ActiveAlarm } from '@faultline/schemas';
import { decodeActiveAlarm } from '../src/index.js';

const active: ActiveAlarm = {
  alarm: {
    uuid: '1b32c28c-b38c-4548-8ecc-000000000001', alarm_id: '700.106', entity_type_id: 'host.disk', entity_instance_id: 'host=h0.disk=sd0',
    severity: 'major', reason_text: 'Disk I/O errors rising (fault)', alarm_type: 'equipment', probable_cause: 'io-device-error',
    proposed_repair_action: 'Check the disk.', service_affecting: false, suppression_allowed: true, state: 'active',
    raised_at: 1_764_000_000_000, updated_at: 1_764_000_000_000, inhibited: false, suppressed: false, silenced_by: [], flapping: false,
    source: 'fault', labels: { rack: 'r1' },
  },
  seq: 3, last_transition: '1b32c28c-b38c-4548-8ecc-000000000002',
};
/** A 1.x record, as correlators wrote alarms.active before 2.0: a JSON object. */
const e = { headers: { 'fl-schema': 'active_alarm', 'fl-version': '1.0' }, value: Buffer.from(JSON.stringify(active)) };
const changed = (f: (a: Record<string, any>) => void) => {
  const v = JSON.parse(e.value.toString());
  f(v);
  return Buffer.from(JSON.stringify(v));
};
const e2 = encode('active_alarm', active);

test('a 2.x record the correlator writes decodes to the same alarm, with or without headers', () => {
  assert.is(e2.headers['fl-version'], '2.0');
  assert.equal(decodeActiveAlarm(e2.headers, e2.value), active);
  assert.equal(decodeActiveAlarm({}, e2.value), active);
  const pool = new Map<string, string>();
  assert.equal(decodeActiveAlarm(e2.headers, e2.value, pool), active);
  assert.is(pool.size, 0, 'the 2.x reader shares strings itself');
});

test('2.x refusals: its positional check holds (the codec\'s reader), other majors and schemas are refused', () => {
  const wire = JSON.parse(e2.value.toString()) as unknown[];
  const at = (i: number, x: unknown) => Buffer.from(JSON.stringify(wire.map((w, j) => (j === i ? x : w))));
  assert.is(decodeActiveAlarm(e2.headers, at(4, 'huge')), undefined, 'unknown severity');
  assert.is(decodeActiveAlarm(e2.headers, at(16, 'three')), undefined, 'seq not an integer');
  assert.is(decodeActiveAlarm(e2.headers, Buffer.from(JSON.stringify(wire.slice(0, 10)))), undefined, 'positions missing');
  assert.is(decodeActiveAlarm(e2.headers, Buffer.from('[1,')), undefined, 'not JSON');
  assert.is(decodeActiveAlarm({ ...e2.headers, 'fl-version': '3.0' }, e2.value), undefined);
  assert.is(decodeActiveAlarm({ ...e2.headers, 'fl-schema': 'engine_state' }, e2.value), undefined);
  assert.ok(decodeActiveAlarm(e2.headers, at(7, 'not-an-x733-cause')), 'the long X.733 enumerations are left to the writer');
});

test('a 1.x record decodes to the same alarm, also with repeated strings shared through a pool', () => {
  assert.equal(decodeActiveAlarm(e.headers, e.value), active);
  assert.equal(decodeActiveAlarm({}, e.value), active, 'without headers an object is 1.x');
  const pool = new Map<string, string>();
  assert.equal(decodeActiveAlarm(e.headers, e.value, pool), active);
  assert.equal(decodeActiveAlarm(e.headers, e.value, pool), active);
  assert.ok(pool.has(active.alarm.proposed_repair_action) && !pool.has(active.alarm.uuid), 'catalog texts are pooled, unique ids are not');
});

test('1.x: another schema, a 2.0 header on an object, or bytes that are not JSON are refused', () => {
  assert.is(decodeActiveAlarm({ ...e.headers, 'fl-schema': 'engine_state' }, e.value), undefined);
  assert.is(decodeActiveAlarm({ ...e.headers, 'fl-version': '2.0' }, e.value), undefined);
  assert.ok(decodeActiveAlarm({ ...e.headers, 'fl-version': '1.7' }, e.value), 'a minor version only adds optional fields');
  assert.is(decodeActiveAlarm(e.headers, Buffer.from('{"alarm":')), undefined);
});

test('1.x: the shape still holds: missing fields, wrong JSON types and unknown severities are refused', () => {
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { delete v.alarm.uuid; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { delete v.last_transition; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.seq = 'three'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.severity = 'huge'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.state = 'gone'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.labels = { rack: 1 }; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.probable_cause = 7; })), undefined);
});

test('1.x: left to the writer: patterns and the long X.733 enumerations', () => {
  assert.ok(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.probable_cause = 'not-an-x733-cause'; })));
  assert.ok(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.uuid = 'not-a-uuid'; })));
});

test.run();
