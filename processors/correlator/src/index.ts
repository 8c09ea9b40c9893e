export { correlatorProcessor } from './factory.js';
export { CorrelatorConfigSchema } from './config.js';
export type { CorrelatorConfig } from './config.js';
export { BUILTIN_CATALOG, BUILTIN_RULES, createCorrelator, loadDefinitions, publishOutput } from './processor.js';
export type { Correlator } from './processor.js';
export { loadCatalogFile, loadCatalogText } from './catalog/load.js';
export { loadStarlingxEventsFile, loadStarlingxEventsText } from './catalog/starlingx.js';
export { CatalogFileSchema, CatalogFileEntrySchema } from './catalog/schema.js';
export { entityTypeOf, formatCatalogIssue, isServiceAffecting, mergeCatalogs } from './catalog/types.js';
export type { Catalog, CatalogEntry, CatalogIssue, CatalogLoad, ClearMode } from './catalog/types.js';
export { Engine } from './engine/engine.js';
export type { EngineOptions, EngineSnapshot, RestoreOptions } from './engine/engine.js';
export { isNotifiable } from './engine/alarm-table.js';
export type { AlarmTableSnapshot } from './engine/alarm-table.js';
export { loadRulesFile, loadRulesText, RulesFileSchema, ThresholdRuleSchema, DerivedSeriesSchema } from './engine/rules.js';
export type { RuleSet, ResolvedRule, RulesLoad } from './engine/rules.js';
export { STALE_DATA_ALARM } from './engine/thresholds.js';
export type { ThresholdSnapshot } from './engine/thresholds.js';
export {
  DEFAULT_HEARTBEAT, HEARTBEAT_ALARM, MULTI_NODE_ALARM, REBOOT_LOG, REMEDIATION_HOLD_LABEL,
} from './engine/heartbeat.js';
export type { HeartbeatOptions, HeartbeatSnapshot } from './engine/heartbeat.js';
export { DEFAULT_FLAP } from './engine/flapping.js';
export type { FlapOptions } from './engine/flapping.js';
export { isAtOrBelow, pathAncestors, rootOf } from './engine/entity.js';
export { newOutput } from './engine/types.js';
export type {
  AlarmQuery, EngineOutput, EventLogEntry, EventQuery, InventoryRecord, LogRecord, MaintenanceWindow, Owns, SetRequest, Silence,
} from './engine/types.js';
export { DurableState, inputRoot } from './state/durable.js';
export type { TopicReader } from './state/durable.js';
export { decodeActiveAlarm } from './state/restore-check.js';
export { assembleSnapshot, splitSnapshot, OPERATOR_KEY } from './state/records.js';
export type { HostState, OperatorState } from './state/records.js';
export { ApiConfigSchema, TOKEN_FILE } from './api/config.js';
export type { ApiConfig } from './api/config.js';
export { AlarmView } from './api/view.js';
export type { AlarmReader } from './api/view.js';
export { SharedState, silenceKey, silentHostsKey, suppressionKey } from './shared/shared-state.js';
