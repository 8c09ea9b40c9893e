import type { Alarm, SingleAlarmTransition } from '@faultline/schemas';

/**
 * Whether a matching transition may start a plan at all, before any limit is looked at: stale or
 * replayed transitions never act, nor do alarms that are symptoms (inhibited) or unstable (flapping).
 */
export const GATE_CODES = ['stale', 'replayed', 'not_active', 'inhibited', 'held', 'flapping', 'plan_in_progress'] as const;
export type GateSkip = (typeof GATE_CODES)[number];

export interface GateInput {
  now: number;
  maxAgeMs: number;
  /** The ledger already holds a plan for this transition (acted on before a restart, or redelivered). */
  seen: boolean;
  /** A plan for this alarm is already under way. */
  planInProgress: boolean;
}

export type GateVerdict = { ok: true } | { ok: false; code: GateSkip; detail: string };

export function gateTransition(t: SingleAlarmTransition, input: GateInput): GateVerdict {
  if (input.seen) return { ok: false, code: 'replayed', detail: `transition ${t.uuid} was already handled (ledger)` };
  const age = input.now - t.at;
  if (age > input.maxAgeMs) return { ok: false, code: 'stale', detail: `transition is ${Math.round(age / 1000)} s old; the limit is ${Math.round(input.maxAgeMs / 1000)} s` };
  if (t.alarm.state !== 'active') return { ok: false, code: 'not_active', detail: 'the alarm is not active' };
  if (t.alarm.inhibited) return { ok: false, code: 'inhibited', detail: `inhibited by ${t.alarm.inhibited_by ?? 'a parent alarm'}` };
  if (held(t.alarm)) return { ok: false, code: 'held', detail: `labelled ${HOLD_LABEL}=true${t.alarm.labels.multi_node_failure ? ` (part of ${t.alarm.labels.multi_node_failure})` : ''}` };
  if (t.alarm.flapping) return { ok: false, code: 'flapping', detail: 'the alarm is flapping' };
  if (input.planInProgress) return { ok: false, code: 'plan_in_progress', detail: 'a plan for this alarm is already under way' };
  return { ok: true };
}

/** The label with which the correlator (or anyone) tells remediation to leave an alarm alone. */
export const HOLD_LABEL = 'remediation_hold';
export const held = (alarm: Alarm): boolean => alarm.labels[HOLD_LABEL] === 'true';

/**
 * An alarm is part of a multi-node failure when the correlator inhibited it under a multi-node
 * alarm (`inhibited_by` = `710.010|system=...`) or labelled it `multi_node_failure`.
 */
export function markedMultiNode(alarm: Alarm, multiNodeAlarmId: string): boolean {
  return (alarm.inhibited_by?.startsWith(`${multiNodeAlarmId}|`) ?? false) || alarm.labels.multi_node_failure !== undefined;
}
