import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAlarmTables } from '../src/index.js';
import { alarm, clearAll, transition } from '@faultline/schemas/test-fixtures';

test('a raised alarm gets a row that keeps its index through updates and leaves on clear', () => {
  const t = createAlarmTables(100);
  const a = alarm();
  const first = t.apply([transition('raised', a)]);
  assert.equal(first.upserts.map((r) => r.index), [1]);
  const b = alarm({ alarm_id: '700.103', entity_instance_id: 'host=compute-0.memory=total' });
  t.apply([transition('raised', b)]);
  const upd = t.apply([transition('updated', { ...a, severity: 'critical' })]);
  assert.equal(upd.upserts.map((r) => [r.index, r.alarm.severity]), [[1, 'critical']]);
  const cl = t.apply([transition('cleared', { ...a, state: 'cleared' })]);
  assert.equal(cl.removed, [1]);
  assert.equal(t.activeRows().map((r) => r.alarm.alarm_id), ['700.103']);
  assert.is(t.activeCount(), 1);
});

test('every notified transition is an event with the next index; held ones are not', () => {
  const t = createAlarmTables(100);
  const a = alarm();
  const ch = t.apply([transition('raised', a), transition('raised', alarm({ inhibited: true })), transition('cleared', { ...a, state: 'cleared' })]);
  assert.equal(ch.events.map((e) => [e.index, e.event.notification]), [[1, 'major'], [2, 'clear']]);
  assert.is(t.lastEventIndex(), 2);
});

test('inhibited, silenced and flapping alarms stay in the active table; suppressed ones leave it with a resync', () => {
  const t = createAlarmTables(100);
  const held = [alarm({ inhibited: true }), alarm({ alarm_id: '700.110', silenced_by: ['x'] }), alarm({ alarm_id: '700.120', flapping: true })];
  t.apply(held.map((a) => transition('raised', a)));
  assert.is(t.activeCount(), 3);
  const s = alarm({ alarm_id: '700.140' });
  t.apply([transition('raised', s)]);
  const sup = t.apply([transition('suppressed', { ...s, suppressed: true })]);
  assert.ok(sup.resync);
  assert.equal(sup.events, []);
  assert.is(sup.removed.length, 1);
  assert.is(t.activeCount(), 3);
  const unsup = t.apply([transition('unsuppressed', s)]);
  assert.ok(unsup.resync);
  assert.is(t.activeCount(), 4);
});

test('a hierarchical clear removes every cleared alarm\'s row', () => {
  const t = createAlarmTables(100);
  const a = alarm({ entity_instance_id: 'host=compute-1' });
  const b = alarm({ alarm_id: '700.110', entity_instance_id: 'host=compute-1.interface=eth0' });
  const c = alarm({ entity_instance_id: 'host=compute-2' });
  t.apply([a, b, c].map((x) => transition('raised', x)));
  const ch = t.apply([clearAll('host=compute-1', [a, b])]);
  assert.equal(ch.removed.sort(), [1, 2]);
  assert.equal(ch.events.map((e) => e.event.notification), ['hierarchicalClear']);
  assert.equal(t.activeRows().map((r) => r.alarm.entity_instance_id), ['host=compute-2']);
});

test('the event table keeps the newest N events; older ones are evicted', () => {
  const t = createAlarmTables(3);
  t.apply([1, 2].map(() => transition('raised', alarm())));
  const ch = t.apply([3, 4, 5, 6].map(() => transition('raised', alarm())));
  assert.equal(t.eventRows().map((e) => e.index), [4, 5, 6]);
  assert.equal(ch.evicted, [1, 2]); // 3 was recorded and evicted within this batch: never served
  assert.equal(ch.added.map((e) => e.index), [4, 5, 6]);
  assert.equal(ch.events.map((e) => e.index), [3, 4, 5, 6]); // but all four are notified
});

test('a row raised and cleared in one batch is neither upserted nor left behind', () => {
  const t = createAlarmTables(10);
  const a = alarm();
  const ch = t.apply([transition('raised', a), transition('cleared', { ...a, state: 'cleared' })]);
  assert.equal(ch.upserts, []);
  assert.is(t.activeCount(), 0);
});

test.run();
