import { SEVERITY_RANK } from '@faultline/schemas';
import type { Destination } from './config.js';
import type { AlarmEvent } from './encode.js';

const matches = (pattern: string, alarmId: string) =>
  pattern.endsWith('.*') ? alarmId.startsWith(pattern.slice(0, -1)) : alarmId === pattern;

/**
 * Whether a destination wants an event. Clears skip the severity floor: a manager that saw the raise
 * at a higher severity must see it go, and a clear for an alarm it never saw costs nothing.
 * A hierarchical clear concerns every alarm id it cleared; one wanted id is enough.
 */
export function wants(filter: Destination['filter'], e: AlarmEvent): boolean {
  if (e.state !== 'clear' && SEVERITY_RANK[e.severity] < SEVERITY_RANK[filter.min_severity]) return false;
  const ids = e.alarmIds;
  if (e.notification === 'hierarchicalClear' && ids.length === 0) return true;
  const included = filter.alarm_ids.length === 0 ? ids : ids.filter((id) => filter.alarm_ids.some((p) => matches(p, id)));
  return included.some((id) => !filter.exclude_alarm_ids.some((p) => matches(p, id)));
}
