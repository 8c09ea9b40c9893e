// Alarm and transition fixtures for integration tests (the Prometheus and Alertmanager sinks): the shared
// fixture of @faultline/schemas as a filesystem alarm stamped now, since the real services are queried live.
import type { Alarm, AlarmTransition } from '@faultline/schemas';
import { alarm as fixtureAlarm, transition as fixtureTransition } from '@faultline/schemas/test-fixtures';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  const now = Date.now();
  return fixtureAlarm({
    alarm_id: '700.104', entity_type_id: 'host.filesystem', entity_instance_id: 'host=prom-0.filesystem=/var',
    reason_text: 'Filesystem /var 85% used > 80%', probable_cause: 'storage-capacity-problem',
    proposed_repair_action: 'Free space on /var', raised_at: now, updated_at: now, ...over,
  });
}

export function transition(kind: Exclude<AlarmTransition['kind'], 'cleared_all'>, a: Alarm, seq: number): AlarmTransition {
  return fixtureTransition(kind, a, seq, Date.now());
}
