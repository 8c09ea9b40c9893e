import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmTransition } from '@faultline/schemas';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: 'host=compute-0',
    severity: 'major', reason_text: 'CPU usage 93% > 90%', alarm_type: 'operational-violation',
    probable_cause: 'threshold-crossed', proposed_repair_action: 'Check the processes using the CPU',
    service_affecting: false, suppression_allowed: true, state: 'active', raised_at: 1_700_000_000_000,
    updated_at: 1_700_000_000_000, inhibited: false, suppressed: false, silenced_by: [], flapping: false,
    source: 'threshold', labels: {}, ...over,
  };
}

export function transition(kind: Exclude<AlarmTransition['kind'], 'cleared_all'>, a: Alarm, seq: number): AlarmTransition {
  return { uuid: randomUUID(), at: a.updated_at, kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a };
}
