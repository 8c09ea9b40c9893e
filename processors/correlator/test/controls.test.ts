import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, kinds, run, set, single } from './helpers.js';

test('a silence flags matching alarms (still stored, not notifiable) until it expires', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.110', 'host=c0.interface=eth0', 1), o);
    e.fault(set('700.110', 'host=c1.interface=eth0', 1), o);
  });
  const add = run((o) => e.addSilence({ id: 's1', matchers: { alarm_id: '700.110', host: 'c0' }, starts_at: 0, ends_at: 100, created_by: 'op', comment: 'cable swap' }, 2, o));
  assert.equal(kinds(add.transitions), ['updated']);
  assert.equal(single(add.transitions[0]).alarm.silenced_by, ['s1']);
  assert.is(e.query({ state: 'silenced' }).length, 1);
  // Raised while silenced: born silenced.
  const born = run((o) => e.fault(set('700.110', 'host=c0.interface=eth1', 3), o));
  assert.equal(single(born.transitions[0]).alarm.silenced_by, ['s1']);
  assert.equal(run((o) => e.tick(99, o)).transitions, []);
  const end = run((o) => e.tick(100, o));
  assert.equal(kinds(end.transitions), ['updated', 'updated']);
  assert.is(e.query({ state: 'silenced' }).length, 0);
  assert.is(e.silences().length, 1, 'an ended silence is still listed');
});

test('a silence can be expired early; regex matchers work on labels and fields', () => {
  const e = engine();
  run((o) => e.fault(set('700.105', 'host=c0.filesystem=/var', 1), o));
  run((o) => e.addSilence({ id: 's', matchers: { entity_instance_id: '=~host=c0(\\..*)?', severity: '!=critical' }, starts_at: 0, ends_at: 1e12, created_by: 'op', comment: '' }, 2, o));
  assert.is(e.query({ state: 'silenced' }).length, 1);
  const x = run((o) => assert.ok(e.expireSilence('s', 5, o)));
  assert.equal(kinds(x.transitions), ['updated']);
  assert.is(e.query({ state: 'silenced' }).length, 0);
});

test('a silence on severity follows the alarm when its severity changes', () => {
  const e = engine();
  run((o) => e.addSilence({ id: 'crit', matchers: { severity: 'critical' }, starts_at: 0, ends_at: 1e12, created_by: 'op', comment: '' }, 1, o));
  run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 2), o));
  const up = run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 3, { severity: 'critical' }), o));
  assert.equal(single(up.transitions[0]).alarm.silenced_by, ['crit']);
  const down = run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 4, { severity: 'major' }), o));
  assert.equal(single(down.transitions[0]).alarm.silenced_by, []);
});

test('operator suppression per alarm id: suppressed / unsuppressed resync transitions; alarms stay stored', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.140', 'host=c0', 1), o);
    e.fault(set('700.140', 'host=c1', 1), o);
    e.fault(set('700.110', 'host=c1.interface=eth0', 1), o);
  });
  const s = run((o) => e.setSuppressed('700.140', true, 2, o));
  assert.equal(kinds(s.transitions), ['suppressed', 'suppressed']);
  assert.equal(e.suppressedAlarmIds(), ['700.140']);
  assert.equal(run((o) => e.setSuppressed('700.140', true, 3, o)).transitions, [], 'no change, no resync');
  assert.ok(single(run((o) => e.fault(set('700.140', 'host=c2', 4), o)).transitions[0]).alarm.suppressed);
  assert.is(e.query({ state: 'suppressed' }).length, 3);
  const u = run((o) => e.setSuppressed('700.140', false, 5, o));
  assert.equal(kinds(u.transitions), ['unsuppressed', 'unsuppressed', 'unsuppressed']);
  // An alarm that may not be suppressed is not.
  run((o) => e.setSuppressed('710.001', true, 6, o));
  assert.not.ok(single(run((o) => e.fault(set('710.001', 'host=c3', 7), o)).transitions[0]).alarm.suppressed);
});

test('a maintenance window silences an entity and its children until it ends', () => {
  const e = engine();
  run((o) => e.fault(set('700.105', 'host=c0.filesystem=/var', 1), o));
  const m = run((o) => e.setMaintenance('host=c0', 1000, 2, o));
  assert.equal(single(m.transitions[0]).alarm.silenced_by, ['maintenance:host=c0']);
  assert.equal(single(run((o) => e.fault(set('700.140', 'host=c0', 3), o)).transitions[0]).alarm.silenced_by, ['maintenance:host=c0']);
  assert.equal(single(run((o) => e.fault(set('700.140', 'host=c1', 3), o)).transitions[0]).alarm.silenced_by, []);
  const end = run((o) => e.tick(1000, o));
  assert.equal(kinds(end.transitions), ['updated', 'updated']);
  assert.equal(e.maintenance(), []);
});

test('flapping: K changes inside the window mark it flapping (held), a quiet window makes it stable', () => {
  const e = engine({ flap: { changes: 4, window_ms: 60_000, stable_after_ms: 30_000 } });
  const seen: string[] = [];
  const flip = (op: 'set' | 'clear', ts: number) => {
    const o = run((out) => e.fault(op === 'set' ? set('700.110', 'host=c0.interface=eth0', ts) : { op, alarm_id: '700.110', entity_instance_id: 'host=c0.interface=eth0', ts }, out));
    for (const t of o.transitions) seen.push(`${t.kind}${t.kind !== 'cleared_all' && t.alarm.flapping ? '(F)' : ''}`);
  };
  flip('set', 1000); flip('clear', 2000); flip('set', 3000); flip('clear', 4000); flip('set', 5000);
  assert.equal(seen, ['raised', 'cleared', 'raised', 'cleared(F)', 'flapping(F)', 'raised(F)']);
  assert.equal(run((o) => e.tick(34_000, o)).transitions, [], 'not yet quiet for 30 s');
  const stable = run((o) => e.tick(35_000, o));
  assert.equal(kinds(stable.transitions), ['stable']);
  const s = single(stable.transitions[0]);
  assert.is(s.alarm.flapping, false);
  assert.is(s.alarm.state, 'active');
  assert.is(e.query({ state: 'flapping' }).length, 0);
});

test('flapping that ends cleared: stable is still told, about the cleared alarm', () => {
  const e = engine({ flap: { changes: 3, window_ms: 60_000, stable_after_ms: 10_000 } });
  run((o) => {
    e.fault(set('700.140', 'host=c0', 1), o);
    e.fault({ op: 'clear', alarm_id: '700.140', entity_instance_id: 'host=c0', ts: 2 }, o);
    e.fault(set('700.140', 'host=c0', 3), o);
    e.fault({ op: 'clear', alarm_id: '700.140', entity_instance_id: 'host=c0', ts: 4 }, o);
  });
  const s = run((o) => e.tick(20_000, o));
  assert.equal(kinds(s.transitions), ['stable']);
  assert.is(single(s.transitions[0]).alarm.state, 'cleared');
});

test.run();
