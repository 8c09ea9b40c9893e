// The command action runs real processes: argv without a shell, the alarm as FAULTLINE_* variables and
// JSON on stdin, and a timeout that kills the whole process group.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRemediator } from '@faultline/processor-remediator';
import type { RemediationResult } from '@faultline/schemas';
import { alarm, context, envelope, remediatorConfig, tempDir, transition } from '../support/remediation.js';

const settle = async (results: RemediationResult[], n: number) => {
  for (let i = 0; i < 500 && results.filter((r) => r.outcome === 'executed' || r.outcome === 'failed').length < n; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
};

test('shell metacharacters in alarm text reach the command as literal bytes and never run', async () => {
  const dir = tempDir();
  const files = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => join(dir, n));
  const evil = `$(touch ${files[0]}) \`touch ${files[1]}\`; touch ${files[2]} && touch ${files[3]} | touch ${files[4]}`;
  const a = alarm({
    reason_text: evil,
    proposed_repair_action: `\`touch ${files[5]}\``,
    entity_instance_id: `host=$(touch ${files[5]})`,
  });
  const step = (argv: string[]) => ({ action: { type: 'command', argv }, verify_within: '1m' });
  const { ctx, results, emit } = context();
  const rules = [
    { name: 'env', match: { alarm_id: ['700.140'], entity: '**' }, steps: [step(['/usr/bin/printenv', 'FAULTLINE_REASON_TEXT', 'FAULTLINE_HOST', 'FAULTLINE_PROPOSED_REPAIR_ACTION'])] },
  ];
  const r = createRemediator(ctx, remediatorConfig({ rules }));
  await r.start();
  await r.handle([envelope(transition('raised', a))], emit);
  await settle(results, 1);
  await r.stop();
  const executed = results.find((x) => x.outcome === 'executed');
  assert.ok(executed, JSON.stringify(results));
  assert.is(executed!.output, `${evil}\n$(touch ${files[5]})\n\`touch ${files[5]}\`\n`);
  assert.is(executed!.target, `$(touch ${files[5]})`);
  for (const f of files) assert.not.ok(existsSync(f), `${f} was created`);
});

test('the alarm arrives as JSON on stdin, byte for byte; only a minimal environment is inherited', async () => {
  const a = alarm({ reason_text: 'quote " backslash \\ newline \n dollar $HOME `id`' });
  const { ctx, results, emit } = context();
  const rules = [{ name: 'stdin', match: { alarm_id: ['700.140'] }, steps: [
    { action: { type: 'command', argv: ['/bin/cat'] } },
  ] }, { name: 'envdump', match: { alarm_id: ['700.101'] }, steps: [{ action: { type: 'command', argv: ['/usr/bin/env'], env: { EXTRA: 'yes' } } }] }];
  const r = createRemediator(ctx, remediatorConfig({ rules, limits: { budget: { max_share: 1 } } }), { env: { PATH: process.env.PATH, SECRET_TOKEN: 'must-not-leak' } });
  await r.start();
  const b = alarm({ alarm_id: '700.101', entity_instance_id: 'host=compute-1' });
  await r.handle([envelope(transition('raised', a)), envelope(transition('raised', b))], emit);
  await settle(results, 2);
  await r.stop();
  const byRule = (name: string) => results.find((x) => x.rule === name && x.outcome === 'executed')!;
  const payload = JSON.parse(byRule('stdin').output!);
  assert.equal(payload.alarm, a);
  assert.is(payload.rule, 'stdin');
  const env = byRule('envdump').output!;
  assert.match(env, /^FAULTLINE_ALARM_ID=700\.101$/m);
  assert.match(env, /^FAULTLINE_HOST=compute-1$/m);
  assert.match(env, /^EXTRA=yes$/m);
  assert.not.match(env, /SECRET_TOKEN/);
});

/** Gone, or a zombie waiting for a reaper: either way it runs no more. */
function running(pid: number): boolean {
  try { process.kill(pid, 0); } catch { return false; }
  try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
}

test('the step timeout kills the whole process group, children included; output so far is kept', async () => {
  const dir = tempDir();
  const pidFile = join(dir, 'child.pid');
  const { ctx, results, emit } = context();
  // A program that starts a background child and waits: killing only the parent would leave the child running.
  const argv = ['/bin/sh', '-c', `sleep 60 & echo $! > ${pidFile}; echo started; wait`];
  const rules = [{ name: 'hang', match: { alarm_id: ['700.140'] }, steps: [{ action: { type: 'command', argv, kill_grace: '200ms' }, timeout: '300ms' }] }];
  const r = createRemediator(ctx, remediatorConfig({ rules }));
  await r.start();
  await r.handle([envelope(transition('raised', alarm()))], emit);
  await settle(results, 1);
  await r.stop();
  const failed = results.find((x) => x.outcome === 'failed');
  assert.ok(failed, JSON.stringify(results));
  assert.match(failed!.reason, /killed \(process group\)/);
  assert.is(failed!.output, 'started\n');
  const child = Number(readFileSync(pidFile, 'utf8'));
  for (let i = 0; i < 50 && running(child); i++) await new Promise((res) => setTimeout(res, 20));
  assert.not.ok(running(child), `background child ${child} survived the timeout`);
});

test('a program that does not exist is a failure, not a crash', async () => {
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, remediatorConfig({ rules: [{ name: 'missing', match: { alarm_id: ['700.140'] }, steps: [{ action: { type: 'command', argv: ['/nonexistent/remedy'] } }] }] }));
  await r.start();
  await r.handle([envelope(transition('raised', alarm()))], emit);
  await settle(results, 1);
  await r.stop();
  const failed = results.find((x) => x.outcome === 'failed');
  assert.match(failed!.reason, /ENOENT/);
});

test.run();
