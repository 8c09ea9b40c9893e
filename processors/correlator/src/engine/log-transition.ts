import { createHash } from 'node:crypto';
import type { Alarm, SingleAlarmTransition } from '@faultline/schemas';
import type { Catalog } from '../catalog/types.js';
import type { LogRecord } from './types.js';

/** A uuid derived from another one, so a replayed batch gives the same transition uuid (downstream dedup). */
function derivedUuid(from: string, salt: string): string {
  const h = createHash('sha1').update(`${from}/${salt}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * A customer log as it travels on `alarms`: a `logged` transition whose alarm was never active, so
 * the event history (ClickHouse) and northbound managers (the SNMP message notification) see logs too.
 */
export function logTransition(log: LogRecord, catalog: Catalog): SingleAlarmTransition {
  const entry = catalog.entries.get(log.log_id);
  const alarm: Alarm = {
    uuid: log.uuid,
    alarm_id: log.log_id,
    entity_type_id: entry?.entity_type ?? '',
    entity_instance_id: log.entity_instance_id,
    severity: log.severity,
    reason_text: log.reason_text,
    alarm_type: entry?.alarm_type ?? 'other',
    probable_cause: entry?.probable_cause ?? 'unspecified-reason',
    proposed_repair_action: '',
    service_affecting: false,
    suppression_allowed: entry?.suppression_allowed ?? true,
    state: 'cleared',
    raised_at: log.at,
    updated_at: log.at,
    inhibited: false,
    suppressed: false,
    silenced_by: [],
    flapping: false,
    source: log.source,
    labels: {},
  };
  const t: SingleAlarmTransition = { uuid: derivedUuid(log.uuid, 'logged'), at: log.at, kind: 'logged', seq: 1, alarm };
  if (log.traceparent) t.traceparent = log.traceparent;
  return t;
}
