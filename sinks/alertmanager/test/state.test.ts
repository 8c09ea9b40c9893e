import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FAULTLINE_ALERT_NAMES, alertOf, createAlertState } from '../src/index.js';
import { alarm, transition } from '@faultline/schemas/test-fixtures';

const opts = { names: FAULTLINE_ALERT_NAMES, staticLabels: { cluster: 'edge-1' } };
const T = 1_700_000_100_000;
const TTL = 300_000;

test('an alarm becomes an alert with routing labels and the reason, repair action and uuid as annotations', () => {
  const a = alarm({ entity_instance_id: 'host=compute-3.interface=eth1', alarm_id: '700.110', labels: { alertname: 'x', rack: 'r1' } });
  const alert = alertOf(a, opts);
  assert.equal(alert.labels, {
    cluster: 'edge-1', rack: 'r1', alertname: 'HostInterfaceCarrierLost', alarm_id: '700.110',
    entity_instance_id: 'host=compute-3.interface=eth1', entity_type_id: 'host', severity: 'major',
    alarm_type: 'operational-violation', probable_cause: 'threshold-crossed', service_affecting: 'false',
    source: 'faultline', node: 'compute-3',
  });
  assert.is(alert.annotations.reason, a.reason_text);
  assert.is(alert.annotations.repair_action, a.proposed_repair_action);
  assert.is(alert.annotations.uuid, a.uuid);
  assert.is(alert.startsAt, new Date(a.raised_at).toISOString());
  assert.is(alertOf(alarm({ alarm_id: '100.101' }), opts).labels.alertname, '100.101');
});

test('a raise is due once; after it was sent only the periodic re-post sends it again, with a later endsAt', () => {
  const s = createAlertState(opts);
  s.apply(transition('raised', alarm(), 1), T);
  const first = s.due(T, TTL, false);
  assert.is(first.length, 1);
  assert.is(first[0]!.endsAt, new Date(T + TTL).toISOString());
  s.sent(first);
  assert.equal(s.due(T + 1, TTL, false), []);
  const again = s.due(T + 60_000, TTL, true);
  assert.is(again.length, 1);
  assert.is(again[0]!.endsAt, new Date(T + 60_000 + TTL).toISOString());
});

test('a clear owes a resolution (endsAt = now) until it was sent; an unsent one is offered again', () => {
  const s = createAlertState(opts);
  const a = alarm();
  s.apply(transition('raised', a, 1), T);
  s.sent(s.due(T, TTL, false));
  s.apply(transition('cleared', a, 2), T + 5000);
  const owed = s.due(T + 6000, TTL, false);
  assert.is(owed.length, 1);
  assert.is(owed[0]!.endsAt, new Date(T + 5000).toISOString());
  // the post failed: nothing was marked sent, so it is still owed
  assert.equal(s.due(T + 7000, TTL, false), owed);
  s.sent(owed);
  assert.equal(s.due(T + 8000, TTL, true), []);
  assert.is(s.firingCount, 0);
});

test('a severity change resolves the old label set and fires the new one', () => {
  const s = createAlertState(opts);
  const a = alarm();
  s.apply(transition('raised', a, 1), T);
  s.sent(s.due(T, TTL, false));
  s.apply(transition('updated', { ...a, severity: 'critical' }, 2), T + 1000);
  const due = s.due(T + 1000, TTL, false);
  assert.equal(due.map((x) => [x.labels.severity, x.endsAt]), [
    ['major', new Date(T + 1000).toISOString()],
    ['critical', new Date(T + 1000 + TTL).toISOString()],
  ]);
});

test('inhibited, suppressed or silenced alarms are resolved, and fire again when unmuted', () => {
  for (const muted of [{ inhibited: true }, { suppressed: true }, { silenced_by: ['maintenance'] }]) {
    const s = createAlertState(opts);
    const a = alarm();
    s.apply(transition('raised', a, 1), T);
    s.sent(s.due(T, TTL, false));
    s.apply(transition('inhibited', { ...a, ...muted }, 2), T + 1000);
    const resolved = s.due(T + 1000, TTL, false);
    assert.is(resolved.length, 1);
    assert.is(resolved[0]!.endsAt, new Date(T + 1000).toISOString());
    s.sent(resolved);
    assert.is(s.firingCount, 0);
    s.apply(transition('uninhibited', a, 3), T + 2000);
    assert.is(s.due(T + 2000, TTL, false)[0]!.endsAt, new Date(T + 2000 + TTL).toISOString());
  }
  const s = createAlertState(opts);
  s.apply(transition('raised', alarm({ inhibited: true }), 1), T);
  assert.equal(s.due(T, TTL, true), [], 'an alarm muted from its raise is never posted');
});

test('a snapshot restores firing alarms and owed resolutions, and replays stay replays', () => {
  const s = createAlertState(opts);
  const a = alarm();
  const b = alarm({ entity_instance_id: 'host=compute-1' });
  s.apply(transition('raised', a, 1), T);
  s.apply(transition('raised', b, 1), T);
  s.apply(transition('cleared', b, 2), T);
  const restored = createAlertState(opts);
  restored.restore(JSON.parse(JSON.stringify(s.snapshot())));
  assert.is(restored.firingCount, 1);
  assert.is(restored.due(T, TTL, true).length, 2); // a firing, b's resolution
  restored.apply(transition('raised', a, 1), T);
  restored.sent(restored.due(T, TTL, true));
  restored.apply(transition('cleared', a, 2), T + 1);
  assert.is(restored.firingCount, 0);
});

test('an alarm stamped ahead of this clock still ends after it starts', () => {
  const s = createAlertState(opts);
  s.apply(transition('raised', alarm({ raised_at: T + 3_600_000 }), 1), T);
  const [a] = s.due(T, TTL, false);
  assert.ok(Date.parse(a!.endsAt) > Date.parse(a!.startsAt));
});

test.run();
