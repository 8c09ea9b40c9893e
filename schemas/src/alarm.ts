import { Type, type Static } from '@sinclair/typebox';
import {
  AlarmIdSchema, AlarmTypeSchema, EntityInstanceIdSchema, EpochMsSchema, LabelsSchema, ProbableCauseSchema,
  SeveritySchema, UuidSchema,
} from './common.js';

/** One alarm instance, identified by (alarm_id, entity_instance_id); `uuid` is stable while it stays active. */
export const AlarmSchema = Type.Object({
  uuid: UuidSchema,
  alarm_id: AlarmIdSchema,
  entity_type_id: Type.String(),
  entity_instance_id: EntityInstanceIdSchema,
  severity: SeveritySchema,
  reason_text: Type.String(),
  alarm_type: AlarmTypeSchema,
  probable_cause: ProbableCauseSchema,
  proposed_repair_action: Type.String(),
  service_affecting: Type.Boolean(),
  /** An operator may suppress it (fm-api `suppression`). */
  suppression_allowed: Type.Boolean(),
  state: Type.Union([Type.Literal('active'), Type.Literal('cleared')]),
  raised_at: EpochMsSchema,
  updated_at: EpochMsSchema,
  /** Hidden by a parent alarm (topology inhibition); `inhibited_by` is the parent's alarm key. */
  inhibited: Type.Boolean(),
  inhibited_by: Type.Optional(Type.String()),
  /** Operator suppression of its alarm id: still stored, not notified. */
  suppressed: Type.Boolean(),
  /** Ids of the silences that match it: still stored, not notified. */
  silenced_by: Type.Array(Type.String()),
  flapping: Type.Boolean(),
  /** Where it came from: threshold, fault, heartbeat, inventory. */
  source: Type.String(),
  labels: LabelsSchema,
});

const TransitionBase = {
  /** Unique per transition: downstream idempotency key. */
  uuid: UuidSchema,
  at: EpochMsSchema,
  /** W3C traceparent of the input that caused it, so a trace links sample → alarm → trap → remediation. */
  traceparent: Type.Optional(Type.String()),
};

export const SingleAlarmTransitionSchema = Type.Object({
  ...TransitionBase,
  kind: Type.Union([
    Type.Literal('raised'), Type.Literal('updated'), Type.Literal('cleared'),
    Type.Literal('inhibited'), Type.Literal('uninhibited'),
    Type.Literal('flapping'), Type.Literal('stable'),
    Type.Literal('suppressed'), Type.Literal('unsuppressed'),
    /** A customer log (fm-api `log`): its alarm was never active (state `cleared`), it only enters the event log. */
    Type.Literal('logged'),
  ]),
  /** Per-alarm sequence number: 1 for the raise, +1 for every later transition of the same alarm key. */
  seq: Type.Integer({ minimum: 1 }),
  alarm: AlarmSchema,
  previous_severity: Type.Optional(SeveritySchema),
});

/** fm-api clear_all: one transition clears an entity and every alarm below it. */
export const HierarchicalClearTransitionSchema = Type.Object({
  ...TransitionBase,
  kind: Type.Literal('cleared_all'),
  entity_instance_id: EntityInstanceIdSchema,
  cleared: Type.Array(Type.Object({ seq: Type.Integer({ minimum: 1 }), alarm: AlarmSchema })),
});

export const AlarmTransitionSchema = Type.Union([SingleAlarmTransitionSchema, HierarchicalClearTransitionSchema]);

/** The value of the compacted alarms.active topic and of REST snapshots; a tombstone (null) when it clears. */
export const ActiveAlarmSchema = Type.Object({
  alarm: AlarmSchema,
  seq: Type.Integer({ minimum: 1 }),
  last_transition: UuidSchema,
});

export type Alarm = Static<typeof AlarmSchema>;
export type SingleAlarmTransition = Static<typeof SingleAlarmTransitionSchema>;
export type HierarchicalClearTransition = Static<typeof HierarchicalClearTransitionSchema>;
export type AlarmTransition = Static<typeof AlarmTransitionSchema>;
export type TransitionKind = AlarmTransition['kind'];
export type ActiveAlarm = Static<typeof ActiveAlarmSchema>;

/** The alarm key: what makes two faults the same alarm, and the Kafka key of the alarms topics. */
export const alarmKey = (a: { alarm_id: string; entity_instance_id: string }): string =>
  `${a.alarm_id}|${a.entity_instance_id}`;

export { AlarmIdSchema, EntityInstanceIdSchema };
