import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { engine, kinds, run, set, single } from './helpers.js';

const hostFailed = (ts: number) => set('710.001', 'host=c0', ts, { severity: 'critical' });

test('an alarm that inhibits children hides the suppressible alarms of its entity and below; they come back when it clears', () => {
  const e = engine();
  run((o) => {
    e.fault(set('700.110', 'host=c0.interface=eth0', 1), o);
    e.fault(set('700.140', 'host=c0', 1), o);
    e.fault(set('700.110', 'host=c1.interface=eth0', 1), o);
  });
  const up = run((o) => e.fault(hostFailed(2), o));
  assert.equal(kinds(up.transitions), ['raised', 'inhibited', 'inhibited']);
  const parent = single(up.transitions[0]).alarm;
  for (const t of up.transitions.slice(1)) {
    const s = single(t);
    assert.ok(s.alarm.inhibited);
    assert.is(s.alarm.inhibited_by, '710.001|host=c0');
    assert.ok(s.alarm.entity_instance_id.startsWith('host=c0'));
  }
  assert.is(parent.inhibited, false, 'it does not inhibit itself');
  assert.is(e.query({ state: 'inhibited' }).length, 2);
  // A child raised while the parent is active is born inhibited: one transition, flagged.
  const late = run((o) => e.fault(set('700.105', 'host=c0.filesystem=/var', 3), o));
  assert.equal(kinds(late.transitions), ['raised']);
  assert.ok(single(late.transitions[0]).alarm.inhibited);
  const down = run((o) => e.fault({ op: 'clear', alarm_id: '710.001', entity_instance_id: 'host=c0', ts: 4 }, o));
  assert.equal(kinds(down.transitions), ['cleared', 'uninhibited', 'uninhibited', 'uninhibited']);
  assert.is(e.query({ state: 'inhibited' }).length, 0);
});

test('alarms that may not be suppressed are never inhibited', () => {
  const e = engine();
  run((o) => e.fault(set('700.110', 'host=c0.interface=eth0', 1, { suppression: false }), o));
  assert.equal(kinds(run((o) => e.fault(hostFailed(2), o)).transitions), ['raised']);
});

test('inventory parents: a failed node hides the alarms of the pods that run on it', () => {
  const e = engine();
  run((o) => {
    e.inventory({ op: 'set', entity_instance_id: 'k8s=edge.namespace=web.pod=web-1', parent_entity_instance_id: 'host=c0' }, 0, o);
    e.inventory({ op: 'set', entity_instance_id: 'k8s=edge.namespace=web.pod=web-2', parent_entity_instance_id: 'host=c0' }, 0, o);
    e.inventory({ op: 'set', entity_instance_id: 'k8s=edge.namespace=web.pod=web-3', parent_entity_instance_id: 'host=c1' }, 0, o);
    for (const p of ['web-1', 'web-2', 'web-3']) e.fault(set('500.100', `k8s=edge.namespace=web.pod=${p}.container=app`, 1, { severity: 'major' }), o);
  });
  const up = run((o) => e.fault(hostFailed(2), o));
  assert.equal(kinds(up.transitions), ['raised', 'inhibited', 'inhibited']);
  assert.equal(e.query({ state: 'notifiable' }).map((a) => a.alarm.entity_instance_id).sort(), [
    'host=c0', 'k8s=edge.namespace=web.pod=web-3.container=app',
  ]);
  // The pod moves away from the failed node: its alarm is no longer hidden.
  const moved = run((o) => e.inventory({ op: 'set', entity_instance_id: 'k8s=edge.namespace=web.pod=web-2', parent_entity_instance_id: 'host=c1' }, 3, o));
  assert.equal(kinds(moved.transitions), ['uninhibited']);
  const gone = run((o) => e.inventory({ op: 'delete', entity_instance_id: 'k8s=edge.namespace=web.pod=web-1' }, 4, o));
  assert.equal(kinds(gone.transitions), ['uninhibited']);
});

test('StarlingX-style host lock: a catalog entry with inhibits_children from events.yaml works the same', async () => {
  const { loadStarlingxEventsFile, mergeCatalogs, Engine } = await import('../src/index.js');
  const { STARLINGX_EVENTS, CATALOG } = await import('./helpers.js');
  const stx = loadStarlingxEventsFile(STARLINGX_EVENTS).catalog;
  const e = new Engine({ catalog: mergeCatalogs(stx, CATALOG), id_seed: 't' });
  run((o) => e.fault(set('100.101', 'host=controller-0', 1, { severity: 'major' }), o));
  const locked = run((o) => e.fault(set('200.001', 'host=controller-0', 2), o));
  assert.equal(kinds(locked.transitions), ['raised', 'inhibited']);
});

test.run();
