import * as snmp from 'net-snmp';
import {
  ALARM_TYPES, PROBABLE_CAUSES, SEVERITY_RANK, type AlarmTransition, type AlarmType, type Alarm, type ProbableCause,
  type Severity,
} from '@faultline/schemas';
import type { AlarmMibOids, NotificationName } from './oids.js';

// Pure: what an alarm transition means to an SNMP manager, and the notification that says it.

export type EventState = 'set' | 'clear' | 'log';

/** One row of the event table: what a manager is told about one transition. */
export interface AlarmEvent {
  notification: Exclude<NotificationName, 'stormSummary' | 'resync'>;
  state: EventState;
  /** The alarm's uuid; for a hierarchical clear, the transition's. */
  alarmUuid: string;
  /** Empty for a hierarchical clear. */
  alarmId: string;
  entityInstanceId: string;
  at: number;
  severity: Severity;
  reasonText: string;
  alarmType: AlarmType;
  probableCause: ProbableCause;
  proposedRepairAction: string;
  serviceAffecting: boolean;
  suppressionAllowed: boolean;
  /** The alarm ids it concerns (the cleared ones for a hierarchical clear): what destination filters look at. */
  alarmIds: string[];
  transitionUuid: string;
}

/**
 * What a transition asks of the northbound: an event to record and notify, a resync (the set of alarms a
 * manager may see changed without one), or nothing. Transitions of alarms that are suppressed, inhibited,
 * silenced or held for flapping are not notified: the hold itself ('inhibited', 'flapping') is silent,
 * and its end ('uninhibited', 'stable') reports the alarm's state at that point.
 */
export type Classified = { kind: 'event'; event: AlarmEvent } | { kind: 'resync' } | { kind: 'none' };

export const isNotifiable = (a: Alarm): boolean =>
  !a.suppressed && !a.inhibited && a.silenced_by.length === 0 && !a.flapping;

/** The event describing an alarm as it is now. */
export const alarmEvent = (a: Alarm, at: number, transitionUuid: string, notification: AlarmEvent['notification'], state: EventState): AlarmEvent => ({
  notification, state, alarmUuid: a.uuid, alarmId: a.alarm_id, entityInstanceId: a.entity_instance_id, at,
  severity: a.severity, reasonText: a.reason_text, alarmType: a.alarm_type, probableCause: a.probable_cause,
  proposedRepairAction: a.proposed_repair_action, serviceAffecting: a.service_affecting,
  suppressionAllowed: a.suppression_allowed, alarmIds: [a.alarm_id], transitionUuid,
});

export function classify(t: AlarmTransition): Classified {
  if (t.kind === 'cleared_all') {
    const worst = t.cleared.reduce<Severity>((w, c) => (SEVERITY_RANK[c.alarm.severity] > SEVERITY_RANK[w] ? c.alarm.severity : w), 'warning');
    return {
      kind: 'event',
      event: {
        notification: 'hierarchicalClear', state: 'clear', alarmUuid: t.uuid, alarmId: '', entityInstanceId: t.entity_instance_id,
        at: t.at, severity: worst,
        reasonText: `every alarm of ${t.entity_instance_id} and of the entities below it cleared (${t.cleared.length} active)`,
        alarmType: 'other', probableCause: 'not-applicable', proposedRepairAction: '',
        serviceAffecting: t.cleared.some((c) => c.alarm.service_affecting), suppressionAllowed: false,
        alarmIds: [...new Set(t.cleared.map((c) => c.alarm.alarm_id))], transitionUuid: t.uuid,
      },
    };
  }
  if (t.kind === 'suppressed' || t.kind === 'unsuppressed') return { kind: 'resync' };
  if (t.kind === 'inhibited' || t.kind === 'flapping' || !isNotifiable(t.alarm)) return { kind: 'none' };
  const a = t.alarm;
  const active = a.state === 'active';
  switch (t.kind) {
    case 'logged':
      return { kind: 'event', event: alarmEvent(a, t.at, t.uuid, 'message', 'log') };
    case 'raised':
    case 'updated':
      return active ? { kind: 'event', event: alarmEvent(a, t.at, t.uuid, a.severity, 'set') } : { kind: 'none' };
    case 'cleared':
      return { kind: 'event', event: alarmEvent(a, t.at, t.uuid, 'clear', 'clear') };
    case 'uninhibited':
    case 'stable':
      return { kind: 'event', event: active ? alarmEvent(a, t.at, t.uuid, a.severity, 'set') : alarmEvent(a, t.at, t.uuid, 'clear', 'clear') };
  }
}

// --- encoding ---------------------------------------------------------------------------------

export interface Varbind {
  oid: string;
  type: snmp.ObjectType;
  value: string | number | Buffer;
}

export interface Notification {
  name: NotificationName;
  oid: string;
  varbinds: Varbind[];
}

/** FltAlarmText and FltEntityInstanceId are at most 1024 octets. */
export const MAX_TEXT_OCTETS = 1024;

/** UTF-8, cut at a character boundary so a manager never sees half a character. */
export function truncateUtf8(text: string, maxOctets = MAX_TEXT_OCTETS): Buffer {
  const buf = Buffer.from(text, 'utf8');
  if (buf.length <= maxOctets) return buf;
  let end = maxOctets;
  while (end > 0 && (buf[end]! & 0xc0) === 0x80) end--; // back off continuation bytes
  return buf.subarray(0, end);
}

