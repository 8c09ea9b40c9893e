import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { alarmKey, type ActiveAlarm, type AlarmTransition } from '@faultline/schemas';
import { silentLogger, type Emit, type Envelope, type ProcessorContext } from '@faultline/runtime';
import { correlatorProcessor, type Correlator } from '../src/index.js';

interface Emitted { topic: string; value: unknown; key: string | null | undefined }

function start(config: Record<string, unknown> = {}) {
  const emitted: Emitted[] = [];
  const emit: Emit = (topic, value, opts) => { emitted.push({ topic, value, key: opts?.key }); };
  const ctx: ProcessorContext = { id: 'processors.correlator', node: 'test', log: silentLogger, dataDir: '/tmp', emit };
  const c = correlatorProcessor.create(ctx, Value.Default(correlatorProcessor.configSchema, config) as never) as Correlator;
  return { c, emitted, emit };
}
/** The message start() fails with when the correlator's only rules file holds `yaml`. */
async function startError(yaml: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'corr-'));
  writeFileSync(join(dir, 'r.yaml'), yaml);
  const { c } = start({ rules: { files: [join(dir, 'r.yaml')] } });
  try {
    await c.start();
  } catch (e) {
    return (e as Error).message;
  } finally {
    await c.stop();
  }
  throw new Error('start() accepted the rules file');
}
const env = <T extends Envelope['topic']>(topic: T, value: Envelope<T>['value']): Envelope =>
  ({ topic, key: null, value, partition: 0, offset: '0', timestamp: 0 }) as Envelope;

test('the factory is a processor called correlator reading metrics, faults, heartbeats and inventory', () => {
  assert.is(correlatorProcessor.kind, 'processor');
  assert.is(correlatorProcessor.type, 'correlator');
  const { c } = start();
  assert.equal([...c.inputs], ['metrics', 'faults', 'heartbeats', 'inventory']);
});

test('inventory records from the bus make a failed node hide its pods\' alarms', async () => {
  const { c, emitted, emit } = start();
  await c.start();
  try {
    const pod = 'k8s=edge.namespace=web.pod=web-1';
    await c.handle([
      env('inventory', { op: 'set', entity_instance_id: pod, parent_entity_instance_id: 'host=c0', ts: 1 }),
      env('faults', { op: 'set', alarm_id: '500.100', entity_instance_id: pod, severity: 'major', ts: 1 }),
      env('faults', { op: 'set', alarm_id: '710.001', entity_instance_id: 'host=c0', severity: 'critical', ts: 2 }),
    ], emit);
    const kinds = emitted.filter((e) => e.topic === 'alarms').map((e) => (e.value as AlarmTransition).kind);
    assert.equal(kinds, ['raised', 'raised', 'inhibited']);
    assert.is(c.engine.query({ state: 'inhibited' })[0]?.alarm.entity_instance_id, pod);
  } finally {
    await c.stop();
  }
});

test('handle: N heartbeats of a healthy host write its correlator.state record once, on the first', async () => {
  const { c, emitted, emit } = start();
  await c.start();
  try {
    const now = Date.now();
    for (let seq = 1; seq <= 20; seq++) {
      await c.handle([env('heartbeats', { node: 'c0', boot_id: 'b1', seq, ts: now + seq * 100, period_ms: 100 })], emit);
    }
    assert.equal(emitted.filter((e) => e.topic === 'correlator.state').map((e) => e.key), ['c0']);
    await c.handle([env('heartbeats', { node: 'c0', boot_id: 'b2', seq: 1, ts: now + 2100, period_ms: 100 })], emit);
    assert.equal(emitted.filter((e) => e.topic === 'correlator.state').map((e) => e.key), ['c0', 'c0'], 'a reboot is persisted');
  } finally {
    await c.stop();
  }
});

test('handle: transitions go to alarms, state to alarms.active, a clear is a tombstone keyed by the alarm key', async () => {
  const { c, emitted, emit } = start();
  await c.start();
  try {
    const entity = 'host=c0.interface=eth0';
    await c.handle([env('faults', { op: 'set', alarm_id: '700.110', entity_instance_id: entity, ts: 1, reason_text: 'down' })], emit);
    await c.handle([env('faults', { op: 'clear', alarm_id: '700.110', entity_instance_id: entity, ts: 2 })], emit);
    // Other topics (the service's correlator.state) are not this test's business.
    const own = emitted.filter((e) => e.topic === 'alarms' || e.topic === 'alarms.active');
    emitted.length = 0;
    emitted.push(...own);
    assert.equal(emitted.map((e) => e.topic), ['alarms', 'alarms.active', 'alarms', 'alarms.active']);
    assert.is((emitted[0]!.value as AlarmTransition).kind, 'raised');
    const active = emitted[1]!.value as ActiveAlarm;
    assert.is(active.seq, 1);
    assert.is(active.last_transition, (emitted[0]!.value as AlarmTransition).uuid);
    assert.is(emitted[3]!.value, null);
    assert.is(emitted[3]!.key, alarmKey({ alarm_id: '700.110', entity_instance_id: entity }));
    assert.is(c.engine.activeCount, 0);
  } finally {
    await c.stop();
  }
});

test('the shipped rules raise 700.101 from the host collector\'s cpu gauge after 7 samples', async () => {
  const { c, emitted, emit } = start();
  await c.start();
  try {
    for (let i = 0; i < 7; i++) {
      await c.handle([env('metrics', { node: 'c0', collector: 'host', ts: i * 1000, interval_ms: 1000, samples: [{ name: 'node_cpu_usage_ratio', labels: {}, value: 0.97 }] })], emit);
    }
    const raised = emitted.filter((e) => e.topic === 'alarms').map((e) => e.value as AlarmTransition);
    assert.is(raised.length, 1);
    assert.is(raised[0]!.kind === 'raised' && raised[0]!.alarm.severity, 'critical');
    assert.is(raised[0]!.kind === 'raised' && raised[0]!.alarm.entity_instance_id, 'host=c0');
  } finally {
    await c.stop();
  }
});

test('a bad rules file stops start() with every problem, its file and line', async () => {
  const message = await startError('rules:\n  - name: x\n    alarm_id: "700.101"\n    metric: m\n    entity: host=<node>\n    levels: { major: { raise: 1, clear: 2 } }\n');
  assert.match(message, /r\.yaml:6:\d+: x rules\.0\.levels\.major\.clear/);
});

test('a rule whose alarm id no catalog declares stops start()', async () => {
  const message = await startError('rules:\n  - { name: x, alarm_id: "999.001", metric: m, entity: host=<node>, levels: { major: { raise: 2, clear: 1 } } }\n');
  assert.match(message, /x alarm_id: alarm 999\.001 is not in any loaded catalog/);
});

test.run();
