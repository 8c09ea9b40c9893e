import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alarmKey } from '@faultline/schemas';
import type { Engine, EngineSnapshot } from '../src/index.js';
import { engine, run, set, summary } from './helpers.js';

const copy = (s: EngineSnapshot): EngineSnapshot => JSON.parse(JSON.stringify(s)) as EngineSnapshot;
const keysOf = (s: EngineSnapshot) => s.table.alarms.map((a) => alarmKey(a.alarm));
const order = (e: Engine) => e.snapshot().table.alarms.map((a) => alarmKey(a.alarm));

/** Four alarms on two hosts, the first suppressed by the operator. */
function source(): Engine {
  const e = engine();
  run((o) => {
    e.fault(set('700.110', 'host=c0.interface=eth0', 1000), o);
    e.fault(set('700.106', 'host=c0.disk=sda', 1001), o);
    e.fault(set('700.110', 'host=c1.interface=eth0', 1002), o);
    e.fault(set('700.110', 'host=c0.interface=eth1', 1003), o);
    e.setSuppressed('700.106', true, 1004, o);
  });
  return e;
}

test('a restore given the alarms\' keys builds the same table as one that builds them', () => {
  const snap = source().snapshot();
  const a = engine();
  a.restore(copy(snap));
  const b = engine();
  b.restore(copy(snap), undefined, { alarmKeys: keysOf(snap) });
  assert.equal(b.snapshot(), a.snapshot());
  assert.equal(b.query(), a.query());
  const uuid = snap.table.alarms[2]!.alarm.uuid;
  assert.equal(b.getByUuid(uuid), a.getByUuid(uuid));
  assert.equal(b.getByUuid(uuid)?.alarm.entity_instance_id, 'host=c1.interface=eth0');
  assert.equal(run((o) => b.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0', ts: 2000 }, o)).transitions,
    run((o) => a.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0', ts: 2000 }, o)).transitions);
  assert.equal(b.query().map((x) => x.alarm.entity_instance_id), ['host=c0.disk=sda', 'host=c1.interface=eth0'], 'only 700.110 at or below c0 cleared');
  assert.throws(() => engine().restore(copy(snap), undefined, { alarmKeys: [] }), /0 alarm keys for 4 alarms/);
});

test('restoring an alarm the table holds, or a key twice, replaces it and puts it last, as it always did', () => {
  const snap = source().snapshot();
  const e = engine();
  e.restore(copy(snap));
  const again = copy(snap);
  again.table.alarms = [again.table.alarms[1]!, again.table.alarms[0]!, { ...again.table.alarms[1]!, seq: 9 }];
  e.restore(again, undefined, { alarmKeys: keysOf(again) });
  assert.equal(order(e), ['700.110|host=c1.interface=eth0', '700.110|host=c0.interface=eth1', '700.110|host=c0.interface=eth0', '700.106|host=c0.disk=sda']);
  assert.is(e.get('700.106|host=c0.disk=sda')?.seq, 9, 'the last one named wins');
  assert.is(e.activeCount, 4);
  // The host's own order moved too: a hierarchical clear lists its alarms in it.
  const t = run((o) => e.fault({ op: 'clear_all', entity_instance_id: 'host=c0', ts: 3000 }, o)).transitions[0]!;
  assert.equal(t.kind === 'cleared_all' && t.cleared.map((c) => c.alarm.entity_instance_id), ['host=c0.interface=eth1', 'host=c0.interface=eth0', 'host=c0.disk=sda']);
});

test('reconciling after a restore: nothing to do when nothing is in force and nothing was held back; held-back alarms are let go', () => {
  const quiet = engine();
  run((o) => quiet.fault(set('700.110', 'host=c0.interface=eth0', 1000), o));
  const plain = engine();
  plain.restore(copy(quiet.snapshot()));
  assert.equal(run((o) => plain.reconcileOperatorFlags(1100, o)).transitions, []);

  const snap = copy(source().snapshot());
  snap.table.suppressed_alarm_ids = []; // the operator lifted it before the last owner could say so
  const e = engine();
  e.restore(copy(snap));
  assert.equal(summary(run((o) => e.reconcileOperatorFlags(1200, o)).transitions), ['unsuppressed:major']);
  assert.equal(run((o) => e.reconcileOperatorFlags(1300, o)).transitions, [], 'nothing more once in step');
  // Restored twice over itself (its own count of held-back alarms is then rebuilt): the same answer.
  const twice = engine();
  twice.restore(copy(snap));
  twice.restore(copy(snap));
  assert.equal(summary(run((o) => twice.reconcileOperatorFlags(1200, o)).transitions), ['unsuppressed:major']);
  assert.equal(run((o) => twice.reconcileOperatorFlags(1300, o)).transitions, []);
  // Suppressed again by the operator, then lifted: reconcile has nothing left to do.
  run((o) => { twice.setSuppressed('700.110', true, 1400, o); twice.setSuppressed('700.110', false, 1500, o); });
  assert.equal(run((o) => twice.reconcileOperatorFlags(1600, o)).transitions, []);
});

test('uuid lookups after a restore find restored and new alarms, and forget cleared ones', () => {
  const snap = source().snapshot();
  const e = engine();
  e.restore(copy(snap));
  const first = snap.table.alarms[0]!.alarm.uuid;
  assert.is(e.getByUuid(first)?.alarm.entity_instance_id, 'host=c0.interface=eth0');
  const raised = run((o) => e.fault(set('700.105', 'host=c2.filesystem=/', 2000), o)).transitions[0]!;
  assert.is(raised.kind !== 'cleared_all' && e.getByUuid(raised.alarm.uuid)?.alarm.alarm_id, '700.105');
  run((o) => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0.interface=eth0', ts: 2100 }, o));
  assert.is(e.getByUuid(first), undefined);
});

test('a clear or query at an entity without a key=value root still looks at every alarm', () => {
  const e = engine();
  run((o) => { e.fault(set('700.110', 'node.interface=eth0', 1000), o); e.fault(set('700.110', 'node', 1001), o); });
  // rootOf('node') is 'node' but rootOf('node.interface=eth0') is '': one host's alarms would miss the other.
  assert.equal(e.query({ entity_prefix: 'node' }).map((x) => x.alarm.entity_instance_id), ['node.interface=eth0', 'node']);
  assert.equal(e.query({ entity_prefix: 'node.interface=eth0' }).map((x) => x.alarm.entity_instance_id), ['node.interface=eth0']);
  run((o) => e.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'node', ts: 2000 }, o));
  assert.equal(e.query(), []);
});

test.run();
