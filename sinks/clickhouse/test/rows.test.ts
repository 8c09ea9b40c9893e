import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Envelope } from '@faultline/runtime';
import type { Alarm, AlarmTransition, FaultEvent } from '@faultline/schemas';
import { faultEventId, seriesKey, toRows } from '../src/index.js';

const env = (topic: Envelope['topic'], value: unknown, traceparent?: string): Envelope =>
  ({ topic, key: null, value, partition: 0, offset: '0', timestamp: 0, ...(traceparent ? { traceparent } : {}) }) as Envelope;

const alarm = (over: Partial<Alarm> = {}): Alarm => ({
  uuid: '11111111-1111-4111-8111-111111111111', alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: 'host=compute-0',
  severity: 'major', reason_text: 'CPU 93%', alarm_type: 'qos', probable_cause: 'threshold-crossed', proposed_repair_action: 'check load',
  service_affecting: false, suppression_allowed: true, state: 'active', raised_at: 1_764_000_000_000, updated_at: 1_764_000_000_000,
  inhibited: false, suppressed: false, silenced_by: [], flapping: false, source: 'threshold', labels: { b: '2', a: '1' }, ...over,
});

test('seriesKey sorts label keys so the identity does not depend on their order', () => {
  assert.is(seriesKey({ mode: 'idle', cpu: '0' }), 'cpu=0,mode=idle');
  assert.is(seriesKey({ cpu: '0', mode: 'idle' }), 'cpu=0,mode=idle');
  assert.is(seriesKey({}), '');
});

test('a metric batch becomes one row per sample with epoch seconds, sorted nested labels and the batch fields', () => {
  const rows = toRows([env('metrics', {
    node: 'compute-0', collector: 'host', ts: 1_764_000_000_250, interval_ms: 10_000,
    samples: [{ name: 'node_cpu_seconds_total', labels: { mode: 'idle', cpu: '1' }, value: 12.5 }, { name: 'node_load1', labels: {}, value: 0.3 }],
  })]);
  assert.is(rows.metric_samples.length, 2);
  assert.equal(rows.metric_samples[0], {
    ts: 1_764_000_000, ts_ms: 1_764_000_000_250, node: 'compute-0', collector: 'host', name: 'node_cpu_seconds_total',
    series: 'cpu=1,mode=idle', 'labels.k': ['cpu', 'mode'], 'labels.v': ['1', 'idle'], value: 12.5, interval_ms: 10_000,
  });
  assert.equal(rows.metric_samples[1]!['labels.k'], []);
});

test('a single transition becomes one row with the alarm, its host and the previous severity', () => {
  const t: AlarmTransition = {
    uuid: '22222222-2222-4222-8222-222222222222', at: 1_764_000_001_000, kind: 'updated', seq: 2,
    alarm: alarm({ entity_instance_id: 'host=compute-3.filesystem=/var', severity: 'critical' }), previous_severity: 'major',
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  };
  const [row] = toRows([env('alarms', t)]).alarm_transitions;
  assert.is(row!.host, 'compute-3');
  assert.is(row!.kind, 'updated');
  assert.is(row!.seq, 2);
  assert.is(row!.severity, 'critical');
  assert.is(row!.previous_severity, 'major');
  assert.is(row!.at, 1_764_000_001);
  assert.equal(row!['labels.k'], ['a', 'b']);
  assert.is(row!.traceparent, t.traceparent);
});

test('a clear_all transition fans out to one row per cleared alarm with that alarm\'s sequence number', () => {
  const t: AlarmTransition = {
    uuid: '33333333-3333-4333-8333-333333333333', at: 1_764_000_002_000, kind: 'cleared_all', entity_instance_id: 'host=compute-0',
    cleared: [
      { seq: 4, alarm: alarm({ state: 'cleared' }) },
      { seq: 7, alarm: alarm({ alarm_id: '700.110', entity_instance_id: 'host=compute-0.interface=eth0', state: 'cleared' }) },
    ],
  };
  const rows = toRows([env('alarms', t)]).alarm_transitions;
  assert.equal(rows.map((r) => [r.alarm_id, r.seq, r.kind, r.transition_uuid]), [
    ['700.101', 4, 'cleared_all', t.uuid], ['700.110', 7, 'cleared_all', t.uuid],
  ]);
});

test('a fault event without uuid gets a content digest as id: the same event twice, the same id', () => {
  const e: FaultEvent = { op: 'log', alarm_id: '710.002', entity_instance_id: 'host=compute-1', reason_text: 'rebooted', ts: 1_764_000_003_000 };
  assert.is(faultEventId(e), faultEventId({ ...e }));
  assert.is.not(faultEventId(e), faultEventId({ ...e, ts: e.ts + 1 }));
  assert.match(faultEventId(e), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const uuid = '44444444-4444-4444-8444-444444444444';
  assert.is(faultEventId({ ...e, uuid }), uuid);
  const [row] = toRows([env('faults', e, '00-aa-bb-01')]).fault_events;
  assert.equal([row!.op, row!.host, row!.severity, row!.service_affecting, row!.traceparent], ['log', 'compute-1', '', null, '00-aa-bb-01']);
});

test('a remediation result keeps its outcome, nullable duration and sorted details', () => {
  const [row] = toRows([env('remediations', {
    uuid: '55555555-5555-4555-8555-555555555555', transition_uuid: '22222222-2222-4222-8222-222222222222', alarm_id: '700.104',
    entity_instance_id: 'host=compute-2.filesystem=/', rule: 'clean-tmp', step: 0, action: 'command', target: 'compute-2',
    outcome: 'executed', reason: 'exit 0', dry_run: false, details: { z: '1', exit: '0' }, at: 1_764_000_004_000,
  })]).remediation_results;
  assert.equal([row!.host, row!.outcome, row!.dry_run, row!.duration_ms, row!.request_uuid], ['compute-2', 'executed', 0, null, '']);
  assert.equal(row!['details.k'], ['exit', 'z']);
});

test('topics the sink does not store produce no rows', () => {
  const rows = toRows([env('heartbeats', { node: 'compute-0', boot_id: 'b', seq: 1, ts: 1, period_ms: 100 })]);
  assert.is(rows.metric_samples.length + rows.alarm_transitions.length + rows.fault_events.length + rows.remediation_results.length, 0);
});

test.run();
