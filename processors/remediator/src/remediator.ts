import { randomUUID } from 'node:crypto';
import { parseDuration, type Emit, type Envelope, type Processor, type ProcessorContext } from '@faultline/runtime';
import {
  alarmKey, rootEntity, type Alarm, type AlarmTransition, type FaultEvent, type RemediationOutcome, type RemediationResult,
  type SingleAlarmTransition,
} from '@faultline/schemas';
import { createAction } from './actions/index.js';
import type { ActionOutcome } from './actions/types.js';
import type { RemediatorConfig } from './config.js';
import { listApprovalDecisions, readApprovalDecision, removeApprovalDecision } from './ledger/approvals.js';
import { openLedger, type Ledger } from './ledger/ledger.js';
import { foldLedger, type LedgerRecord } from './ledger/records.js';
import { restoreFromLedger } from './restore.js';
import { loadRulesFile, checkRules, RulesError } from './rules/load.js';
import { compileRule, matchRule, targetOf, type CompiledRule, type CompiledStep } from './rules/match.js';
import type { RuleConfig } from './rules/schema.js';
import { gateTransition, held, HOLD_LABEL, markedMultiNode } from './safety/gate.js';
import {
  admit, createSafetyState, noteActionEnd, notePlanEnd, noteStart, type SafetyLimits, type StepRequest,
} from './safety/limits.js';

