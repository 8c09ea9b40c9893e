import { randomUUID } from 'node:crypto';
import type { RemediationResult } from '@faultline/schemas';
import type { LedgerRecord, LedgerView } from './ledger/records.js';
import type { SafetyState } from './safety/limits.js';

export interface Restored {
  /** Records that close what the dead process left open (claims, plans), to append before going on. */
  closing: LedgerRecord[];
  /** Audit results that say so. */
  results: RemediationResult[];
}

/**
 * After a restart: history refills the limits (live actions only: dry-run decisions never weigh on
 * live limits), and whatever was in flight is closed, never resumed. An action that was running when
 * the process died may or may not have taken effect; running it again could reboot a host twice, so it
 * is reported as failed and left alone (at most once). Open approvals expire; unfinished plans end.
 */
export function restoreFromLedger(view: LedgerView, safety: SafetyState, now: number): Restored {
  const closing: LedgerRecord[] = [];
  const results: RemediationResult[] = [];
  for (const c of view.claims) {
    if (c.dry_run) continue;
    safety.starts.set(c.target, [...(safety.starts.get(c.target) ?? []), c.at]);
    if (c.first) safety.attempts.set(c.cause, [...(safety.attempts.get(c.cause) ?? []), c.at]);
  }
  for (const e of view.ends) {
    if (e.acted && !e.dry_run) safety.lastEnd.set(e.target, Math.max(safety.lastEnd.get(e.target) ?? 0, e.at));
  }
  const base = (r: { transition_uuid: string; alarm_id: string; entity_instance_id: string; rule: string; target: string; dry_run: boolean }) => ({
    uuid: randomUUID(), transition_uuid: r.transition_uuid, alarm_id: r.alarm_id, entity_instance_id: r.entity_instance_id,
    rule: r.rule, target: r.target, dry_run: r.dry_run, at: now,
  });
  for (const c of view.openClaims.values()) {
    closing.push({ k: 'done', at: now, request_uuid: c.request_uuid, ok: false });
    results.push({
      ...base(c), request_uuid: c.request_uuid, step: c.step, action: c.action, outcome: 'failed',
      reason: 'interrupted: the remediator stopped while this action ran; its effect is unknown and it is not repeated (at most once)',
      details: { code: 'interrupted' },
    });
  }
  for (const p of view.pendingApprovals.values()) {
    const r = p.result;
    results.push({ ...r, uuid: randomUUID(), outcome: 'expired', reason: 'the remediator restarted before an answer; the request is void', at: now, details: { code: 'restart' } });
  }
  for (const p of view.openPlans.values()) {
    const acted = view.claims.some((c) => c.transition_uuid === p.transition_uuid && !c.dry_run);
    closing.push({ k: 'end', at: now, transition_uuid: p.transition_uuid, target: p.target, host: p.host, acted, dry_run: p.dry_run });
    // The cooldown starts now: the host may still be recovering from what was done before the crash.
    if (acted) safety.lastEnd.set(p.target, now);
    results.push({
      ...base(p), step: 0, action: '', outcome: 'skipped',
      reason: 'restart: the plan was under way when the remediator stopped; it ends here and is not resumed',
      details: { code: 'restart' },
    });
  }
  return { closing, results };
}
