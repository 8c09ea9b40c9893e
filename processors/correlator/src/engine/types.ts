import type {
  ActiveAlarm, Alarm, AlarmTransition, AlarmType, ProbableCause, Severity,
} from '@faultline/schemas';

/** What one engine call produced: transitions to publish and log records (fm-api `log`, 710.002 reboots). */
export interface EngineOutput {
  transitions: AlarmTransition[];
  logs: LogRecord[];
}

export const newOutput = (): EngineOutput => ({ transitions: [], logs: [] });

/** A customer log (fm-api `log`): never an active alarm, only an event-log entry. */
export interface LogRecord {
  uuid: string;
  at: number;
  log_id: string;
  entity_instance_id: string;
  severity: Severity;
  reason_text: string;
  source: string;
  traceparent?: string;
}

export type EventLogEntry =
  | { type: 'alarm'; at: number; transition: AlarmTransition }
  | { type: 'log'; at: number; log: LogRecord };

/** What a raise or an update says about an alarm; the catalog fills what is left out. */
export interface SetRequest {
  alarm_id: string;
  entity_instance_id: string;
  severity?: Severity;
  reason_text?: string;
  entity_type_id?: string;
  alarm_type?: AlarmType;
  probable_cause?: ProbableCause;
  proposed_repair_action?: string;
  service_affecting?: boolean;
  suppression_allowed?: boolean;
  source: string;
  labels?: Record<string, string>;
}

/** Label matchers over an alarm: its fields (alarm_id, entity_instance_id, severity, alarm_type, probable_cause, source, host) and its labels. */
export interface Silence {
  id: string;
  matchers: Record<string, string>;
  starts_at: number;
  ends_at: number;
  created_by: string;
  comment: string;
}

/** A parent relation from inventory data (Kubernetes node → pod, hypervisor → instance). */
export interface InventoryRecord {
  op: 'set' | 'delete';
  entity_instance_id: string;
  /** The entity it runs on; required for `set`. */
  parent_entity_instance_id?: string;
}

export interface MaintenanceWindow {
  entity_instance_id: string;
  until: number;
}

/** Filters over active alarms (issue 6's GET /v1/alarms). Every given field must match. */
export interface AlarmQuery {
  alarm_id?: string;
  /** The entity or anything below it. */
  entity_prefix?: string;
  severity?: Severity;
  alarm_type?: AlarmType;
  /** inhibited, suppressed, silenced, flapping, or notifiable (none of those). */
  state?: 'inhibited' | 'suppressed' | 'silenced' | 'flapping' | 'notifiable';
}

export interface EventQuery {
  from?: number;
  to?: number;
  type?: 'alarm' | 'log';
  limit?: number;
}

/**
 * Which partitions a snapshot or a drop is about, by root entity (the host). A set is looked up
 * through the engine's per-host indexes (cheap enough for every batch); a predicate walks everything.
 */
export type Owns = ((root: string) => boolean) | ReadonlySet<string>;

export const ownsPredicate = (owns: Owns): ((root: string) => boolean) =>
  typeof owns === 'function' ? owns : (root) => owns.has(root);

export type { ActiveAlarm, Alarm };
