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
const e = encode('active_alarm', active);
const changed = (f: (a: Record<string, any>) => void) => {
  const v = JSON.parse(e.value.toString());
  f(v);
  return Buffer.from(JSON.stringify(v));
};

test('a record the correlator wrote decodes to the same alarm, also with repeated strings shared through a pool', () => {
  assert.equal(decodeActiveAlarm(e.headers, e.value), active);
  const pool = new Map<string, string>();
  assert.equal(decodeActiveAlarm(e.headers, e.value, pool), active);
  assert.equal(decodeActiveAlarm(e.headers, e.value, pool), active);
  assert.ok(pool.has(active.alarm.proposed_repair_action) && !pool.has(active.alarm.uuid), 'catalog texts are pooled, unique ids are not');
});

test('another schema, another major version or bytes that are not JSON are refused', () => {
  assert.is(decodeActiveAlarm({ ...e.headers, 'fl-schema': 'engine_state' }, e.value), undefined);
  assert.is(decodeActiveAlarm({ ...e.headers, 'fl-version': '2.0' }, e.value), undefined);
  assert.ok(decodeActiveAlarm({ ...e.headers, 'fl-version': '1.7' }, e.value), 'a minor version only adds optional fields');
  assert.is(decodeActiveAlarm(e.headers, Buffer.from('{"alarm":')), undefined);
});

test('the shape still holds: missing fields, wrong JSON types and unknown severities are refused', () => {
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { delete v.alarm.uuid; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { delete v.last_transition; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.seq = 'three'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.severity = 'huge'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.state = 'gone'; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.labels = { rack: 1 }; })), undefined);
  assert.is(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.probable_cause = 7; })), undefined);
});

test('left to the writer: patterns and the long X.733 enumerations', () => {
  assert.ok(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.probable_cause = 'not-an-x733-cause'; })));
  assert.ok(decodeActiveAlarm(e.headers, changed((v) => { v.alarm.uuid = 'not-a-uuid'; })));
});

test.run();
