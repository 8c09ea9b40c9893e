// `faultline remediation list|approve|deny` (the real CLI, a process of its own) against the ledger of a
// remediator running in another process: the approved step runs, the denied one never does.
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ROOT, waitFor } from '../support/index.js';
import { alarm, startRemediatorProcess, tempDir, transition } from '../support/remediation.js';

const exec = promisify(execFile);
const faultline = (...args: string[]) =>
  exec(process.execPath, ['--conditions=@faultline/source', '--import', 'tsx', resolve(ROOT, 'runtime/cli/src/main.ts'), ...args], { cwd: ROOT });

test('list shows pending requests; approve runs the step; deny voids it; an unknown request is an error', async () => {
  const dir = tempDir();
  const configFile = join(dir, 'remediator.json');
  const marker = (host: string) => join(dir, `rebooted-${host}`);
  writeFileSync(configFile, JSON.stringify({
    approval_poll: '50ms',
    limits: { budget: { max_share: 1 } },
    rules: [{ name: 'reboot', match: { alarm_id: ['700.105'], entity: 'host=*.filesystem=**' }, steps: [{
      approval: true, action: { type: 'command', argv: ['/bin/sh', '-c', `touch ${dir}/rebooted-$FAULTLINE_HOST`] },
    }] }],
  }));
  const proc = await startRemediatorProcess(configFile, dir);
  const ledger = join(dir, 'processors.remediator');
  try {
    proc.send(transition('raised', alarm({ alarm_id: '700.105', severity: 'major', entity_instance_id: 'host=compute-1.filesystem=/var' })));
    proc.send(transition('raised', alarm({ alarm_id: '700.105', severity: 'major', entity_instance_id: 'host=compute-2.filesystem=/var' })));
    await waitFor('two requests', () => (proc.results.filter((r) => r.outcome === 'awaiting_approval').length === 2 ? true : undefined), 20_000, 20);
    const byTarget = (t: string) => proc.results.find((r) => r.outcome === 'awaiting_approval' && r.target === t)!.request_uuid!;

    const pending = (await faultline('remediation', 'list', '--pending', '--dir', ledger)).stdout;
    assert.match(pending, new RegExp(`awaiting_approval .*reboot#0 .*compute-1 .*${byTarget('compute-1').slice(0, 8)}`));
    assert.match(pending, /compute-2/);

    // Three operators at once: one approves, one denies, one mistypes.
    const [approved, , err] = await Promise.all([
      faultline('remediation', 'approve', byTarget('compute-1').slice(0, 8), '--dir', ledger, '--by', 'alice', '--comment', 'fsck done'),
      faultline('remediation', 'deny', byTarget('compute-2'), '--dir', ledger, '--by', 'bob'),
      faultline('remediation', 'approve', 'ffffffff', '--dir', ledger).then(() => undefined, (e: { code: number; stderr: string }) => e),
    ]);
    assert.match(approved.stdout, new RegExp(`approved ${byTarget('compute-1')}`));
    assert.is(err?.code, 1);
    assert.match(err!.stderr, /no pending approval request ffffffff/);
    await waitFor('approved step executed', () => proc.results.find((r) => r.outcome === 'executed'), 20_000, 20);
    await waitFor('denied step voided', () => proc.results.find((r) => r.details?.code === 'denied'), 20_000, 20);
    assert.ok(existsSync(marker('compute-1')));
    assert.not.ok(existsSync(marker('compute-2')));
    assert.match(proc.results.find((r) => r.outcome === 'approved')!.reason, /alice \(fsck done\)/);

    const list = (await faultline('remediation', 'list', '--dir', ledger)).stdout;
    assert.match(list, /executed .*reboot#0 .*compute-1/);
    assert.match(list, /skipped .*compute-2 .*denied: denied by bob/);
  } finally {
    proc.child.stdin.end();
    await new Promise((r) => proc.child.once('exit', r));
  }
});

test.run();
