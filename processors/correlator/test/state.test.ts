import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, TOPICS, type ActiveAlarm, type FaultEvent, type Heartbeat, type TopicName } from '@faultline/schemas';
import { toOutbound, silentLogger, type BusRecord, type Envelope, type ReadAllOptions } from '@faultline/runtime';
import { AlarmView, BUILTIN_RULES, DurableState, Engine, loadRulesFile, newOutput, publishOutput } from '../src/index.js';
import { CATALOG, batch } from './helpers.js';

/** A pretend compacted topic store: what `out` emitted, as the bus would hand it back with readAll. */
function store() {
  const records: BusRecord[] = [];
  const emit = (topic: TopicName, value: unknown, opts: { key?: string | null } = {}) => {
    const o = toOutbound(topic, value as never, opts);
    records.push({ topic, partition: 0, offset: String(records.length), key: o.key, value: o.value, headers: o.headers ?? {}, timestamp: 0 });
  };
  /** Every read, with where it started. */
  const reads: { topic: string; from?: ReadonlyMap<number, number> }[] = [];
  const read = (topic: string, opts: ReadAllOptions = {}) => {
    reads.push({ topic, ...(opts.from && { from: opts.from }) });
    return (async function* () {
      yield* records.filter((r) => r.topic === topic && Number(r.offset) >= (opts.from?.get(r.partition) ?? 0));
    })();
  };
  return { records, reads, emit: emit as never, read };
}

const fault = (op: FaultEvent['op'], alarm_id: string, entity: string, ts: number, partition: number, severity?: FaultEvent['severity']): Envelope =>
  ({ topic: 'faults', key: null, value: { op, alarm_id, entity_instance_id: entity, ts, ...(severity && { severity }) }, partition, offset: '0', timestamp: ts });
const beat = (node: string, seq: number, ts: number, partition: number): Envelope =>
  ({ topic: 'heartbeats', key: node, partition, offset: '0', timestamp: ts, value: { node, boot_id: 'b1', seq, ts, period_ms: 100 } satisfies Heartbeat });
const metrics = (node: string, ts: number, partition: number, value: number): Envelope =>
  ({ topic: 'metrics', key: node, partition, offset: '0', timestamp: ts, value: batch(node, ts, [{ name: 'node_cpu_usage_ratio', labels: {}, value }]) });

/** One correlator: engine + durable state, handling batches the way the processor does. */
function correlator(id: string) {
  const e = new Engine({ catalog: CATALOG, rules: loadRulesFile(BUILTIN_RULES).rules, id_seed: id });
  const state = new DurableState(() => e, silentLogger);
  return {
    e, state,
    handle(envs: Envelope[], emit: never) {
      const out = newOutput();
      const touched = state.noteBatch(envs);
      for (const env of envs) {
        if (env.topic === 'faults') e.fault(env.value as FaultEvent, out);
        if (env.topic === 'metrics') e.metrics(env.value as never, out);
        if (env.topic === 'heartbeats') e.heartbeat(env.value as Heartbeat, out, env.timestamp);
      }
      for (const host of e.takeHeartbeatChanges()) touched.add(host);
      publishOutput(out, emit, CATALOG);
      state.persist(touched, out, emit);
      return out;
    },
  };
}

test('a restart restores active alarms, seqs and flap history of the partitions it owns, and the operator state', async () => {
  const s = store();
  const a = correlator('a');
  a.handle([fault('set', '700.110', 'host=c0.interface=eth0', 1000, 0), fault('set', '700.110', 'host=c1.interface=eth0', 1000, 1)], s.emit);
  a.handle([fault('clear', '700.110', 'host=c0.interface=eth0', 2000, 0), fault('set', '700.110', 'host=c0.interface=eth0', 3000, 0)], s.emit);
  const out = newOutput();
  a.e.addSilence({ id: 's1', matchers: { host: 'c1' }, starts_at: 0, ends_at: 10_000_000, created_by: 't', comment: '' }, 3000, out);
  a.state.persistOperator(s.emit);

  const b = correlator('b');
  await b.state.assign([{ topic: 'faults', partition: 0 }, { topic: 'metrics', partition: 0 }], s.read);
  assert.equal(b.e.query().map((x) => [x.alarm.entity_instance_id, x.seq]), [['host=c0.interface=eth0', 1]]);
  assert.equal(b.e.silences().map((x) => x.id), ['s1']);
  const before = a.e.snapshot((r) => r === 'c0');
  assert.equal(b.e.snapshot((r) => r === 'c0').table.flaps, before.table.flaps, 'flap history of c0 restored');
  // Both now produce the same next transition for c0: the restored one carries on where a stopped.
  const next = (c: ReturnType<typeof correlator>) => c.handle([fault('clear', '700.110', 'host=c0.interface=eth0', 4000, 0)], store().emit as never)
    .transitions.map((t) => (t.kind === 'cleared_all' ? t.kind : [t.kind, t.seq, t.alarm.uuid]));
  assert.equal(next(b), next(a));
});

