/**
 * The safety limits, as pure decisions over a plain state object (no I/O, no clock: `now` is passed in),
 * so they can be tested exhaustively and rebuilt from the ledger after a restart.
 *
 * Vocabulary: a *plan* is one alarm's walk through a rule's steps; a *target* is what a step acts on
 * (a host, usually); a *cause* is (rule, alarm key) — StarlingX allows a fixed number of auto-recoveries
 * per cause. A target is *engaged* from its plan's first action until that plan ends.
 */
export interface SafetyLimits {
  /** At most `max` actions per target within `windowMs` (all steps of all plans count). */
  rate: { max: number; windowMs: number };
  /** After a plan on a target ends, no new plan acts on it for this long. */
  cooldownMs: number;
  /** At most this many plans per cause within `attemptWindowMs` (StarlingX: 2). */
  maxAttemptsPerCause: number;
  attemptWindowMs: number;
  /** Actions executing at once, over all targets. */
  maxConcurrent: number;
  /**
   * Engaged hosts never exceed max(minHosts, floor(maxShare × fleet)), nor maxHosts (0: no absolute cap).
   * minHosts (default 1) lets a small cluster (or a single node) still be remediated one host at a time.
   */
  budget: { maxShare: number; minHosts: number; maxHosts: number; fleetSize: number };
}

export interface SafetyState {
  /** target → start times of its recent actions. */
  starts: Map<string, number[]>;
  /** cause → start times of its recent plans (their first action). */
  attempts: Map<string, number[]>;
  /** target → when its last engaged plan ended. */
  lastEnd: Map<string, number>;
  running: number;
  engaged: Set<string>;
  /** Hosts known to exist (heartbeats, alarms): the fleet when fleetSize is 0. */
  fleet: Set<string>;
  /** Alarm keys of the active multi-node failure alarms: while any is active, nothing acts. */
  multiNode: Set<string>;
}

export const SKIP_CODES = [
  'multi_node_failure', 'cooldown', 'max_attempts', 'budget', 'rate_limit', 'concurrency',
] as const;
export type SafetySkip = (typeof SKIP_CODES)[number];

export type Verdict = { ok: true } | { ok: false; code: SafetySkip; detail: string };

export interface StepRequest {
  target: string;
  /** The host the target lives on (the target itself when the rule targets hosts). */
  host: string;
  cause: string;
  /** The plan has not acted yet: cooldown, attempts and budget apply only to a plan's first action. */
  first: boolean;
  /** The alarm itself is marked part of a multi-node failure (inhibited by one, or labelled). */
  markedMultiNode: boolean;
  now: number;
}

export function createSafetyState(): SafetyState {
  return { starts: new Map(), attempts: new Map(), lastEnd: new Map(), running: 0, engaged: new Set(), fleet: new Set(), multiNode: new Set() };
}

const recent = (times: readonly number[] | undefined, now: number, windowMs: number) =>
  (times ?? []).filter((t) => now - t < windowMs);

/** How many hosts may be engaged at once. */
export function budgetLimit(state: SafetyState, limits: SafetyLimits): number {
  const fleet = limits.budget.fleetSize > 0 ? limits.budget.fleetSize : state.fleet.size;
  const share = Math.max(limits.budget.minHosts, Math.floor(limits.budget.maxShare * fleet));
  return limits.budget.maxHosts > 0 ? Math.min(share, limits.budget.maxHosts) : share;
}

/** May this step act now? Checks run from the broadest hazard to the narrowest. */
export function admit(state: SafetyState, limits: SafetyLimits, req: StepRequest): Verdict {
  if (state.multiNode.size > 0 || req.markedMultiNode) {
    const names = [...state.multiNode].join(', ');
    return { ok: false, code: 'multi_node_failure', detail: names ? `multi-node failure active (${names})` : 'the alarm is part of a multi-node failure' };
  }
  if (req.first) {
    const ended = state.lastEnd.get(req.target);
    if (ended !== undefined && req.now - ended < limits.cooldownMs) {
      return { ok: false, code: 'cooldown', detail: `${req.target} was remediated ${Math.round((req.now - ended) / 1000)} s ago; cooldown is ${Math.round(limits.cooldownMs / 1000)} s` };
    }
    const tries = recent(state.attempts.get(req.cause), req.now, limits.attemptWindowMs).length;
    if (tries >= limits.maxAttemptsPerCause) {
      return { ok: false, code: 'max_attempts', detail: `${tries} attempt(s) for this cause within the window; the limit is ${limits.maxAttemptsPerCause}` };
    }
    if (!state.engaged.has(req.host)) {
      const limit = budgetLimit(state, limits);
      if (state.engaged.size + 1 > limit) {
        return { ok: false, code: 'budget', detail: `${state.engaged.size} host(s) already being remediated; the budget allows ${limit}` };
      }
    }
  }
  const starts = recent(state.starts.get(req.target), req.now, limits.rate.windowMs).length;
  if (starts >= limits.rate.max) {
    return { ok: false, code: 'rate_limit', detail: `${starts} action(s) on ${req.target} within the window; the limit is ${limits.rate.max}` };
  }
  if (state.running >= limits.maxConcurrent) {
    return { ok: false, code: 'concurrency', detail: `${state.running} action(s) running; the limit is ${limits.maxConcurrent}` };
  }
  return { ok: true };
}

/** An admitted step starts acting. */
export function noteStart(state: SafetyState, limits: SafetyLimits, req: StepRequest): void {
  state.starts.set(req.target, [...recent(state.starts.get(req.target), req.now, limits.rate.windowMs), req.now]);
  if (req.first) {
    state.attempts.set(req.cause, [...recent(state.attempts.get(req.cause), req.now, limits.attemptWindowMs), req.now]);
    state.engaged.add(req.host);
  }
  state.running++;
}

/** A step's action finished (whatever the outcome). */
export function noteActionEnd(state: SafetyState): void {
  state.running = Math.max(0, state.running - 1);
}

/** A plan that acted ended: the host leaves the budget and its cooldown begins. */
export function notePlanEnd(state: SafetyState, target: string, host: string, now: number): void {
  state.engaged.delete(host);
  state.lastEnd.set(target, now);
}