/** SNMPv2-TC DateAndTime, 11 octets, in UTC (direction '+', offset 0:0). */
export function dateAndTime(ms: number): Buffer {
  const d = new Date(ms);
  const b = Buffer.alloc(11);
  b.writeUInt16BE(d.getUTCFullYear(), 0);
  b[2] = d.getUTCMonth() + 1;
  b[3] = d.getUTCDate();
  b[4] = d.getUTCHours();
  b[5] = d.getUTCMinutes();
  b[6] = d.getUTCSeconds();
  b[7] = Math.floor(d.getUTCMilliseconds() / 100);
  b[8] = 0x2b; // '+'
  return b;
}

const truth = (b: boolean) => (b ? 1 : 2); // SNMPv2-TC TruthValue
const STATE: Record<EventState, number> = { set: 1, clear: 2, log: 3 };

/** The values of an event's table row, by column; shared by the notification and the agent's event table. */
export function eventColumns(e: AlarmEvent) {
  const { OctetString, Integer } = snmp.ObjectType;
  return {
    alarmUuid: { type: OctetString, value: e.alarmUuid },
    alarmId: { type: OctetString, value: e.alarmId },
    state: { type: Integer, value: STATE[e.state] },
    entityInstanceId: { type: OctetString, value: truncateUtf8(e.entityInstanceId) },
    dateAndTime: { type: OctetString, value: dateAndTime(e.at) },
    severity: { type: Integer, value: SEVERITY_RANK[e.severity] },
    reasonText: { type: OctetString, value: truncateUtf8(e.reasonText) },
    eventType: { type: Integer, value: ALARM_TYPES[e.alarmType] },
    probableCause: { type: Integer, value: PROBABLE_CAUSES[e.probableCause] },
    proposedRepairAction: { type: OctetString, value: truncateUtf8(e.proposedRepairAction) },
    serviceAffecting: { type: Integer, value: truth(e.serviceAffecting) },
    suppressionAllowed: { type: Integer, value: truth(e.suppressionAllowed) },
  } satisfies Record<string, { type: snmp.ObjectType; value: string | number | Buffer }>;
}
type EventColumnName = keyof ReturnType<typeof eventColumns>;

const FULL: readonly EventColumnName[] = [
  'alarmUuid', 'alarmId', 'entityInstanceId', 'dateAndTime', 'severity', 'reasonText', 'eventType', 'probableCause',
  'proposedRepairAction', 'serviceAffecting', 'suppressionAllowed',
];
const HIERARCHICAL: readonly EventColumnName[] = ['alarmUuid', 'entityInstanceId', 'dateAndTime', 'reasonText'];

/** The notification for a recorded event: its varbinds are the columns of the event's row (instance = its index). */
export function encodeEvent(oids: AlarmMibOids, e: AlarmEvent, eventIndex: number): Notification {
  const cols = eventColumns(e);
  const names = e.notification === 'hierarchicalClear' ? HIERARCHICAL : FULL;
  return {
    name: e.notification,
    oid: oids.notification(e.notification),
    varbinds: names.map((n) => ({ oid: `${oids.eventColumn(n)}.${eventIndex}`, ...cols[n] })),
  };
}

/** AlarmTransition → notification OID and varbinds, or null when the transition is not notified. */
export function encodeTransition(oids: AlarmMibOids, t: AlarmTransition, eventIndex: number): Notification | null {
  const c = classify(t);
  return c.kind === 'event' ? encodeEvent(oids, c.event, eventIndex) : null;
}

export interface StormSummary {
  held: number;
  firstEventIndex: number;
  lastEventIndex: number;
  highestSeverity: Severity;
}

export function encodeStormSummary(oids: AlarmMibOids, s: StormSummary): Notification {
  const { Gauge, Integer } = snmp.ObjectType; // Unsigned32 is encoded as Gauge32 (RFC 2578 §7.1.11)
  return {
    name: 'stormSummary',
    oid: oids.notification('stormSummary'),
    varbinds: [
      { oid: `${oids.scalar('stormHeldCount')}.0`, type: Gauge, value: s.held },
      { oid: `${oids.scalar('stormFirstEventIndex')}.0`, type: Gauge, value: s.firstEventIndex },
      { oid: `${oids.scalar('stormLastEventIndex')}.0`, type: Gauge, value: s.lastEventIndex },
      { oid: `${oids.scalar('stormHighestSeverity')}.0`, type: Integer, value: SEVERITY_RANK[s.highestSeverity] },
    ],
  };
}

export function encodeResync(oids: AlarmMibOids, activeCount: number, eventLastIndex: number): Notification {
  const { Gauge } = snmp.ObjectType;
  return {
    name: 'resync',
    oid: oids.notification('resync'),
    varbinds: [
      { oid: `${oids.scalar('activeCount')}.0`, type: Gauge, value: activeCount },
      { oid: `${oids.scalar('eventLastIndex')}.0`, type: Gauge, value: eventLastIndex },
    ],
  };
}
