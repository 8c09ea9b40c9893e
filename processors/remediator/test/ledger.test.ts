import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSafetyState, foldLedger, LEDGER_FILE, openLedger, readLedger, type LedgerRecord } from '../src/index.js';
import { restoreFromLedger } from '../src/restore.js';
import { tempDir } from './helpers.js';

const T = '11111111-1111-4111-8111-111111111111';
const R = '22222222-2222-4222-8222-222222222222';
const base = { transition_uuid: T, alarm_id: '700.140', entity_instance_id: 'host=c0', rule: 'ntp', target: 'c0', host: 'c0' };
const claim = (at: number, request_uuid = R, dry_run = false): LedgerRecord =>
  ({ k: 'claim', at, request_uuid, ...base, step: 0, action: 'command', cause: 'ntp|700.140|host=c0', first: true, dry_run });

test('a torn last line (death mid-write) is ignored; compaction keeps what the filter keeps, atomically', () => {
  const dir = tempDir();
  const { ledger } = openLedger(dir);
  ledger.append({ k: 'plan', at: 1, ...base, dry_run: false });
  ledger.append(claim(2), true);
  ledger.close();
  appendFileSync(join(dir, LEDGER_FILE), '{"k":"done","at":3,"requ');
  assert.equal(readLedger(dir).map((r) => r.k), ['plan', 'claim']);
  const reopened = openLedger(dir, (r) => r.k !== 'plan');
  reopened.ledger.close();
  assert.equal(reopened.records.map((r) => r.k), ['claim']);
  assert.is(readFileSync(join(dir, LEDGER_FILE), 'utf8').split('\n').filter(Boolean).length, 1);
});

test('fold: seen transitions, open claims, open plans and pending approvals', () => {
  const result = { uuid: R, transition_uuid: T, alarm_id: '700.140', entity_instance_id: 'host=c0', rule: 'ntp', step: 0, action: 'command', target: 'c0', dry_run: false, at: 5 };
  const v = foldLedger([
    { k: 'plan', at: 1, ...base, dry_run: false },
    claim(2),
    { k: 'result', at: 4, result: { ...result, request_uuid: 'aaaaaaaa-2222-4222-8222-222222222222', outcome: 'awaiting_approval', reason: '', details: { expires_at: '99' } } },
    { k: 'result', at: 4, result: { ...result, request_uuid: 'bbbbbbbb-2222-4222-8222-222222222222', outcome: 'awaiting_approval', reason: '' } },
    { k: 'result', at: 5, result: { ...result, request_uuid: 'bbbbbbbb-2222-4222-8222-222222222222', outcome: 'expired', reason: '' } },
  ]);
  assert.ok(v.seen.has(T));
  assert.equal([...v.openClaims.keys()], [R]);
  assert.equal([...v.openPlans.keys()], [T]);
  assert.equal([...v.pendingApprovals.keys()], ['aaaaaaaa-2222-4222-8222-222222222222']);
  assert.is(v.pendingApprovals.get('aaaaaaaa-2222-4222-8222-222222222222')!.expires_at, 99);
});

test('restore: an open claim is reported failed and closed, never resumed; live history refills the limits, dry-run history does not', () => {
  const s = createSafetyState();
  const v = foldLedger([
    { k: 'plan', at: 1, ...base, dry_run: false },
    claim(2),
    claim(3, '33333333-2222-4222-8222-222222222222', true),
    { k: 'done', at: 4, request_uuid: '33333333-2222-4222-8222-222222222222', ok: true },
  ]);
  const restored = restoreFromLedger(v, s, 100);
  assert.equal(restored.results.map((r) => [r.outcome, r.details?.code]), [['failed', 'interrupted'], ['skipped', 'restart']]);
  assert.equal(restored.closing.map((r) => r.k), ['done', 'end']);
  assert.equal(s.starts.get('c0'), [2]);
  assert.equal(s.attempts.get('ntp|700.140|host=c0'), [2]);
  assert.is(s.lastEnd.get('c0'), 100, 'the cooldown starts at the restart');
});

test.run();
