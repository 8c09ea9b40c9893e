import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmTransition, SingleAlarmTransition } from '@faultline/schemas';

export function alarm(over: Partial<Alarm> = {}): Alarm {
  return {
    uuid: randomUUID(), alarm_id: '700.101', entity_type_id: 'host', entity_instance_id: 'host=compute-0', severity: 'major',
    reason_text: 'CPU usage 93% above 90%', alarm_type: 'operational-violation', probable_cause: 'threshold-crossed',
    proposed_repair_action: 'Reduce the load or add capacity', service_affecting: false, suppression_allowed: true,
    state: 'active', raised_at: 1_764_000_000_000, updated_at: 1_764_000_000_000, inhibited: false, suppressed: false,
    silenced_by: [], flapping: false, source: 'threshold', labels: {}, ...over,
  };
}

let seq = 0;
export function transition(kind: SingleAlarmTransition['kind'], a: Alarm, at = a.updated_at): SingleAlarmTransition {
  return { uuid: randomUUID(), at, kind, seq: ++seq, alarm: a };
}

export function clearAll(entity: string, cleared: Alarm[], at = 1_764_000_100_000): AlarmTransition {
  return { uuid: randomUUID(), at, kind: 'cleared_all', entity_instance_id: entity, cleared: cleared.map((a) => ({ seq: ++seq, alarm: a })) };
}
