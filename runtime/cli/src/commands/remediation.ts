import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { loadPipelineConfig } from '@faultline/runtime';
import { foldLedger, readLedger, writeApprovalDecision, type PendingApproval } from '@faultline/processor-remediator';
import type { RemediationResult } from '@faultline/schemas';
import { DEFAULT_PIPELINE } from '../paths.js';
import { registry } from '../registry.js';

interface WhereOptions { config: string; dir?: string; processor?: string }

/**
 * The remediator's ledger directory: --dir, or the data dir of the (only, or named) remediator in the pipeline
 * file, resolved as the pipeline resolves it (`<data_dir>/processors.<name>`; a data_dir written in the file is
 * relative to the file, the default one to the working directory).
 */
function ledgerDir(opts: WhereOptions): string {
  if (opts.dir) return resolve(opts.dir);
  const cfg = loadPipelineConfig(opts.config, registry);
  const found = cfg.components.filter((c) => c.kind === 'processor' && c.factory.type === 'remediator' && (!opts.processor || c.name === opts.processor));
  if (found.length === 0) throw new Error(`${opts.config} configures no remediator${opts.processor ? ` named ${opts.processor}` : ''}; give --dir <ledger dir>`);
  if (found.length > 1) throw new Error(`${opts.config} configures ${found.length} remediators (${found.map((c) => c.name).join(', ')}): pick one with --processor`);
  return resolve(cfg.dataDir, found[0]!.id);
}

const where = (cmd: Command) => cmd
  .option('-c, --config <file>', 'pipeline file that configures the remediator', DEFAULT_PIPELINE)
  .option('--processor <name>', 'the remediator instance, when the file has several')
  .option('--dir <dir>', 'the remediator\'s ledger directory (instead of reading the pipeline file)');

const short = (uuid?: string) => (uuid ? uuid.slice(0, 8) : '-');

function row(r: RemediationResult): string {
  const cells = [
    new Date(r.at).toISOString(), r.outcome.padEnd(17), `${r.rule}#${r.step}`.padEnd(24), (r.action || '-').padEnd(10),
    r.target.padEnd(16), r.alarm_id, short(r.request_uuid), (r.dry_run ? '[dry-run] ' : '') + r.reason.replace(/\s+/g, ' '),
  ];
  return cells.join('  ');
}

function pendingRequest(dir: string, prefix: string, now: number): PendingApproval {
  const pending = [...foldLedger(readLedger(dir)).pendingApprovals.values()];
  const hits = pending.filter((p) => p.request_uuid.startsWith(prefix));
  if (hits.length === 0) {
    throw new Error(`no pending approval request ${prefix} in ${dir} (see \`faultline remediation list --pending\`)`);
  }
  if (hits.length > 1) throw new Error(`${prefix} matches ${hits.length} pending requests: give more of the uuid`);
  const hit = hits[0]!;
  if (hit.expires_at && hit.expires_at <= now) throw new Error(`request ${hit.request_uuid} expired at ${new Date(hit.expires_at).toISOString()}`);
  return hit;
}

function decide(decision: 'approve' | 'deny') {
  return (request: string, opts: WhereOptions & { by?: string; comment?: string }) => {
    const dir = ledgerDir(opts);
    const hit = pendingRequest(dir, request, Date.now());
    const d = { request_uuid: hit.request_uuid, decision, by: opts.by ?? userInfo().username, at: Date.now(), ...(opts.comment ? { comment: opts.comment } : {}) };
    writeApprovalDecision(dir, d);
    const r = hit.result;
    process.stdout.write(`${decision === 'approve' ? 'approved' : 'denied'} ${hit.request_uuid}: rule ${r.rule} step ${r.step} (${r.action}) on ${r.target} for ${r.alarm_id}; the remediator picks it up at its next poll\n`);
  };
}

/** `faultline remediation list|approve|deny`, on the remediator's local ledger (the REST equivalent comes with the alarm service). */
export function remediationCommand(): Command {
  const cmd = new Command('remediation').description('the remediation audit trail and approvals (reads the remediator\'s ledger)');
  where(cmd.command('list').description('remediation decisions, newest last: matched, skipped and why, awaiting approval, executed, verified...'))
    .option('--pending', 'only requests waiting for approval')
    .option('-n, --limit <n>', 'the last n decisions', '50')
    .option('--json', 'one RemediationResult JSON per line')
    .action((opts: WhereOptions & { pending?: boolean; limit: string; json?: boolean }) => {
      const dir = ledgerDir(opts);
      const view = foldLedger(readLedger(dir));
      const now = Date.now();
      const results = opts.pending
        ? [...view.pendingApprovals.values()].filter((p) => !p.expires_at || p.expires_at > now).map((p) => p.result)
        : view.results.slice(-Math.max(1, Number(opts.limit) || 50));
      if (opts.json) { for (const r of results) process.stdout.write(JSON.stringify(r) + '\n'); return; }
      if (!results.length) { process.stdout.write(opts.pending ? 'no request is waiting for approval\n' : `no remediation decision recorded in ${dir}\n`); return; }
      for (const r of results) process.stdout.write(row(r) + '\n');
    });
  for (const decision of ['approve', 'deny'] as const) {
    where(cmd.command(decision).description(`${decision} a request waiting for approval (its uuid, or a unique prefix)`))
      .argument('<request>', 'request uuid or unique prefix, from `faultline remediation list --pending`')
      .option('--by <name>', 'who decides (recorded in the audit)', undefined)
      .option('--comment <text>', 'why (recorded in the audit)')
      .action(decide(decision));
  }
  return cmd;
}
