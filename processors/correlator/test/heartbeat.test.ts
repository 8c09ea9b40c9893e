import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Heartbeat } from '@faultline/schemas';
import { REMEDIATION_HOLD_LABEL, type Engine } from '../src/index.js';
import { engine, kinds, run, set, single, summary } from './helpers.js';

const P = 100; // ms per period, as StarlingX mtce
const hb = (node: string, seq: number, ts: number, boot_id = 'b1'): Heartbeat => ({ node, boot_id, seq, ts, period_ms: P });

/** Pulses every host in `nodes` from seq `from` for `count` periods starting at `t0`; ticks after each. */
function pulse(e: Engine, nodes: string[], from: number, count: number, t0: number, boot = 'b1') {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = t0 + i * P;
    const o = run((out) => { for (const n of nodes) e.heartbeat(hb(n, from + i, t, boot), out); e.tick(t, out); });
    seen.push(...summary(o.transitions));
  }
  return seen;
}
const tickTo = (e: Engine, from: number, to: number) => {
  const seen: string[] = [];
  for (let t = from; t <= to; t += P) seen.push(...run((o) => e.tick(t, o)).transitions.map((x) => `${t}:${summary([x])[0]}`));
  return seen;
};

test('degrade after 6 missed periods, fail after 10 (+ the multi-node window), recover after 10 consecutive pulses', () => {
  const e = engine({ heartbeat: { multi_node_window_ms: 300 } });
  assert.equal(pulse(e, ['c0'], 0, 5, 0), []);
  // Last pulse at 400: 6 missed at 1000, 10 at 1400; a single host waits the window (300) → failed at 1700.
  assert.equal(tickTo(e, 500, 2000), ['1000:raised:major', '1700:updated:critical']);
  const back = pulse(e, ['c0'], 100, 10, 3000);
  assert.equal(back, ['cleared:critical'], 'cleared on the 10th consecutive pulse');
});

test('9 pulses are not enough; a gap restarts the count', () => {
  const e = engine({ heartbeat: { multi_node_window_ms: 0 } });
  pulse(e, ['c0'], 0, 1, 0);
  tickTo(e, 100, 1100);
  assert.equal(pulse(e, ['c0'], 10, 9, 2000), []);
  // seq jumps from 18 to 30: not consecutive.
  assert.equal(pulse(e, ['c0'], 30, 9, 3000), []);
  assert.equal(pulse(e, ['c0'], 39, 1, 4000), ['cleared:critical']);
});

test('a new boot id is a reboot (710.002 log), not a gap; the seq restarting is fine', () => {
  const e = engine();
  pulse(e, ['c0'], 0, 5, 0);
  const o = run((out) => e.heartbeat(hb('c0', 0, 500, 'b2'), out));
  assert.equal(o.transitions, []);
  assert.is(o.logs.length, 1);
  assert.is(o.logs[0]!.log_id, '710.002');
  assert.match(o.logs[0]!.reason_text, /rebooted/);
  assert.equal(pulse(e, ['c0'], 1, 20, 600, 'b2'), [], 'pulses after the reboot count normally');
});

test('duplicates and late pulses are ignored', () => {
  const e = engine();
  pulse(e, ['c0'], 0, 3, 0);
  assert.equal(run((o) => { e.heartbeat(hb('c0', 2, 300), o); e.heartbeat(hb('c0', 1, 300), o); }).transitions, []);
});

test('2+ hosts silent together: ONE 710.010 multi-node alarm, not N host failures; the hosts are marked to hold remediation', () => {
  const e = engine();
  pulse(e, ['c0', 'c1', 'c2'], 0, 5, 0);
  // c2 keeps pulsing; c0 and c1 stop together.
  const seen: string[] = [];
  for (let t = 500; t <= 2500; t += P) {
    const o = run((out) => { e.heartbeat(hb('c2', t / P, t), out); e.tick(t, out); });
    seen.push(...o.transitions.map((x) => `${t}:${x.kind === 'cleared_all' ? '' : `${x.alarm.alarm_id}:${x.kind}:${x.alarm.severity}`}`));
  }
  assert.equal(seen, [
    '1000:710.001:raised:major', '1000:710.001:raised:major',
    '1400:710.010:raised:critical', '1400:710.001:updated:major', '1400:710.001:updated:major',
  ]);
  const multi = e.get('710.010|system=faultline')!.alarm;
  assert.is(multi.labels.hosts, 'c0,c1');
  assert.is(multi.labels[REMEDIATION_HOLD_LABEL], 'true');
  for (const h of ['c0', 'c1']) {
    const a = e.get(`710.001|host=${h}`)!.alarm;
    assert.is(a.severity, 'major', 'no host failure alarm');
    assert.is(a.labels[REMEDIATION_HOLD_LABEL], 'true');
    assert.is(a.labels.multi_node_failure, '710.010|system=faultline');
  }
  // One comes back: it leaves the multi-node alarm; the last one back clears it.
  const c0back = pulse(e, ['c0', 'c2'], 100, 10, 3000);
  assert.equal(c0back, ['cleared:major', 'updated:critical']);
  assert.is(e.get('710.010|system=faultline')!.alarm.labels.hosts, 'c1');
  const c1back = pulse(e, ['c0', 'c1', 'c2'], 200, 10, 4000);
  assert.equal(c1back, ['cleared:major', 'cleared:critical']);
  assert.is(e.activeCount, 0);
});

test('restore with resumeAt: the correlator\'s own downtime is not every host\'s heartbeat loss', () => {
  const a = engine();
  pulse(a, ['c0', 'c1'], 0, 5, 0);
  const snap = JSON.parse(JSON.stringify(a.snapshot()));
  // The correlator was down for 30 s; its successor restores and ticks before the backlog is read.
  const late = engine();
  late.restore(snap);
  const spurious = run((o) => late.tick(30_000, o)).transitions;
  assert.ok(spurious.some((t) => t.kind === 'raised' && t.alarm.alarm_id === '710.010'), 'without resumeAt: a multi-node failure out of nothing');
  const resumed = engine();
  resumed.restore(snap, 30_000);
  assert.equal(run((o) => resumed.tick(30_300, o)).transitions, []);
  assert.equal(summary(run((o) => resumed.tick(30_600, o)).transitions), ['raised:major', 'raised:major'], 'silence after the resume still counts');
});

test('a failed host inhibits its own alarms (710.001 inhibits children)', () => {
  const e = engine({ heartbeat: { multi_node_window_ms: 0 } });
  pulse(e, ['c0'], 0, 1, 0);
  run((o) => e.fault(set('700.105', 'host=c0.filesystem=/var', 50), o));
  const o = run((out) => e.tick(600, out));
  assert.equal(kinds(o.transitions), ['raised', 'inhibited']);
  assert.ok(single(o.transitions[1]).alarm.inhibited);
});

test.run();
