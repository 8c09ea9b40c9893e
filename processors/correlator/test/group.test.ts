import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alarmKey, type ActiveAlarm, type AlarmTransition, type CorrelatorShared, type Heartbeat } from '@faultline/schemas';
import { AlarmView, REMEDIATION_HOLD_LABEL, SharedState, newOutput, type Engine } from '../src/index.js';
import { engine, run, set } from './helpers.js';

const summary = (ts: readonly AlarmTransition[]) =>
  ts.map((t) => (t.kind === 'cleared_all' ? 'cleared_all' : `${t.alarm.alarm_id}:${t.kind}:${t.alarm.severity}`));

/** The alarms.active value and the transitions an engine published, as a follower reads them. */
function published(e: Engine, view: AlarmView, fn: (out: ReturnType<typeof newOutput>) => void) {
  const out = run(fn);
  for (const t of out.transitions) {
    view.applyTransition(t);
    if (t.kind === 'cleared_all') for (const c of t.cleared) view.applyActive(alarmKey(c.alarm), null);
    else if (t.alarm.state === 'cleared') view.applyActive(alarmKey(t.alarm), null);
    else view.applyActive(alarmKey(t.alarm), e.get(alarmKey(t.alarm)) as ActiveAlarm);
  }
}

test('AlarmView: the last value per key of every member\'s alarms.active, with the same filters as the engine', () => {
  const [a, b] = [engine({ id_seed: 'a' }), engine({ id_seed: 'b' })];
  const view = new AlarmView(100);
  published(a, view, (o) => a.fault(set('700.110', 'host=c0.interface=eth0', 1000), o));
  published(b, view, (o) => b.fault(set('700.120', 'host=c1.sensor=k10temp/Tctl', 900), o));
  published(a, view, (o) => a.fault(set('700.110', 'host=c0.interface=eth0', 1100, { severity: 'critical' }), o));
  assert.is(view.activeCount, 2);
  assert.equal(view.query({ severity: 'critical' }).map((x) => x.alarm.entity_instance_id).sort(), ['host=c0.interface=eth0', 'host=c1.sensor=k10temp/Tctl']);
  assert.equal(view.query({ entity_prefix: 'host=c1' }).map((x) => x.alarm.alarm_id), ['700.120']);
  const c0 = view.query({ alarm_id: '700.110' })[0]!;
  assert.is(c0.seq, 2, 'the update replaced the raise');
  assert.is(view.getByUuid(c0.alarm.uuid)?.alarm.severity, 'critical');
  published(a, view, (o) => a.fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0.interface=eth0', ts: 1200 }, o));
  assert.is(view.getByUuid(c0.alarm.uuid), undefined, 'a tombstone removes it');
  assert.is(view.activeCount, 1);
  // Events arrive per partition, out of time order: served newest first all the same.
  assert.equal(view.events({}).map((e) => e.at), [1200, 1100, 1000, 900]);
  assert.equal(view.events({ from: 1000, to: 1100, limit: 1 }).map((e) => e.at), [1100]);
});

const silenceRec = (writer: string, ends_at: number): CorrelatorShared =>
  ({ kind: 'silence', writer, at: 0, silence: { id: 's1', matchers: { alarm_id: '700.110' }, starts_at: 0, ends_at, created_by: 't', comment: '' } });

test('AlarmView with its member\'s engine: its own alarms read back keep the engine\'s objects; a peer\'s and an older state are its own', () => {
  const [a, b] = [engine({ id_seed: 'a' }), engine({ id_seed: 'b' })];
  const view = new AlarmView(0, (key) => a.table.get(key));
  const key = '700.110|host=c0.interface=eth0';
  run((o) => a.fault(set('700.110', 'host=c0.interface=eth0', 1000), o));
  const decoded = (e: Engine, k: string) => structuredClone(e.table.get(k)!);
  view.applyActive(key, decoded(a, key));
  assert.ok(view.query({})[0]!.alarm === a.table.get(key)!.alarm, 'the engine\'s alarm object, not the decoded copy');
  const raised = decoded(a, key);
  run((o) => a.fault(set('700.110', 'host=c0.interface=eth0', 1100, { severity: 'critical' }), o));
  view.applyActive(key, raised); // the raise read back after the engine moved on: the record's own state
  assert.is(view.query({})[0]!.alarm.severity, 'major');
  assert.ok(view.query({})[0]!.alarm !== a.table.get(key)!.alarm);
  run((o) => b.fault(set('700.120', 'host=c1.sensor=k10temp/Tctl', 900), o));
  const peer = decoded(b, '700.120|host=c1.sensor=k10temp/Tctl');
  view.applyActive('700.120|host=c1.sensor=k10temp/Tctl', peer);
  assert.ok(view.query({ alarm_id: '700.120' })[0] === peer, 'a peer\'s alarm is kept as decoded');
});

test('SharedState: every peer record applies; an own echo applies only once no newer own write of its key is in flight', () => {
  const s = new SharedState('me', 'silent/me', 3000);
  assert.ok(s.accept('silence/s1', silenceRec('peer', 10)));
  s.wrote('silence/s1');
  s.wrote('silence/s1');
  assert.not.ok(s.accept('silence/s1', silenceRec('me', 20)), 'the older own write: skipped, the newer one is applied already');
  assert.ok(s.accept('silence/s1', silenceRec('peer', 25)), 'a peer write in between applies');
  assert.ok(s.accept('silence/s1', silenceRec('me', 30)), 'the last own write applies again: the log order wins');
});

test('SharedState: peers\' silent hosts count while fresh; its own record and empty records never count', () => {
  const s = new SharedState('me', 'silent/me', 3000);
  s.peerSilentHosts('silent/me', { kind: 'silent_hosts', writer: 'me-before', at: 1000, failing: ['x'], in_multi: [] });
  s.peerSilentHosts('silent/p1', { kind: 'silent_hosts', writer: 'p1', at: 1000, failing: ['h1'], in_multi: [] });
  s.peerSilentHosts('silent/p2', { kind: 'silent_hosts', writer: 'p2', at: 3000, failing: [], in_multi: ['h2'] });
  assert.equal([...s.peerHosts(3500).failing], ['h1']);
  assert.equal([...s.peerHosts(3500).inMulti], ['h2']);
  assert.equal([...s.peerHosts(4500).failing], [], 'p1 went quiet for longer than the stale time');
  s.peerSilentHosts('silent/p2', null);
  assert.equal([...s.peerHosts(3500).inMulti], []);
});

test('after a restore, suppression and silences are set again from the operator state in force (the restored flags may be older)', () => {
  const old = engine({ id_seed: 'old' });
  run((o) => old.fault(set('700.110', 'host=c0.interface=eth0', 1000), o));
  run((o) => old.setSuppressed('700.110', true, 1100, o));
  // Its last owner suppressed it; the member restoring it has since applied the lift of that suppression.
  const member = engine({ id_seed: 'member' });
  member.restore({ ...old.snapshot(), table: { ...old.snapshot().table, suppressed_alarm_ids: [] } });
  assert.ok(member.get('700.110|host=c0.interface=eth0')!.alarm.suppressed, 'restored as it was stored');
  assert.equal(summary(run((o) => member.reconcileOperatorFlags(1200, o)).transitions), ['700.110:unsuppressed:major']);
  assert.equal(run((o) => member.reconcileOperatorFlags(1300, o)).transitions, [], 'nothing more once in step');
});

const P = 100;
const hb = (node: string, seq: number, ts: number): Heartbeat => ({ node, boot_id: 'b1', seq, ts, period_ms: P });

test('710.010 on a sum: two members with one silent host each raise it together, and only the judge raises it', () => {
  const opts = { heartbeat: { multi_node_window_ms: 500, multi_node_min: 2 } };
  const [a, b] = [engine({ ...opts, id_seed: 'a' }), engine({ ...opts, id_seed: 'b' })];
  for (let i = 0; i < 3; i++) {
    run((o) => a.heartbeat(hb('c0', i, i * P), o));
    run((o) => b.heartbeat(hb('c1', i, i * P), o));
  }
  const seen = { a: [] as string[], b: [] as string[] };
  for (let t = 300; t <= 2000; t += P) {
    // What each member published at its last tick reaches the other before its next one.
    const [sa, sb] = [a.silentHosts(), b.silentHosts()];
    a.setHeartbeatPeers(new Set(sb.failing), new Set(sb.in_multi), true);
    b.setHeartbeatPeers(new Set(sa.failing), new Set(sa.in_multi), false);
    seen.a.push(...summary(run((o) => a.tick(t, o)).transitions));
    seen.b.push(...summary(run((o) => b.tick(t, o)).transitions));
  }
  assert.ok(seen.a.includes('710.010:raised:critical'), seen.a.join(' '));
  assert.not.ok(seen.b.some((x) => x.startsWith('710.010')), 'the other member only counts');
  assert.not.ok([...seen.a, ...seen.b].some((x) => x === '710.001:updated:critical'), 'no lone host failure');
  assert.is(a.get('710.010|system=faultline')!.alarm.labels.hosts, 'c0,c1');
  assert.is(b.get('710.001|host=c1')!.alarm.labels[REMEDIATION_HOLD_LABEL], 'true');
});

test('710.010 without peers: one silent host per member is a lone failure on each', () => {
  const opts = { heartbeat: { multi_node_window_ms: 500, multi_node_min: 2 } };
  const a = engine(opts);
  for (let i = 0; i < 3; i++) run((o) => a.heartbeat(hb('c0', i, i * P), o));
  const seen: string[] = [];
  for (let t = 300; t <= 2000; t += P) seen.push(...summary(run((o) => a.tick(t, o)).transitions));
  assert.ok(seen.includes('710.001:updated:critical'));
  assert.not.ok(seen.some((x) => x.startsWith('710.010')));
});

test.run();
