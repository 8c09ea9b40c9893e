import type { ActionRequest } from './types.js';

export const PAYLOAD_VERSION = '1';

/**
 * The JSON document a webhook receives as its body and a command receives on stdin (documented in the README).
 * Built once per step so every retry sends the same bytes.
 */
export function actionPayload(req: ActionRequest, sentAt: number): string {
  return JSON.stringify({
    version: PAYLOAD_VERSION,
    request_uuid: req.requestUuid,
    transition_uuid: req.transition.uuid,
    transition_kind: req.transition.kind,
    transition_at: req.transition.at,
    rule: req.rule,
    step: req.step,
    step_name: req.stepName,
    target: req.target,
    alarm: req.alarm,
    sent_at: sentAt,
  });
}
