import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { createActiveAlarmTable, type Alarm, type AlarmTransition } from '../src/index.js';

const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  uuid: randomUUID(), alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: 'host=compute-0', severity: 'major',
  reason_text: 'r', alarm_type: 'operational-violation', probable_cause: 'threshold-crossed', proposed_repair_action: 'a',
  service_affecting: false, suppression_allowed: true, state: 'active', raised_at: 1, updated_at: 1, inhibited: false,
  suppressed: false, silenced_by: [], flapping: false, source: 'threshold', labels: {}, ...over,
});
const t = (kind: Exclude<AlarmTransition['kind'], 'cleared_all'>, a: Alarm, seq: number): AlarmTransition =>
  ({ uuid: randomUUID(), at: 1, kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a });

test('raise, update and clear change the table and report each change once', () => {
  const table = createActiveAlarmTable();
  const a = alarm();
  assert.equal(table.apply(t('raised', a, 1)).map((c) => c.active), [true]);
  assert.is(table.apply(t('updated', { ...a, severity: 'critical' }, 2))[0]!.alarm.severity, 'critical');
  assert.is(table.get('700.101|host=compute-0')?.severity, 'critical');
  assert.equal(table.apply(t('cleared', a, 3)).map((c) => c.active), [false]);
  assert.is(table.size, 0);
});

test('replays change nothing: an old raise after the clear does not bring the alarm back', () => {
  const table = createActiveAlarmTable();
  const a = alarm();
  const raise = t('raised', a, 1);
  table.apply(raise);
  table.apply(t('cleared', a, 2));
  assert.equal(table.apply(raise), []);
  assert.is(table.size, 0);
  const again = alarm({ entity_instance_id: a.entity_instance_id });
  assert.is(table.apply(t('raised', again, 1)).length, 1, 'a new raise of the same key (new uuid) counts');
});

test('a clear of an alarm the table does not hold, or of an older instance, changes nothing', () => {
  const table = createActiveAlarmTable();
  const current = alarm();
  table.apply(t('raised', current, 1));
  assert.equal(table.apply(t('cleared', alarm(), 5)), []);
  assert.is(table.size, 1);
});

test('clear_all reports every alarm it clears; a snapshot restores the table and its seqs', () => {
  const table = createActiveAlarmTable();
  const a = alarm({ entity_instance_id: 'host=compute-0.interface=eth0', alarm_id: '700.110' });
  const b = alarm();
  table.apply(t('raised', a, 1));
  table.apply(t('raised', b, 4));
  const copy = createActiveAlarmTable();
  copy.restore(JSON.parse(JSON.stringify(table.snapshot())));
  assert.is(copy.size, 2);
  assert.equal(copy.apply(t('updated', b, 4)), [], 'seq 4 was already applied before the snapshot');
  const changes = copy.apply({ uuid: randomUUID(), at: 2, kind: 'cleared_all', entity_instance_id: 'host=compute-0',
    cleared: [{ seq: 2, alarm: { ...a, state: 'cleared' } }, { seq: 5, alarm: { ...b, state: 'cleared' } }] });
  assert.equal(changes.map((c) => [c.key, c.active]), [['700.110|host=compute-0.interface=eth0', false], ['700.101|host=compute-0', false]]);
  assert.is(copy.size, 0);
});

test.run();
