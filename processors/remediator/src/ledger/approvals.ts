import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** An operator's answer to an awaiting_approval request, dropped by `faultline remediation approve|deny`. */
export interface ApprovalDecision {
  request_uuid: string;
  decision: 'approve' | 'deny';
  by: string;
  at: number;
  comment?: string;
}

export const APPROVALS_DIR = 'approvals';

/** Written to a temporary name and renamed, so the remediator never reads half a decision. */
export function writeApprovalDecision(ledgerDir: string, d: ApprovalDecision): void {
  const dir = join(ledgerDir, APPROVALS_DIR);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.${d.request_uuid}.tmp`);
  const fd = openSync(tmp, 'w');
  try { writeSync(fd, JSON.stringify(d)); fsyncSync(fd); } finally { closeSync(fd); }
  renameSync(tmp, join(dir, `${d.request_uuid}.json`));
}

/** The decision for one request, if an operator has made one. */
export function readApprovalDecision(ledgerDir: string, requestUuid: string): ApprovalDecision | undefined {
  const file = join(ledgerDir, APPROVALS_DIR, `${requestUuid}.json`);
  if (!existsSync(file)) return undefined;
  try { return JSON.parse(readFileSync(file, 'utf8')) as ApprovalDecision; } catch { return undefined; }
}

export function removeApprovalDecision(ledgerDir: string, requestUuid: string): void {
  rmSync(join(ledgerDir, APPROVALS_DIR, `${requestUuid}.json`), { force: true });
}

/** Decision files for requests that are no longer pending (answered too late, or before a restart). */
export function listApprovalDecisions(ledgerDir: string): string[] {
  const dir = join(ledgerDir, APPROVALS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length));
}
