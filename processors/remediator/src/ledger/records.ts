import type { RemediationResult } from '@faultline/schemas';

/**
 * One line of ledger.jsonl. `plan` and `claim` are the at-most-once guards (a claim is fsynced before its
 * action starts); `done` and `end` close them; `result` is the audit trail `faultline remediation list` shows.
 */
export type LedgerRecord =
  | { k: 'plan'; at: number; transition_uuid: string; alarm_id: string; entity_instance_id: string; rule: string; target: string; host: string; dry_run: boolean }
  | {
    k: 'claim'; at: number; request_uuid: string; transition_uuid: string; alarm_id: string; entity_instance_id: string;
    rule: string; step: number; action: string; target: string; host: string; cause: string; first: boolean; dry_run: boolean;
  }
  | { k: 'done'; at: number; request_uuid: string; ok: boolean }
  | { k: 'end'; at: number; transition_uuid: string; target: string; host: string; acted: boolean; dry_run: boolean }
  | { k: 'result'; at: number; result: RemediationResult };

export type Claim = Extract<LedgerRecord, { k: 'claim' }>;
export type PlanRecord = Extract<LedgerRecord, { k: 'plan' }>;

export interface PendingApproval {
  request_uuid: string;
  result: RemediationResult;
  expires_at: number;
}

/** What a ledger says, folded in order (pure: the remediator's restart and the CLI both use it). */
export interface LedgerView {
  /** Transitions that started a plan: a redelivery of one is a replay. */
  seen: Set<string>;
  /** Claims with no `done`: actions that were running when the process died. */
  openClaims: Map<string, Claim>;
  /** Plans with no `end`. */
  openPlans: Map<string, PlanRecord>;
  /** awaiting_approval results not yet resolved by a later result of the same request. */
  pendingApprovals: Map<string, PendingApproval>;
  claims: Claim[];
  ends: Extract<LedgerRecord, { k: 'end' }>[];
  results: RemediationResult[];
}

const RESOLVING = new Set(['approved', 'expired', 'skipped', 'executed', 'failed']);

export function foldLedger(records: Iterable<LedgerRecord>): LedgerView {
  const v: LedgerView = { seen: new Set(), openClaims: new Map(), openPlans: new Map(), pendingApprovals: new Map(), claims: [], ends: [], results: [] };
  for (const r of records) {
    switch (r.k) {
      case 'plan': v.seen.add(r.transition_uuid); v.openPlans.set(r.transition_uuid, r); break;
      case 'claim': v.openClaims.set(r.request_uuid, r); v.claims.push(r); break;
      case 'done': v.openClaims.delete(r.request_uuid); break;
      case 'end': v.openPlans.delete(r.transition_uuid); v.ends.push(r); break;
      case 'result': {
        v.results.push(r.result);
        const id = r.result.request_uuid;
        if (!id) break;
        if (r.result.outcome === 'awaiting_approval') {
          v.pendingApprovals.set(id, { request_uuid: id, result: r.result, expires_at: Number(r.result.details?.expires_at ?? 0) });
        } else if (RESOLVING.has(r.result.outcome)) v.pendingApprovals.delete(id);
        break;
      }
    }
  }
  return v;
}

