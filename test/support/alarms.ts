// Alarm and transition fixtures for integration tests (the Prometheus and Alertmanager sinks).
import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmTransition } from '@faultline/schemas';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.104', entity_type_id: 'host.filesystem', entity_instance_id: 'host=prom-0.filesystem=/var',
    severity: 'major', reason_text: 'Filesystem /var 85% used > 80%', alarm_type: 'operational-violation',
    probable_cause: 'storage-capacity-problem', proposed_repair_action: 'Free space on /var',
    service_affecting: false, suppression_allowed: true, state: 'active', raised_at: Date.now(), updated_at: Date.now(),
    inhibited: false, suppressed: false, silenced_by: [], flapping: false, source: 'threshold', labels: {}, ...over,
  };
}

export function transition(kind: Exclude<AlarmTransition['kind'], 'cleared_all'>, a: Alarm, seq: number): AlarmTransition {
  return { uuid: randomUUID(), at: Date.now(), kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a };
}
