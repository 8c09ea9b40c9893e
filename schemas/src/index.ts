export {
  ALARM_TYPES, PROBABLE_CAUSES, SEVERITIES, SEVERITY_RANK, isAlarmType, isProbableCause, isSeverity,
} from './x733.js';
export type { AlarmType, ProbableCause, Severity } from './x733.js';
export {
  AlarmIdSchema, AlarmTypeSchema, EntityInstanceIdSchema, EpochMsSchema, LabelsSchema, ProbableCauseSchema,
  SeveritySchema, UuidSchema,
} from './common.js';
export { MetricBatchSchema, MetricMetaSchema, SampleSchema, columnarBatch, metricColumns } from './metric-batch.js';
export type { MetricBatch, MetricBatchHead, MetricColumns, MetricMeta, Sample, SeriesDictionary } from './metric-batch.js';
export { METRIC_WIRE_CONTENT_TYPE } from './metric-wire.js';
export { FaultEventSchema, faultEventProblem } from './fault-event.js';
export type { FaultEvent, FaultOp } from './fault-event.js';
export { HeartbeatSchema } from './heartbeat.js';
export type { Heartbeat } from './heartbeat.js';
export {
  ActiveAlarmSchema, AlarmSchema, AlarmTransitionSchema, HierarchicalClearTransitionSchema,
  SingleAlarmTransitionSchema, alarmKey,
} from './alarm.js';
export type {
  ActiveAlarm, Alarm, AlarmTransition, HierarchicalClearTransition, SingleAlarmTransition, TransitionKind,
} from './alarm.js';
export { createActiveAlarmTable } from './alarm-table.js';
export type { ActiveAlarmTable, AlarmChange } from './alarm-table.js';
export { RemediationRequestSchema, RemediationResultSchema } from './remediation.js';
export type { RemediationOutcome, RemediationRequest, RemediationResult } from './remediation.js';
export { DEAD_LETTER_REASONS, DeadLetterSchema } from './dead-letter.js';
export { CorrelatorSharedSchema, SharedSilenceSchema } from './correlator-shared.js';
export type { CorrelatorShared } from './correlator-shared.js';
export { EngineStateSchema } from './engine-state.js';
export { InventoryRecordSchema } from './inventory.js';
export type { InventoryRecord } from './inventory.js';
export type { EngineState } from './engine-state.js';
export type { DeadLetter, DeadLetterReason } from './dead-letter.js';
export {
  DEFAULT_MAX_RECORD_BYTES, EVENT_SCHEMAS, HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_TRACEPARENT, HEADER_VERSION, decode, encode, explain,
  validate,
} from './codec.js';
export type { Decoded, Encoded, EventOf, Headers, SchemaName } from './codec.js';
export { TOPICS, isCompacted, isTopicName, rootEntity } from './topics.js';
export type { SchemaOfTopic, TopicName } from './topics.js';
