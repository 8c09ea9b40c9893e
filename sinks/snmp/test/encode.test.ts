import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as snmp from 'net-snmp';
import {
  alarmEvent, alarmMibOids, classify, dateAndTime, encodeEvent, encodeResync, encodeStormSummary, encodeTransition, truncateUtf8,
} from '../src/index.js';
import { alarm, clearAll, transition } from '@faultline/schemas/test-fixtures';

const oids = alarmMibOids('1.3.6.1.4.1.32473');
const EV = '1.3.6.1.4.1.32473.2.1.1.2.1';

test('a raise becomes the notification of its severity, carrying every field as event-row columns', () => {
  for (const [severity, n] of [['critical', 1], ['major', 2], ['minor', 3], ['warning', 4]] as const) {
    const a = alarm({ severity, service_affecting: true, suppression_allowed: false });
    const out = encodeTransition(oids, transition('raised', a), 42)!;
    assert.is(out.oid, `1.3.6.1.4.1.32473.2.1.0.${n}`);
    const byOid = new Map(out.varbinds.map((v) => [v.oid, v]));
    assert.is(byOid.get(`${EV}.2.42`)?.value, a.uuid);
    assert.is(byOid.get(`${EV}.3.42`)?.value, '700.101');
    assert.equal(byOid.get(`${EV}.5.42`)?.value, Buffer.from('host=compute-0'));
    assert.is(byOid.get(`${EV}.7.42`)?.value, { warning: 1, minor: 2, major: 3, critical: 4 }[severity]);
    assert.equal(byOid.get(`${EV}.8.42`)?.value, Buffer.from(a.reason_text));
    assert.is(byOid.get(`${EV}.9.42`)?.value, 7); // operational-violation
    assert.is(byOid.get(`${EV}.10.42`)?.value, 50); // threshold-crossed
    assert.equal(byOid.get(`${EV}.11.42`)?.value, Buffer.from(a.proposed_repair_action));
    assert.is(byOid.get(`${EV}.12.42`)?.value, 1); // TruthValue true
    assert.is(byOid.get(`${EV}.13.42`)?.value, 2); // TruthValue false
    assert.is(byOid.get(`${EV}.6.42`)?.type, snmp.ObjectType.OctetString);
    assert.is(out.varbinds.length, 11);
  }
});

test('an update re-sends the severity notification; a clear sends the clear', () => {
  const a = alarm({ severity: 'critical' });
  assert.is(encodeTransition(oids, transition('updated', a), 1)?.name, 'critical');
  const cleared = encodeTransition(oids, transition('cleared', { ...a, state: 'cleared' }), 2)!;
  assert.is(cleared.name, 'clear');
  assert.is(cleared.oid, '1.3.6.1.4.1.32473.2.1.0.9');
  assert.is(cleared.varbinds.length, 11);
});

test('a logged transition (fm-api log) is the message notification', () => {
  const log = encodeTransition(oids, transition('logged', alarm({ alarm_id: '710.002', state: 'cleared' })), 3)!;
  assert.is(log.name, 'message');
  assert.is(log.oid, '1.3.6.1.4.1.32473.2.1.0.5');
  const c = classify(transition('logged', alarm({ state: 'cleared' })));
  assert.is(c.kind === 'event' && c.event.state, 'log');
});

test('cleared_all becomes the hierarchical clear of the entity', () => {
  const t = clearAll('host=compute-1', [alarm({ severity: 'minor' }), alarm({ alarm_id: '700.110', severity: 'critical' })]);
  const n = encodeTransition(oids, t, 7)!;
  assert.is(n.name, 'hierarchicalClear');
  assert.is(n.oid, '1.3.6.1.4.1.32473.2.1.0.99');
  assert.equal(n.varbinds.map((v) => v.oid), [`${EV}.2.7`, `${EV}.5.7`, `${EV}.6.7`, `${EV}.8.7`]);
  assert.equal(n.varbinds[1]!.value, Buffer.from('host=compute-1'));
  const c = classify(t);
  assert.is(c.kind === 'event' && c.event.severity, 'critical');
  assert.equal(c.kind === 'event' && c.event.alarmIds, ['700.101', '700.110']);
});

test('suppressed, inhibited, silenced and flapping alarms are not notified', () => {
  for (const over of [{ suppressed: true }, { inhibited: true }, { silenced_by: ['s-1'] }, { flapping: true }]) {
    for (const kind of ['raised', 'updated', 'cleared'] as const) {
      assert.is(encodeTransition(oids, transition(kind, alarm(over)), 1), null, `${kind} ${JSON.stringify(over)}`);
    }
  }
  assert.is(classify(transition('inhibited', alarm({ inhibited: true }))).kind, 'none');
  assert.is(classify(transition('flapping', alarm({ flapping: true }))).kind, 'none');
});

test('the end of a hold reports the state the alarm is in then', () => {
  assert.is(encodeTransition(oids, transition('uninhibited', alarm({ severity: 'minor' })), 1)?.name, 'minor');
  assert.is(encodeTransition(oids, transition('stable', alarm({ state: 'cleared' })), 1)?.name, 'clear');
});

test('suppression changes ask for a resync instead of a notification per alarm', () => {
  assert.is(classify(transition('suppressed', alarm({ suppressed: true }))).kind, 'resync');
  assert.is(classify(transition('unsuppressed', alarm())).kind, 'resync');
  const r = encodeResync(oids, 3, 17);
  assert.is(r.oid, '1.3.6.1.4.1.32473.2.1.0.11');
  assert.equal(r.varbinds.map((v) => [v.oid, v.value]), [['1.3.6.1.4.1.32473.2.1.1.3.1.0', 3], ['1.3.6.1.4.1.32473.2.1.1.3.2.0', 17]]);
});

test('the storm summary counts what was held and names the event rows', () => {
  const s = encodeStormSummary(oids, { held: 120, firstEventIndex: 5, lastEventIndex: 130, highestSeverity: 'critical' });
  assert.is(s.oid, '1.3.6.1.4.1.32473.2.1.0.10');
  assert.equal(s.varbinds.map((v) => v.value), [120, 5, 130, 4]);
});

test('DateAndTime is 11 octets in UTC', () => {
  const b = dateAndTime(Date.UTC(2026, 10, 25, 9, 30, 15, 750));
  assert.equal([...b], [0x07, 0xea, 11, 25, 9, 30, 15, 7, 0x2b, 0, 0]);
});

test('text is cut to 1024 octets at a character boundary', () => {
  assert.is(truncateUtf8('abc').toString(), 'abc');
  const cut = truncateUtf8('é'.repeat(600)); // 2 octets each
  assert.is(cut.length, 1024);
  const odd = truncateUtf8('a' + '€'.repeat(400)); // 1 + 3*400 octets
  assert.ok(odd.length <= 1024);
  assert.is(odd.toString('utf8'), 'a' + '€'.repeat((odd.length - 1) / 3));
});

test('the enterprise arc is configurable', () => {
  const other = alarmMibOids('1.3.6.1.4.1.99999');
  const a = alarm();
  const n = encodeEvent(other, alarmEvent(a, a.updated_at, a.uuid, a.severity, 'set'), 1);
  assert.ok(n.oid.startsWith('1.3.6.1.4.1.99999.2.1.0.'));
  assert.ok(n.varbinds.every((v) => v.oid.startsWith('1.3.6.1.4.1.99999.2.1.1.2.1.')));
});

test.run();
