import type { Alarm } from '@faultline/schemas';

/** An alert as Alertmanager's API v2 takes it (postableAlert). */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL?: string;
}

export interface AlertOptions {
  names: Readonly<Record<string, string>>;
  staticLabels: Readonly<Record<string, string>>;
  generatorUrl?: string;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const validLabel = (k: string) => (LABEL_NAME.test(k) ? k : k.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1'));

/** Inhibited, suppressed and silenced alarms stay active in faultline but are not notified. */
export const isNotified = (a: Alarm) => a.state === 'active' && !a.inhibited && !a.suppressed && a.silenced_by.length === 0;

/**
 * The alert of an alarm without its times. Labels identify it in Alertmanager (its fingerprint), so
 * they hold what routes match on and nothing that changes while the alarm lasts except severity.
 */
export function alertOf(a: Alarm, opts: AlertOptions): Omit<PostableAlert, 'endsAt'> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.staticLabels)) labels[validLabel(k)] = v;
  for (const [k, v] of Object.entries(a.labels)) labels[validLabel(k)] = v;
  Object.assign(labels, {
    alertname: opts.names[a.alarm_id] ?? a.alarm_id,
    alarm_id: a.alarm_id,
    entity_instance_id: a.entity_instance_id,
    entity_type_id: a.entity_type_id,
    severity: a.severity,
    alarm_type: a.alarm_type,
    probable_cause: a.probable_cause,
    service_affecting: String(a.service_affecting),
    source: 'faultline',
  });
  if (a.entity_instance_id.startsWith('host=')) labels.node = a.entity_instance_id.slice(5).split('.', 1)[0]!;
  for (const k of Object.keys(labels)) if (labels[k] === '') delete labels[k];
  const alert: Omit<PostableAlert, 'endsAt'> = {
    labels,
    annotations: {
      summary: `${a.alarm_id} ${a.entity_instance_id}: ${a.reason_text}`,
      reason: a.reason_text,
      repair_action: a.proposed_repair_action,
      uuid: a.uuid,
      raised_at: new Date(a.raised_at).toISOString(),
    },
    startsAt: new Date(a.raised_at).toISOString(),
  };
  if (opts.generatorUrl) alert.generatorURL = opts.generatorUrl;
  return alert;
}

/** A stable identity of a label set: when it changes (a new severity), the old alert must be resolved. */
export const fingerprint = (labels: Record<string, string>) =>
  Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join('\0');
