// Dry-run decides and records every step, and changes nothing: no process runs, no request is sent,
// no 730.001 is raised, and a live remediator started afterwards on the same ledger is not held back.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRemediator, foldLedger, readLedger } from '@faultline/processor-remediator';
import type { RemediationResult } from '@faultline/schemas';
import { waitFor } from '../support/index.js';
import { alarm, context, envelope, remediatorConfig, tempDir, transition } from '../support/remediation.js';
import { startReceiver } from '../support/webhook-receiver.js';

const SECRET = 'dry-run-secret';

test('dry-run: the whole escalation ladder is recorded, nothing is done', async () => {
  const rx = await startReceiver({ secret: SECRET });
  const dir = tempDir();
  const marker = join(dir, 'touched');
  const rules = [{ name: 'ladder', match: { alarm_id: ['700.140'] }, steps: [
    { name: 'touch', action: { type: 'command', argv: ['/usr/bin/touch', marker] }, verify_within: '30ms' },
    { name: 'notify', action: { type: 'webhook', url: rx.url, secret_env: 'SECRET' }, verify_within: '30ms' },
  ] }];
  const dry = context(join(dir, 'ledger'));
  const r = createRemediator(dry.ctx, remediatorConfig({ dry_run: true, rules }), { env: { SECRET } });
  await r.start();
  const a = alarm();
  await r.handle([envelope(transition('raised', a))], dry.emit);
  await waitFor('the ladder ends', () => (dry.results.filter((x) => x.outcome === 'unverified').length === 2 ? true : undefined), 10_000, 10);
  await r.stop();

  const seq = dry.results.map((x: RemediationResult) => `${x.outcome}${x.details?.code ? `(${x.details.code})` : ''}#${x.step}`);
  assert.equal(seq, ['matched#0', 'skipped(dry_run)#0', 'unverified(still_active)#0', 'skipped(dry_run)#1', 'unverified(still_active)#1']);
  assert.ok(dry.results.every((x) => x.dry_run));
  assert.match(dry.results[1]!.reason, /would argv \["\/usr\/bin\/touch"/);
  assert.match(dry.results[3]!.reason, new RegExp(`would POST ${rx.url}`));
  assert.not.ok(existsSync(marker), 'the command ran');
  assert.is(rx.received.length, 0, 'the webhook was called');
  assert.is(dry.others.length, 0, 'something was emitted besides the audit (730.001?)');
  // Recorded: the ledger holds the decisions, marked dry-run.
  const claims = foldLedger(readLedger(join(dir, 'ledger'))).claims;
  assert.is(claims.length, 2);
  assert.ok(claims.every((c) => c.dry_run));

  // Going live on the same ledger: dry-run decisions put no host in cooldown and use no attempt.
  const live = context(join(dir, 'ledger'));
  const r2 = createRemediator(live.ctx, remediatorConfig({ rules }), { env: { SECRET } });
  await r2.start();
  await r2.handle([envelope(transition('raised', a, 2))], live.emit);
  await waitFor('the live step', () => live.results.find((x) => x.outcome === 'executed'), 10_000, 10);
  await r2.stop();
  assert.ok(existsSync(marker));
  await rx.close();
});

test.run();
