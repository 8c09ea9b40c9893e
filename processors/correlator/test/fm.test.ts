import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, kinds, run, set, single } from './helpers.js';

test('set raises once; the same set again emits nothing; a change updates in place with the next seq', () => {
  const e = engine();
  const a = run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 1000, { reason_text: 'carrier lost' }), o));
  assert.equal(kinds(a.transitions), ['raised']);
  const raised = single(a.transitions[0]);
  assert.is(raised.seq, 1);
  assert.is(raised.alarm.severity, 'major'); // from the catalog
  assert.is(raised.alarm.alarm_type, 'communication');
  assert.is(raised.alarm.service_affecting, true);
  assert.is(raised.alarm.entity_type_id, 'host.interface');
  assert.equal(run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 2000, { reason_text: 'carrier lost' }), o)).transitions, []);
  const u = run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 3000, { severity: 'critical', reason_text: 'carrier lost' }), o));
  assert.equal(kinds(u.transitions), ['updated']);
  const up = single(u.transitions[0]);
  assert.is(up.seq, 2);
  assert.is(up.previous_severity, 'major');
  assert.is(up.alarm.uuid, raised.alarm.uuid, 'updated in place: same alarm uuid');
  assert.is(up.alarm.raised_at, 1000);
  assert.is(up.alarm.updated_at, 3000);
  assert.is(e.activeCount, 1);
});

test('clear removes by alarm id and entity prefix, and nothing else', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.110', 'host=c0.interface=eth0', 1), o);
    e.fault(set('700.110', 'host=c0.interface=eth1', 1), o);
    e.fault(set('700.110', 'host=c1.interface=eth0', 1), o);
    e.fault(set('700.105', 'host=c0.filesystem=/var', 1), o);
  });
  const c = run((o) => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0', ts: 5 }, o));
  assert.equal(kinds(c.transitions), ['cleared', 'cleared']);
  assert.ok(c.transitions.every((t) => t.kind === 'cleared' && t.alarm.state === 'cleared' && t.seq === 2 && t.at === 5));
  assert.equal(e.query().map((a) => a.alarm.entity_instance_id).sort(), ['host=c0.filesystem=/var', 'host=c1.interface=eth0']);
  // host=c1 is not below host=c (a prefix of the string, not of the path).
  assert.equal(run((o) => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c', ts: 6 }, o)).transitions, []);
});

test('a clear of an alarm that is not active emits nothing', () => {
  const e = engine();
  assert.equal(run((o) => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0.interface=eth0', ts: 1 }, o)).transitions, []);
});

test('clear_all clears the entity and all its children with ONE cleared_all transition', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.140', 'host=c0', 1), o);
    e.fault(set('700.110', 'host=c0.interface=eth0', 1), o);
    e.fault(set('700.105', 'host=c0.filesystem=/var', 1), o);
    e.fault(set('700.140', 'host=c1', 1), o);
  });
  const c = run((o) => e.fault({ op: 'clear_all', entity_instance_id: 'host=c0', ts: 9 }, o));
  assert.is(c.transitions.length, 1);
  const t = c.transitions[0]!;
  assert.is(t.kind, 'cleared_all');
  if (t.kind !== 'cleared_all') return;
  assert.is(t.entity_instance_id, 'host=c0');
  assert.is(t.cleared.length, 3);
  assert.ok(t.cleared.every((x) => x.seq === 2 && x.alarm.state === 'cleared'));
  assert.equal(e.query().map((a) => a.alarm.entity_instance_id), ['host=c1']);
});

test('log goes to the event log only, never to the active alarms', () => {
  const e = engine();
  const o = run((out) => e.fault({ op: 'log', alarm_id: '710.002', entity_instance_id: 'host=c0', ts: 7, reason_text: 'rebooted' }, out));
  assert.equal(o.transitions, []);
  assert.is(o.logs.length, 1);
  assert.is(o.logs[0]!.log_id, '710.002');
  assert.is(e.activeCount, 0);
  const ev = e.events({ type: 'log' });
  assert.is(ev.length, 1);
  // A set of an id the catalog declares as a log is a log too.
  const s = run((out) => e.fault(set('710.002', 'host=c0', 8), out));
  assert.equal(s.transitions, []);
  assert.is(s.logs.length, 1);
});

test('a re-raise after a clear is a new alarm: new uuid, seq 1', () => {
  const e = engine();
  const first = single(run((o) => e.fault(set('700.140', 'host=c0', 1), o)).transitions[0]);
  run((o) => e.fault({ op: 'clear', alarm_id: '700.140', entity_instance_id: 'host=c0', ts: 2 }, o));
  const again = single(run((o) => e.fault(set('700.140', 'host=c0', 3), o)).transitions[0]);
  assert.is(again.kind, 'raised');
  assert.is(again.seq, 1);
  assert.is.not(again.alarm.uuid, first.alarm.uuid);
});

test('ids not in the catalog are accepted with what the fault says', () => {
  const e = engine();
  const t = single(run((o) => e.fault(set('300.001', 'host=c0.port=p1', 1, { severity: 'minor', alarm_type: 'equipment', probable_cause: 'loss-of-signal' }), o)).transitions[0]);
  assert.is(t.alarm.severity, 'minor');
  assert.is(t.alarm.probable_cause, 'loss-of-signal');
});

test('queries: by uuid, id, entity prefix, severity, type and state; events by time', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.110', 'host=c0.interface=eth0', 1), o);
    e.fault(set('700.120', 'host=c0.sensor=k10temp/Tctl', 2), o);
    e.fault(set('700.140', 'host=c1', 3), o);
  });
  const all = e.query();
  assert.is(all[0]!.alarm.severity, 'critical', 'most severe first');
  assert.is(e.getByUuid(all[1]!.alarm.uuid)?.alarm.alarm_id, all[1]!.alarm.alarm_id);
  assert.is(e.query({ entity_prefix: 'host=c0' }).length, 2);
  assert.is(e.query({ alarm_id: '700.140' }).length, 1);
  assert.is(e.query({ severity: 'critical' }).length, 1);
  assert.is(e.query({ alarm_type: 'communication' }).length, 1);
  assert.is(e.query({ state: 'notifiable' }).length, 3);
  assert.is(e.query({ state: 'inhibited' }).length, 0);
  assert.is(e.events({ from: 2 }).length, 2);
  assert.is(e.events({ type: 'alarm', limit: 1 }).length, 1);
});

test.run();
