// Alarm fixtures for the tests of every package that reads alarms (sinks, processors, test/support): one valid
// alarm whose fields a test overrides, so a change to the Alarm schema is made here once. Exported as
// `@faultline/schemas/test-fixtures`; only tests import it.
import { randomUUID } from 'node:crypto';
import type { Alarm, AlarmTransition, SingleAlarmTransition } from '../src/index.js';

/** A valid active 700.101 (CPU usage high) on host=compute-0, raised at a fixed time; `over` replaces fields. */
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

let lastSeq = 0;
const nextSeq = () => ++lastSeq;

/** A transition of one alarm, at the alarm's updated_at unless `at` says; a `cleared` one carries it in state cleared. */
export function transition(kind: SingleAlarmTransition['kind'], a: Alarm, seq = nextSeq(), at = a.updated_at): SingleAlarmTransition {
  return { uuid: randomUUID(), at, kind, seq, alarm: kind === 'cleared' ? { ...a, state: 'cleared' } : a };
}

/** A hierarchical clear (fm-api clear_all) of `entity` that cleared these alarms. */
export function clearAll(entity: string, cleared: Alarm[], at = 1_700_000_100_000): AlarmTransition {
  return { uuid: randomUUID(), at, kind: 'cleared_all', entity_instance_id: entity, cleared: cleared.map((a) => ({ seq: nextSeq(), alarm: a })) };
}