export interface RemediatorDeps {
  /** Where secrets (secret_env, password_env) are read and what commands inherit PATH/HOME/LANG from. */
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

/** One alarm's walk through a rule's steps. */
interface Plan {
  key: string;
  transition: SingleAlarmTransition;
  alarm: Alarm;
  rule: CompiledRule;
  target: string;
  host: string;
  cause: string;
  dryRun: boolean;
  step: number;
  /** The alarm's latest transition seq: an older transition (redelivered) never moves the plan. */
  seq: number;
  state: 'idle' | 'awaiting_approval' | 'running' | 'verifying';
  /** A step of this plan has executed (or, in dry-run, would have): the host is engaged. */
  acted: boolean;
  /** Some step failed or went unverified: if the plan ends without a clear, 730.001 is raised. */
  failed: boolean;
  requestUuid?: string;
  actedAt?: number;
  timer?: NodeJS.Timeout;
  /** Set when the alarm clears or is inhibited while an action runs: the plan ends when it returns. */
  endAfterAction?: { outcome: RemediationOutcome; code: string; reason: string };
}

type FinishHow = 'verified' | 'failed' | 'ended';

export function limitsFrom(config: RemediatorConfig): SafetyLimits {
  const l = config.limits;
  return {
    rate: { max: l.rate.max, windowMs: parseDuration(l.rate.per) },
    cooldownMs: parseDuration(l.cooldown),
    maxAttemptsPerCause: l.max_attempts,
    attemptWindowMs: parseDuration(l.attempt_window),
    maxConcurrent: l.max_concurrent,
    budget: { maxShare: l.budget.max_share, minHosts: l.budget.min_hosts, maxHosts: l.budget.max_hosts, fleetSize: l.budget.fleet_size },
  };
}

/**
 * The remediator: matches alarm transitions to rules and walks each matching alarm through its rule's
 * steps while it stays active, under the safety limits. handle() only decides; actions run in the
 * background and report through ctx.emit. Every decision is a RemediationResult on `remediations` and a
 * line in the ledger under ctx.dataDir.
 */
export function createRemediator(ctx: ProcessorContext, config: RemediatorConfig, deps: RemediatorDeps = {}): Processor {
  const env = deps.env ?? process.env;
  const now = deps.now ?? Date.now;
  const limits = limitsFrom(config);
  const maxAgeMs = parseDuration(config.max_transition_age);
  const approvalExpiryMs = parseDuration(config.approval_expiry);
  const approvalPollMs = parseDuration(config.approval_poll);
  const stopGraceMs = parseDuration(config.stop_grace);
  const retentionMs = parseDuration(config.ledger_retention);
  const safety = createSafetyState();
  const plans = new Map<string, Plan>();
  /** transition uuid → when it started a plan; only the last max_transition_age matters (older ones are stale). */
  const seen = new Map<string, number>();
  const running = new Set<Promise<void>>();
  const aborts = new Set<AbortController>();
  let rules: CompiledRule[] = [];
  let ledger: Ledger | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let stopping = false;
  /**
   * Inside handle(), the actions admitted by the batch wait here until one fsync has made all their
   * claims durable (group commit); outside handle() (timers, approvals) a claim is fsynced on its own.
   */
  let batchStarts: (() => void)[] | undefined;

  const log = (r: LedgerRecord, durable = false) => ledger?.append(r, durable);

  function record(emit: Emit, plan: Pick<Plan, 'transition' | 'alarm' | 'rule' | 'target' | 'dryRun'>, step: number, outcome: RemediationOutcome, code: string, reason: string, extra: Partial<RemediationResult> = {}): void {
    const result: RemediationResult = {
      uuid: randomUUID(),
      transition_uuid: plan.transition.uuid,
      alarm_id: plan.alarm.alarm_id,
      entity_instance_id: plan.alarm.entity_instance_id,
      rule: plan.rule.name,
      step,
      action: plan.rule.steps[step]?.action.type ?? '',
      target: plan.target,
      outcome,
      reason: code ? `${code}: ${reason}` : reason,
      dry_run: plan.dryRun,
      at: now(),
      ...extra,
      details: { ...(code ? { code } : {}), ...extra.details },
    };
    if (plan.transition.traceparent) result.traceparent = plan.transition.traceparent;
    log({ k: 'result', at: result.at, result });
    emit('remediations', result, plan.transition.traceparent ? { traceparent: plan.transition.traceparent } : {});
  }

  function failureFault(plan: Plan, op: 'set' | 'clear'): FaultEvent {
    const fault: FaultEvent = {
      op, alarm_id: config.failure_alarm.alarm_id, entity_type_id: 'host.remediation',
      entity_instance_id: `host=${plan.host}.remediation=${plan.rule.name}`, ts: now(), source: `processor/remediator@${ctx.node}`, uuid: randomUUID(),
    };
    if (op === 'set') {
      Object.assign(fault, {
        severity: 'major', alarm_type: 'processing-error', probable_cause: 'application-subsystem-failure', service_affecting: false,
        reason_text: `Remediation rule ${plan.rule.name} did not clear ${plan.alarm.alarm_id} on ${plan.alarm.entity_instance_id}`,
        proposed_repair_action: 'Check the remediation audit (faultline remediation list) and repair by hand',
      });
    }
    return fault;
  }

  function stepRequest(plan: Plan): StepRequest {
    return {
      target: plan.target, host: plan.host, cause: plan.cause, first: !plan.acted,
      markedMultiNode: markedMultiNode(plan.alarm, config.multi_node_alarm_id), now: now(),
    };
  }

  function finish(plan: Plan, emit: Emit, how: FinishHow): void {
    if (plans.get(plan.key) === plan) plans.delete(plan.key);
    if (plan.timer) clearTimeout(plan.timer);
    plan.timer = undefined;
    const at = now();
    if (plan.acted) notePlanEnd(safety, plan.target, plan.host, at);
    log({ k: 'end', at, transition_uuid: plan.transition.uuid, target: plan.target, host: plan.host, acted: plan.acted, dry_run: plan.dryRun });
    if (!config.failure_alarm.enabled || plan.dryRun || !plan.acted) return;
    if (how === 'failed') emit('faults', failureFault(plan, 'set'));
    else if (how === 'verified') emit('faults', failureFault(plan, 'clear'));
  }

  /** Runs the plan's current step, or asks for approval, or ends the plan when a limit says no or no step is left. */
  function advance(plan: Plan, emit: Emit): void {
    if (stopping) return; // an unfinished plan is closed at the next start
    const step = plan.rule.steps[plan.step];
    if (!step) return finish(plan, emit, plan.failed ? 'failed' : 'ended');
    const verdict = admit(safety, limits, stepRequest(plan));
    if (!verdict.ok) {
      record(emit, plan, plan.step, 'skipped', verdict.code, verdict.detail);
      return finish(plan, emit, plan.failed ? 'failed' : 'ended');
    }
    if (step.approval && plan.state !== 'awaiting_approval') return requestApproval(plan, step, emit);
    execute(plan, step, emit);
  }

  function requestApproval(plan: Plan, step: CompiledStep, emit: Emit): void {
    plan.state = 'awaiting_approval';
    plan.requestUuid = randomUUID();
    const expiresAt = now() + approvalExpiryMs;
    record(emit, plan, plan.step, 'awaiting_approval', '', `waiting for \`faultline remediation approve ${plan.requestUuid}\` until ${new Date(expiresAt).toISOString()} (${step.action.describe()})`, {
      request_uuid: plan.requestUuid, details: { expires_at: String(expiresAt), would: step.action.describe() },
    });
    plan.timer = setTimeout(() => {
      if (plans.get(plan.key) !== plan || plan.state !== 'awaiting_approval') return;
      record(ctx.emit, plan, plan.step, 'expired', 'approval_expired', `no answer within ${config.approval_expiry}`, { request_uuid: plan.requestUuid! });
      removeApprovalDecision(ctx.dataDir, plan.requestUuid!);
      finish(plan, ctx.emit, plan.failed ? 'failed' : 'ended');
    }, approvalExpiryMs);
    pollTimer ??= setInterval(pollApprovals, approvalPollMs);
  }

  function pollApprovals(): void {
    const waiting = [...plans.values()].filter((p) => p.state === 'awaiting_approval');
    if (!waiting.length) { clearInterval(pollTimer); pollTimer = undefined; return; }
    const answered = new Set(listApprovalDecisions(ctx.dataDir));
    for (const plan of waiting) {
      if (!answered.has(plan.requestUuid!)) continue;
      const d = readApprovalDecision(ctx.dataDir, plan.requestUuid!);
      if (!d) continue;
      removeApprovalDecision(ctx.dataDir, plan.requestUuid!);
      if (plan.timer) clearTimeout(plan.timer);
      const by = d.by + (d.comment ? ` (${d.comment})` : '');
      if (d.decision === 'deny') {
        record(ctx.emit, plan, plan.step, 'skipped', 'denied', `denied by ${by}`, { request_uuid: plan.requestUuid! });
        finish(plan, ctx.emit, plan.failed ? 'failed' : 'ended');
        continue;
      }
      record(ctx.emit, plan, plan.step, 'approved', '', `approved by ${by}`, { request_uuid: plan.requestUuid! });
      // The world may have changed while it waited: the limits are asked again.
      advance(plan, ctx.emit);
    }
  }

  function execute(plan: Plan, step: CompiledStep, emit: Emit): void {
    const req = stepRequest(plan);
    const requestUuid = plan.state === 'awaiting_approval' && plan.requestUuid ? plan.requestUuid : randomUUID();
    noteStart(safety, limits, req);
    plan.acted = true;
    plan.state = 'running';
    plan.requestUuid = requestUuid;
    // Durable before acting: a crash from here on never runs this step again.
    const inBatch = batchStarts !== undefined;
    log({
      k: 'claim', at: req.now, request_uuid: requestUuid, transition_uuid: plan.transition.uuid, alarm_id: plan.alarm.alarm_id,
      entity_instance_id: plan.alarm.entity_instance_id, rule: plan.rule.name, step: plan.step, action: step.action.type,
      target: plan.target, host: plan.host, cause: plan.cause, first: req.first, dry_run: plan.dryRun,
    }, !inBatch);
    const started = now();
    if (plan.dryRun) {
      // Decided and recorded, nothing done; the plan goes on as if the step had run, so the record shows the whole ladder.
      onActionDone(plan, step, requestUuid, started, { ok: true, reason: `would ${step.action.describe()}` }, emit);
      return;
    }
    const start = () => startAction(plan, step, requestUuid, started);
    if (inBatch) batchStarts!.push(start);
    else start();
  }

  function startAction(plan: Plan, step: CompiledStep, requestUuid: string, started: number): void {
    const abort = new AbortController();
    aborts.add(abort);
    const timeout = setTimeout(() => abort.abort(), step.timeoutMs);
    const p = step.action.run({
      requestUuid, transition: plan.transition, alarm: plan.alarm, rule: plan.rule.name, step: plan.step, stepName: step.name, target: plan.target,
    }, abort.signal)
      .catch((err: Error): ActionOutcome => ({ ok: false, reason: `action error: ${err.message}` }))
      .then((outcome) => {
        clearTimeout(timeout);
        aborts.delete(abort);
        onActionDone(plan, step, requestUuid, started, outcome, ctx.emit);
      })
      .finally(() => running.delete(p));
    running.add(p);
  }

  function onActionDone(plan: Plan, step: CompiledStep, requestUuid: string, started: number, outcome: ActionOutcome, emit: Emit): void {
    log({ k: 'done', at: now(), request_uuid: requestUuid, ok: outcome.ok });
    if (!plan.dryRun) noteActionEnd(safety);
    const extra: Partial<RemediationResult> = { request_uuid: requestUuid, duration_ms: now() - started };
    if (outcome.output !== undefined) extra.output = outcome.output;
    extra.details = { action: step.action.describe(), ...outcome.details };
    if (plan.dryRun) record(emit, plan, plan.step, 'skipped', 'dry_run', outcome.reason, extra);
    else record(emit, plan, plan.step, outcome.ok ? 'executed' : 'failed', '', outcome.reason, extra);
    plan.actedAt = now();
    if (!outcome.ok) plan.failed = true;
    if (stopping || plans.get(plan.key) !== plan) return;
    if (plan.endAfterAction) {
      const e = plan.endAfterAction;
      if (e.outcome === 'verified' && outcome.ok) {
        record(emit, plan, plan.step, 'verified', '', 'the alarm cleared while the action ran', { request_uuid: requestUuid });
        return finish(plan, emit, 'verified');
      }
      record(emit, plan, plan.step, 'skipped', e.code, `${e.reason}; no further step runs`);
      return finish(plan, emit, e.outcome === 'verified' ? 'verified' : 'ended');
    }
    if (!outcome.ok) {
      plan.step++;
      plan.state = 'idle';
      return advance(plan, emit);
    }
    plan.state = 'verifying';
    plan.timer = setTimeout(() => {
      if (plans.get(plan.key) !== plan || plan.state !== 'verifying') return;
      record(ctx.emit, plan, plan.step, 'unverified', 'still_active', `the alarm is still active ${Math.round(step.verifyWithinMs / 1000)} s after the action`, { request_uuid: requestUuid });
      plan.failed = true;
      plan.step++;
      plan.state = 'idle';
      advance(plan, ctx.emit);
    }, step.verifyWithinMs);
  }

  /** The alarm cleared (or was inhibited, or began flapping): the plan stops escalating. */
  function stopPlan(plan: Plan, emit: Emit, outcome: 'verified' | 'skipped', code: string, reason: string): void {
    switch (plan.state) {
      case 'running':
        plan.endAfterAction = { outcome, code, reason };
        return;
      case 'verifying':
        if (plan.timer) clearTimeout(plan.timer);
        if (outcome === 'verified') {
          const after = plan.actedAt !== undefined ? ` ${Math.round((now() - plan.actedAt) / 1000)} s after the action` : '';
          record(emit, plan, plan.step, 'verified', '', `the alarm cleared${after}`, { request_uuid: plan.requestUuid! });
          return finish(plan, emit, 'verified');
        }
        record(emit, plan, plan.step, 'skipped', code, `${reason}; no further step runs`);
        return finish(plan, emit, 'ended');
      case 'awaiting_approval':
        if (plan.timer) clearTimeout(plan.timer);
        removeApprovalDecision(ctx.dataDir, plan.requestUuid!);
        record(emit, plan, plan.step, 'skipped', code, `${reason}; the approval request is void`, { request_uuid: plan.requestUuid! });
        return finish(plan, emit, outcome === 'verified' ? 'verified' : 'ended');
      case 'idle':
        return finish(plan, emit, 'ended');
    }
  }

  function onTransition(t: AlarmTransition, emit: Emit): void {
    if (t.kind === 'cleared_all') {
      for (const c of t.cleared) {
        const key = alarmKey(c.alarm);
        safety.multiNode.delete(key);
        const plan = plans.get(key);
        if (plan && c.seq > plan.seq) stopPlan(plan, emit, 'verified', 'alarm_cleared', 'the alarm cleared');
      }
      return;
    }
    const a = t.alarm;
    const key = alarmKey(a);
    safety.fleet.add(rootEntity(a.entity_instance_id));
    if (a.alarm_id === config.multi_node_alarm_id) {
      if (a.state === 'active' && t.kind !== 'cleared') safety.multiNode.add(key);
      else safety.multiNode.delete(key);
    }
    const plan = plans.get(key);
    if (plan && t.seq <= plan.seq) return;
    if (plan) {
      plan.seq = t.seq;
      if (t.kind === 'cleared' || a.state === 'cleared') return stopPlan(plan, emit, 'verified', 'alarm_cleared', 'the alarm cleared');
      plan.alarm = a;
      if (t.kind === 'inhibited') return stopPlan(plan, emit, 'skipped', 'inhibited', `inhibited by ${a.inhibited_by ?? 'a parent alarm'}`);
      if (t.kind === 'flapping') return stopPlan(plan, emit, 'skipped', 'flapping', 'the alarm began flapping');
      if (held(a)) return stopPlan(plan, emit, 'skipped', 'held', `the alarm is now labelled ${HOLD_LABEL}=true${a.labels.multi_node_failure ? ` (part of ${a.labels.multi_node_failure})` : ''}`);
    }
    const rule = matchRule(rules, t);
    if (!rule) return;
    const target = targetOf(rule, a.entity_instance_id);
    const proto = { transition: t, alarm: a, rule, target, dryRun: rule.dryRun };
    const verdict = gateTransition(t, { now: now(), maxAgeMs, seen: seen.has(t.uuid), planInProgress: plans.has(key) });
    if (!verdict.ok) return record(emit, proto, 0, 'skipped', verdict.code, verdict.detail);
    const fresh: Plan = {
      ...proto, key, host: rootEntity(a.entity_instance_id), cause: `${rule.name}|${key}`, step: 0, seq: t.seq, state: 'idle', acted: false, failed: false,
    };
    plans.set(key, fresh);
    seen.set(t.uuid, now());
    log({ k: 'plan', at: now(), transition_uuid: t.uuid, alarm_id: a.alarm_id, entity_instance_id: a.entity_instance_id, rule: rule.name, target, host: fresh.host, dry_run: fresh.dryRun });
    record(emit, fresh, 0, 'matched', '', `rule ${rule.name} matched ${t.kind} ${a.severity} ${a.alarm_id} on ${a.entity_instance_id}`);
    advance(fresh, emit);
  }

  function forgetOldTransitions(): void {
    const horizon = now() - maxAgeMs;
    for (const [uuid, at] of seen) {
      if (at >= horizon) break; // insertion order is time order
      seen.delete(uuid);
    }
  }

  function loadRules(): RuleConfig[] {
    const all = [...config.rules, ...(config.rules_file ? loadRulesFile(config.rules_file) : [])];
    const problems = checkRules(all);
    if (problems.length) throw new RulesError(problems);
    return all;
  }

  return {
    inputs: ['alarms', 'heartbeats'],
    async start() {
      rules = loadRules().map((r, i) => compileRule(r, r.steps.map((s, j) => createAction(s.action, `rule ${r.name} (rules[${i}]) step ${j}`, env)), config.dry_run));
      const horizon = Math.max(retentionMs, maxAgeMs, limits.attemptWindowMs, limits.rate.windowMs, limits.cooldownMs);
      const opened = openLedger(ctx.dataDir, (r) => now() - r.at < horizon);
      ledger = opened.ledger;
      const view = foldLedger(opened.records);
      for (const r of opened.records) if (r.k === 'plan' && now() - r.at < maxAgeMs) seen.set(r.transition_uuid, r.at);
      const restored = restoreFromLedger(view, safety, now());
      for (const r of restored.closing) log(r, true);
      for (const r of restored.results) {
        log({ k: 'result', at: r.at, result: r });
        ctx.emit('remediations', r);
      }
      for (const id of listApprovalDecisions(ctx.dataDir)) removeApprovalDecision(ctx.dataDir, id);
      ctx.log.info('remediator ready', { rules: rules.length, dry_run: config.dry_run, ledger: ctx.dataDir, interrupted: view.openClaims.size });
    },
    handle(batch: readonly Envelope[], out: Emit) {
      forgetOldTransitions();
      const starts: (() => void)[] = (batchStarts = []);
      try {
        for (const env of batch) {
          if (env.topic === 'heartbeats') safety.fleet.add((env as Envelope<'heartbeats'>).value.node);
          else if (env.topic === 'alarms') onTransition((env as Envelope<'alarms'>).value, out);
        }
      } finally {
        // Even if a transition threw: what was claimed is started, so no plan waits for an action that never began.
        batchStarts = undefined;
        ledger?.sync();
        for (const start of starts) start();
      }
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(pollTimer);
      for (const plan of plans.values()) if (plan.timer) clearTimeout(plan.timer);
      if (running.size) {
        const grace = new Promise((r) => setTimeout(r, stopGraceMs).unref());
        await Promise.race([Promise.all(running), grace]);
        for (const a of aborts) a.abort();
        await Promise.all(running);
      }
      plans.clear();
      ledger?.close();
      ledger = undefined;
    },
  };
}
