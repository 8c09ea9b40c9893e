import type { Attributes } from '@opentelemetry/api';
import type { TopicName } from '@faultline/schemas';

/**
 * What a span about one record says about it, so a trace reads without the records: the alarm and its
 * uuid for faults and transitions, the rule, action and outcome for remediation results.
 */
export function recordAttributes(topic: TopicName, value: unknown): Attributes {
  const a: Attributes = { 'messaging.destination.name': topic };
  if (!value || typeof value !== 'object') return a;
  const v = value as Record<string, any>;
  const alarm = v.alarm && typeof v.alarm === 'object' ? v.alarm as Record<string, unknown> : undefined;
  put(a, 'faultline.alarm_id', alarm?.alarm_id ?? v.alarm_id);
  put(a, 'faultline.entity_instance_id', alarm?.entity_instance_id ?? v.entity_instance_id);
  put(a, 'faultline.alarm_uuid', alarm?.uuid);
  put(a, 'faultline.severity', alarm?.severity ?? v.severity);
  put(a, 'faultline.transition', v.kind);
  put(a, 'faultline.transition_uuid', topic === 'alarms' ? v.uuid : v.transition_uuid);
  put(a, 'faultline.fault_op', topic === 'faults' ? v.op : undefined);
  put(a, 'faultline.rule', v.rule);
  put(a, 'faultline.action', v.action);
  put(a, 'faultline.outcome', v.outcome);
  put(a, 'faultline.node', v.node);
  return a;
}

function put(a: Attributes, name: string, value: unknown): void {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') a[name] = value;
}