test('partition 1 restores only its host; a revoke forgets only the partitions taken away', async () => {
  const s = store();
  const a = correlator('a');
  a.handle([fault('set', '700.110', 'host=c0.interface=eth0', 1000, 0), fault('set', '700.110', 'host=c1.interface=eth0', 1000, 1)], s.emit);
  const b = correlator('b');
  await b.state.assign([{ topic: 'faults', partition: 1 }], s.read);
  assert.equal(b.e.query().map((x) => x.alarm.entity_instance_id), ['host=c1.interface=eth0']);
  a.state.revoke([{ topic: 'faults', partition: 1 }]);
  assert.equal(a.e.query().map((x) => x.alarm.entity_instance_id), ['host=c0.interface=eth0']);
});

test('a restore from the group follower\'s view reads only the records after it, and shares its alarm objects', async () => {
  const s = store();
  const a = correlator('a');
  a.handle([
    fault('set', '700.110', 'host=c0.interface=eth0', 1000, 0), fault('set', '700.110', 'host=c0.interface=eth1', 1000, 0),
    fault('set', '700.110', 'host=c0.interface=eth2', 1000, 0), fault('set', '700.110', 'host=c1.interface=eth0', 1000, 1),
  ], s.emit);
  // The view as a follower that has read the topic so far; then more records it has not read yet.
  const view = new AlarmView(0);
  const seen = s.records.length;
  for (const r of s.records.slice(0, seen)) {
    if (r.topic !== 'alarms.active' || r.key === null) continue;
    const d = r.value && decode('active_alarm', r.headers, r.value);
    view.applyActive(r.key, d && d.ok ? d.value : null);
  }
  a.handle([
    fault('clear', '700.110', 'host=c0.interface=eth1', 2000, 0), fault('set', '700.106', 'host=c0.disk=sda', 2000, 0),
    fault('set', '700.110', 'host=c0.interface=eth0', 2000, 0, 'critical'),
  ], s.emit);

  const b = correlator('b');
  let taken: ActiveAlarm[] = [];
  await b.state.assign([{ topic: 'faults', partition: 0 }], s.read, {
    take: (ours) => {
      const mine = view.alarmsOf(ours);
      taken = [...mine.alarms];
      return { ...mine, from: new Map([[0, seen]]) };
    },
  });
  const full = correlator('c');
  await full.state.assign([{ topic: 'faults', partition: 0 }], s.read);
  assert.equal(b.e.query(), full.e.query(), 'the same alarms as a restore that read the whole topic');
  assert.equal(b.e.query().map((x) => [x.alarm.entity_instance_id, x.alarm.severity]), [
    ['host=c0.interface=eth0', 'critical'], ['host=c0.interface=eth2', 'major'], ['host=c0.disk=sda', 'major'],
  ]);
  assert.equal(s.reads.filter((r) => r.topic === 'alarms.active')[0]!.from, new Map([[0, seen]]), 'alarms.active read from the view\'s offsets');
  const entity = (a: ActiveAlarm) => a.alarm.entity_instance_id;
  assert.equal(taken.map(entity).sort(), ['host=c0.interface=eth0', 'host=c0.interface=eth1', 'host=c0.interface=eth2'], 'only its host\'s alarms taken');
  const unchanged = (as: ActiveAlarm[]) => as.find((a) => entity(a) === 'host=c0.interface=eth2')!.alarm;
  assert.ok(unchanged(b.e.query()) === unchanged(taken), 'the engine holds the view\'s alarm object, not a copy');

  // A member gaining every partition owns every alarm: the view hands them all over, unfiltered.
  const d = correlator('d');
  const asked: unknown[] = [];
  await d.state.assign([0, 1].map((partition) => ({ topic: 'faults', partition })), s.read, {
    take: (ours) => { asked.push(ours); return { ...view.alarmsOf(ours), from: new Map([[0, seen]]) }; },
  });
  const all = correlator('e');
  await all.state.assign([0, 1].map((partition) => ({ topic: 'faults', partition })), s.read);
  assert.equal(asked, [undefined], 'no filter asked for');
  assert.equal(d.e.query(), all.e.query());
  assert.equal(d.e.activeCount, 4);
});

