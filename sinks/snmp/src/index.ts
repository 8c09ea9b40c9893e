export { snmpSink } from './factory.js';
export { createSnmpSink } from './sink.js';
export {
  AgentSchema, DestinationSchema, PLACEHOLDER_ENTERPRISE_OID, SnmpSinkConfigSchema, V3UserSchema, configProblems,
} from './config.js';
export type { AgentConfig, Destination, SnmpSinkConfig, V3User } from './config.js';
export {
  MAX_TEXT_OCTETS, alarmEvent, classify, dateAndTime, encodeEvent, encodeResync, encodeStormSummary, encodeTransition,
  eventColumns, isNotifiable, truncateUtf8,
} from './encode.js';
export type { AlarmEvent, Classified, EventState, Notification, StormSummary, Varbind } from './encode.js';
export { wants } from './filter.js';
export { createRateLimiter } from './ratelimit.js';
export type { RateLimiter } from './ratelimit.js';
export { createAlarmTables } from './tables.js';
export type { ActiveRow, AlarmTables, RecordedEvent, TableChanges } from './tables.js';
export { ACTIVE_COLUMNS, EVENT_COLUMNS, NOTIFICATIONS, NOTIFICATION_OBJECTS, SCALARS, alarmMibOids } from './oids.js';
export type { AlarmMibOids, NotificationName } from './oids.js';
export { snmpMetrics } from './metrics.js';
export type { SnmpMetrics } from './metrics.js';
