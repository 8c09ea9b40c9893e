import type { ActionRequest } from './types.js';

/** Variables a command inherits from the remediator: only these, so secrets in our environment do not leak to scripts. */
const INHERITED = ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TZ'] as const;

/** NUL cannot be passed in an environment variable; everything else goes through byte for byte. */
const clean = (v: string) => v.replaceAll('\0', '');

/** The FAULTLINE_* variables a command receives (documented in the README). */
export function alarmEnvironment(req: ActionRequest): Record<string, string> {
  const a = req.alarm;
  const host = a.entity_instance_id.split('.', 1)[0]?.split('=').slice(1).join('=') ?? '';
  const vars: Record<string, string> = {
    FAULTLINE_REQUEST_UUID: req.requestUuid,
    FAULTLINE_TRANSITION_UUID: req.transition.uuid,
    FAULTLINE_TRANSITION_KIND: req.transition.kind,
    FAULTLINE_RULE: req.rule,
    FAULTLINE_STEP: String(req.step),
    FAULTLINE_STEP_NAME: req.stepName,
    FAULTLINE_TARGET: req.target,
    FAULTLINE_HOST: host,
    FAULTLINE_ALARM_UUID: a.uuid,
    FAULTLINE_ALARM_ID: a.alarm_id,
    FAULTLINE_ENTITY_TYPE_ID: a.entity_type_id,
    FAULTLINE_ENTITY_INSTANCE_ID: a.entity_instance_id,
    FAULTLINE_SEVERITY: a.severity,
    FAULTLINE_REASON_TEXT: a.reason_text,
    FAULTLINE_ALARM_TYPE: a.alarm_type,
    FAULTLINE_PROBABLE_CAUSE: a.probable_cause,
    FAULTLINE_PROPOSED_REPAIR_ACTION: a.proposed_repair_action,
    FAULTLINE_SERVICE_AFFECTING: String(a.service_affecting),
    FAULTLINE_RAISED_AT: String(a.raised_at),
  };
  return Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, clean(v)]));
}

export function commandEnvironment(req: ActionRequest, extra: Record<string, string>, parent: NodeJS.ProcessEnv): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of INHERITED) if (parent[name] !== undefined) base[name] = parent[name]!;
  base.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  return { ...base, ...extra, ...alarmEnvironment(req) };
}
