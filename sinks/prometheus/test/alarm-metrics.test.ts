import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createAlarmMetrics } from '../src/index.js';
import { alarm, transition } from '@faultline/schemas/test-fixtures';

const active = (text: string) => text.split('\n').filter((l) => l.startsWith('faultline_alarm_active{'));
const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1]);

test('a raised alarm is one series with its identity, severity and node; it goes away when cleared', () => {
  const m = createAlarmMetrics('node');
  const a = alarm({ entity_instance_id: 'host=compute-0.filesystem=/var', alarm_id: '700.104', labels: { mount: '/var' } });
  m.apply(transition('raised', a, 1));
  assert.equal(active(m.render()), [
    'faultline_alarm_active{alarm_id="700.104",entity_instance_id="host=compute-0.filesystem=/var",severity="major",'
    + 'alarm_type="operational-violation",probable_cause="threshold-crossed",service_affecting="false",node="compute-0",mount="/var"} 1',
  ]);
  assert.is(count(m.render(), /faultline_active_alarms\{severity="major"\} (\d+)/), 1);
  m.apply(transition('cleared', a, 2));
  const text = m.render();
  assert.equal(active(text), []);
  assert.is(count(text, /faultline_active_alarms\{severity="major"\} (\d+)/), 0);
  assert.is(count(text, /faultline_alarm_transitions_total\{kind="raised"\} (\d+)/), 1);
  assert.is(count(text, /faultline_alarm_transitions_total\{kind="cleared"\} (\d+)/), 1);
});

test('a severity update replaces the series; counts follow', () => {
  const m = createAlarmMetrics('node');
  const a = alarm();
  m.apply(transition('raised', a, 1));
  m.apply(transition('updated', { ...a, severity: 'critical' }, 2));
  const text = m.render();
  assert.is(active(text).length, 1);
  assert.ok(active(text)[0]!.includes('severity="critical"'));
  assert.is(count(text, /faultline_active_alarms\{severity="major"\} (\d+)/), 0);
  assert.is(count(text, /faultline_active_alarms\{severity="critical"\} (\d+)/), 1);
});

test('a replayed batch neither brings back a cleared alarm nor counts its transitions twice', () => {
  const m = createAlarmMetrics('node');
  const a = alarm();
  const batch = [transition('raised', a, 1), transition('cleared', a, 2)];
  for (const t of [...batch, ...batch]) m.apply(t);
  const text = m.render();
  assert.equal(active(text), []);
  assert.is(count(text, /faultline_alarm_transitions_total\{kind="raised"\} (\d+)/), 1);
});

test('clear_all removes every alarm below the entity', () => {
  const m = createAlarmMetrics('node');
  const a = alarm({ entity_instance_id: 'host=compute-0.interface=eth0', alarm_id: '700.110' });
  const b = alarm({ entity_instance_id: 'host=compute-0' });
  const c = alarm({ entity_instance_id: 'host=compute-1' });
  for (const x of [a, b, c]) m.apply(transition('raised', x, 1));
  m.apply({ uuid: randomUUID(), at: 1, kind: 'cleared_all', entity_instance_id: 'host=compute-0',
    cleared: [{ seq: 2, alarm: { ...a, state: 'cleared' } }, { seq: 2, alarm: { ...b, state: 'cleared' } }] });
  const left = active(m.render());
  assert.is(left.length, 1);
  assert.ok(left[0]!.includes('host=compute-1'));
  assert.is(m.activeCount, 1);
});

test('inhibited, suppressed and silenced alarms stay active and are marked muted with the reason', () => {
  const m = createAlarmMetrics('node');
  const a = alarm();
  m.apply(transition('raised', a, 1));
  m.apply(transition('inhibited', { ...a, inhibited: true, silenced_by: ['s1'] }, 2));
  let text = m.render();
  assert.is(active(text).length, 1);
  assert.ok(text.includes('faultline_alarm_muted{alarm_id="700.101",entity_instance_id="host=compute-0",reason="inhibited"} 1'));
  assert.ok(text.includes('reason="silenced"} 1'));
  m.apply(transition('uninhibited', a, 3));
  text = m.render();
  assert.not.ok(text.includes('faultline_alarm_muted{'));
});

test.run();
