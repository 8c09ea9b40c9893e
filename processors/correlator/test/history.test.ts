import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CATALOG, engine, run, set } from './helpers.js';
import { logTransition } from '../src/engine/log-transition.js';

test('a log becomes a logged transition with a cleared alarm and a uuid that a replay repeats', () => {
  const e = engine();
  const out = run((o) => e.fault({ op: 'log', alarm_id: '710.002', entity_instance_id: 'host=c0', ts: 5, reason_text: 'rebooted' }, o));
  assert.is(out.transitions.length, 0, 'a log is no alarm transition of the engine');
  const t = logTransition(out.logs[0]!, CATALOG);
  assert.is(t.kind, 'logged');
  assert.is(t.alarm.state, 'cleared');
  assert.is(t.alarm.reason_text, 'rebooted');
  assert.is(logTransition(out.logs[0]!, CATALOG).uuid, t.uuid);
  assert.is.not(t.uuid, t.alarm.uuid);
});

test('history read back from the alarms topic comes before live events, logs as logs, within the size', () => {
  const before = engine();
  const raised = run((o) => before.fault(set('700.105', 'host=c0.filesystem=/var', 10, { severity: 'major' }), o)).transitions;
  const logged = run((o) => before.fault({ op: 'log', alarm_id: '710.002', entity_instance_id: 'host=c0', ts: 20 }, o)).logs
    .map((l) => logTransition(l, CATALOG));
  const restarted = engine({ event_log_size: 2 });
  run((o) => restarted.fault(set('700.110', 'host=c0.interface=eth0', 30, { severity: 'major' }), o));
  restarted.replayHistory([...raised, ...logged]);
  const events = restarted.events();
  assert.equal(events.map((e) => e.type), ['alarm', 'log'], 'newest first, capped at event_log_size');
  assert.is(events[0]!.at, 30);
  assert.is(events[1]!.type === 'log' && events[1]!.log.log_id, '710.002');
});

test.run();
