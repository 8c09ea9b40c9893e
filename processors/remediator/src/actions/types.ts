import type { Alarm, SingleAlarmTransition } from '@faultline/schemas';
import type { ActionType } from './config.js';

/** One step of one plan, as an action sees it. */
export interface ActionRequest {
  /** Unique per execution of a step: the audit's request_uuid. */
  requestUuid: string;
  transition: SingleAlarmTransition;
  /** The alarm as last seen (its severity may have changed since the transition that started the plan). */
  alarm: Alarm;
  rule: string;
  step: number;
  stepName: string;
  /** What the step acts on: usually the host at the root of the alarm's entity path. */
  target: string;
}

export interface ActionOutcome {
  ok: boolean;
  /** `exit 0`, `HTTP 503 after 4 attempts`, `timeout after 30000 ms`, the error... */
  reason: string;
  /** Captured output (command stdout+stderr, the webhook's response body), already trimmed to size. */
  output?: string;
  details?: Record<string, string>;
}

/**
 * Every action kind behind one interface. `run` never rejects: a failure is an outcome. It must stop
 * when `signal` aborts (the step's timeout or a shutdown) and say so in the outcome.
 */
export interface Action {
  readonly type: ActionType;
  /** What it does, for dry-run records and logs: `POST https://...`, `argv ["systemctl","restart","chronyd"]`. */
  describe(): string;
  run(req: ActionRequest, signal: AbortSignal): Promise<ActionOutcome>;
}
