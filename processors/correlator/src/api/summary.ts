import { SEVERITY_RANK, type ActiveAlarm } from '@faultline/schemas';
import { isNotifiable } from '../engine/alarm-table.js';
import type { Summary } from './schemas.js';

/**
 * Counts per severity and the overall status. Only notifiable alarms decide the status: an
 * inhibited, suppressed, silenced or flapping alarm is known but nobody is being told about it.
 */
export function summarize(alarms: Iterable<ActiveAlarm>): Summary {
  const s: Summary = {
    status: 'OK', total: 0, by_severity: { critical: 0, major: 0, minor: 0, warning: 0 },
    notifiable: 0, inhibited: 0, suppressed: 0, silenced: 0, flapping: 0,
  };
  for (const { alarm: a } of alarms) {
    s.total++;
    s.by_severity[a.severity]++;
    if (a.inhibited) s.inhibited++;
    if (a.suppressed) s.suppressed++;
    if (a.silenced_by.length) s.silenced++;
    if (a.flapping) s.flapping++;
    if (!isNotifiable(a)) continue;
    s.notifiable++;
    if (a.severity === 'critical') s.status = 'critical';
    else if (s.status === 'OK') s.status = 'degraded';
  }
  return s;
}

/** Worst severity first, then the newest raise, then the key: a stable order for paging. */
export function byUrgency(a: ActiveAlarm, b: ActiveAlarm): number {
  return SEVERITY_RANK[b.alarm.severity] - SEVERITY_RANK[a.alarm.severity]
    || b.alarm.raised_at - a.alarm.raised_at
    || (a.alarm.alarm_id + a.alarm.entity_instance_id < b.alarm.alarm_id + b.alarm.entity_instance_id ? -1 : 1);
}
