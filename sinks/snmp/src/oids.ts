// OIDs of FAULTLINE-ALARM-MIB (deploy/snmp), relative to the configurable enterprise arc. The arc
// layout is the MIB's: enterprise.2 = faultlineAlarms, .2.1 = faultlineAlarmMIB; a unit test parses
// the MIB text and checks these numbers against it.

export const NOTIFICATIONS = {
  critical: 1, major: 2, minor: 3, warning: 4, message: 5, clear: 9, stormSummary: 10, resync: 11, hierarchicalClear: 99,
} as const;
export type NotificationName = keyof typeof NOTIFICATIONS;

/** MIB object names of the notifications, for logs and for the MIB check. */
export const NOTIFICATION_OBJECTS: Readonly<Record<NotificationName, string>> = {
  critical: 'fltAlarmCritical', major: 'fltAlarmMajor', minor: 'fltAlarmMinor', warning: 'fltAlarmWarning',
  message: 'fltAlarmMessage', clear: 'fltAlarmClear', stormSummary: 'fltAlarmStormSummary', resync: 'fltAlarmResync',
  hierarchicalClear: 'fltAlarmHierarchicalClear',
};

/** Column numbers of fltAlarmActiveEntry. */
export const ACTIVE_COLUMNS = {
  index: 1, uuid: 2, alarmId: 3, entityInstanceId: 4, dateAndTime: 5, severity: 6, reasonText: 7, eventType: 8,
  probableCause: 9, proposedRepairAction: 10, serviceAffecting: 11, suppressionAllowed: 12,
} as const;

/** Column numbers of fltEventEntry. */
export const EVENT_COLUMNS = {
  index: 1, alarmUuid: 2, alarmId: 3, state: 4, entityInstanceId: 5, dateAndTime: 6, severity: 7, reasonText: 8,
  eventType: 9, probableCause: 10, proposedRepairAction: 11, serviceAffecting: 12, suppressionAllowed: 13,
} as const;

/** Scalars under fltAlarmScalars. */
export const SCALARS = {
  activeCount: 1, eventLastIndex: 2, stormHeldCount: 3, stormFirstEventIndex: 4, stormLastEventIndex: 5,
  stormHighestSeverity: 6,
} as const;

export interface AlarmMibOids {
  notification(name: NotificationName): string;
  activeEntry: string;
  eventEntry: string;
  eventColumn(column: keyof typeof EVENT_COLUMNS): string;
  scalar(name: keyof typeof SCALARS): string;
}

export function alarmMibOids(enterpriseOid: string): AlarmMibOids {
  const mib = `${enterpriseOid}.2.1`;
  const objects = `${mib}.1`;
  const eventEntry = `${objects}.2.1`;
  return {
    notification: (name) => `${mib}.0.${NOTIFICATIONS[name]}`,
    activeEntry: `${objects}.1.1`,
    eventEntry,
    eventColumn: (column) => `${eventEntry}.${EVENT_COLUMNS[column]}`,
    scalar: (name) => `${objects}.3.${SCALARS[name]}`,
  };
}
