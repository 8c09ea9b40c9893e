// kill -9 of a real remediator process while its action runs: after a restart the same transition
// (redelivered) never runs the action again, and the interrupted action is reported, not retried.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/index.js';
import { alarm, startRemediatorProcess as startRemediator, tempDir, transition } from '../support/remediation.js';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

test('kill -9 during an action: after restart the redelivered transition is a replay and the action does not run again', async () => {
  const dir = tempDir();
  const marker = join(dir, 'ran');
  const pidFile = join(dir, 'action.pid');
  const configFile = join(dir, 'remediator.json');
  // The action takes effect at once (a line in `ran`), then keeps running: the remediator dies before it returns.
  writeFileSync(configFile, JSON.stringify({
    rules: [{ name: 'restart-svc', match: { alarm_id: ['700.140'] }, steps: [{
      action: { type: 'command', argv: ['/bin/sh', '-c', `echo $$ > ${pidFile}; echo "$FAULTLINE_TRANSITION_UUID" >> ${marker}; sleep 30`] }, timeout: '60s',
    }] }],
  }));
  const a = alarm();
  const t = transition('raised', a, 1);

  const first = await startRemediator(configFile, dir);
  first.send(t);
  await waitFor('the action took effect', () => (lines(marker).length ? true : undefined), 20_000, 20);
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  const actionPid = Number(readFileSync(pidFile, 'utf8'));

  try {
    const second = await startRemediator(configFile, dir);
    const interrupted = await waitFor('the interrupted action reported', () => second.results.find((r) => r.outcome === 'failed' && r.details?.code === 'interrupted'), 20_000, 20);
    assert.is(interrupted.transition_uuid, t.uuid);
    second.send(t); // what a bus redelivers after a crash: the batch was never committed
    const replay = await waitFor('the replay refused', () => second.results.find((r) => r.details?.code === 'replayed'), 20_000, 20);
    assert.is(replay.outcome, 'skipped');
    // A fresh raise of the same alarm meets the cooldown the dead process's action started.
    second.send(transition('raised', a, 3));
    const cooldown = await waitFor('the new raise decided', () => second.results.find((r) => r.transition_uuid !== t.uuid && r.outcome === 'skipped'), 20_000, 20);
    assert.is(cooldown.details?.code, 'cooldown');
    second.child.stdin.end();
    await new Promise((r) => second.child.once('exit', r));
    assert.equal(lines(marker), [t.uuid], 'the action ran exactly once');
    assert.not.ok(second.results.some((r) => r.outcome === 'executed'));
  } finally {
    try { process.kill(-actionPid, 'SIGKILL'); } catch { /* already gone */ }
  }
});

test.run();