test('alarms of a host with no state record (710.010 at system=<cluster>) are the orphan partition 0\'s: restored and dropped with it', async () => {
  const s = store();
  const elsewhere = new Engine({ catalog: CATALOG, id_seed: 'x' });
  const out = newOutput();
  elsewhere.fault({ op: 'set', alarm_id: '700.110', entity_instance_id: 'system=cluster', ts: 1000 }, out);
  publishOutput(out, s.emit, CATALOG);
  const p1 = correlator('p1');
  await p1.state.assign([{ topic: 'faults', partition: 1 }], s.read);
  assert.is(p1.e.activeCount, 0, 'not the owner of partition 0');
  const p0 = correlator('p0');
  await p0.state.assign([0, 1].map((partition) => ({ topic: 'faults', partition })), s.read);
  assert.equal(p0.e.query().map((a) => a.alarm.entity_instance_id), ['system=cluster']);
  p0.state.revoke([{ topic: 'faults', partition: 1 }]);
  assert.is(p0.e.activeCount, 1, 'kept while partition 0 is owned');
  p0.state.revoke([{ topic: 'faults', partition: 0 }]);
  assert.is(p0.e.activeCount, 0, 'dropped with partition 0: its new owner restores it');
});

test('threshold debounce state survives: the raise comes at the same sample after a restore', async () => {
  const s = store();
  const a = correlator('a');
  // 7 samples over 90 % raise 700.101; 3 before the restore and 4 after must raise it, so the bits must travel.
  const high = (c: ReturnType<typeof correlator>, ts: number, emit: never) => c.handle([metrics('c0', ts, 0, 0.97)], emit).transitions.length;
  for (let i = 0; i < 3; i++) assert.is(high(a, 1000 * (i + 1), s.emit), 0);
  const b = correlator('b');
  await b.state.assign([{ topic: 'metrics', partition: 0 }], s.read);
  const after: number[] = [];
  for (let i = 3; i < 7; i++) after.push(high(b, 1000 * (i + 1), store().emit as never));
  assert.equal(after, [0, 0, 0, 1], 'raised at the 7th sample overall');
});

test('heartbeats persist only what changes; after a restore a host that keeps beating raises nothing, a silent one is judged', async () => {
  const s = store();
  const a = correlator('a');
  const hostRecords = (node: string) => s.records.filter((r) => r.topic === 'correlator.state' && r.key === node).length;
  // c0 beats until the crash; c1 beat a little and fell silent before it (not yet judged: a never ticked).
  const t0 = Date.now() - 10_000;
  for (let i = 0; i < 50; i++) a.handle([beat('c0', i, t0 + i * 100, 0), ...(i < 5 ? [beat('c1', i, t0 + i * 100, 0)] : [])], s.emit);
  assert.is(hostRecords('c0'), 1, '50 beats of a healthy host: one state record, the first');
  assert.is(hostRecords('c1'), 1);

  const b = correlator('b');
  await b.state.assign([{ topic: 'heartbeats', partition: 0 }], s.read);
  const t1 = Date.now();
  const seen: string[] = [];
  for (let i = 0; i < 12; i++) {
    const t = t1 + i * 100;
    const out = b.handle([beat('c0', 50 + i, t, 0)], s.emit);
    b.e.tick(t, out);
    seen.push(...out.transitions.map((x) => (x.kind === 'cleared_all' ? x.kind : `${x.kind}:${x.alarm.alarm_id}:${x.alarm.entity_instance_id}`)));
    seen.push(...out.logs.map((l) => `log:${l.log_id}:${l.entity_instance_id}`));
  }
  assert.equal(seen, ['raised:710.001:host=c1'], 'no false 710.001 nor 710.002 for c0; c1, silent since before the crash, is degraded');
  assert.is(hostRecords('c0'), 2, 'the first beat after the restore is persisted, the others are not');
});

test.run();
