import { Type, type Static } from '@sinclair/typebox';
import {
  AlarmIdSchema, AlarmTypeSchema, EntityInstanceIdSchema, EpochMsSchema, ProbableCauseSchema, SeveritySchema, UuidSchema,
} from './common.js';

/**
 * A fault reported by a collector or an application, with StarlingX fm-api semantics:
 * `set` raises or updates (alarm_id, entity_instance_id); `clear` clears by alarm id and entity prefix;
 * `clear_all` clears an entity and everything below it; `log` records a customer log only.
 */
export const FaultEventSchema = Type.Object({
  op: Type.Union([Type.Literal('set'), Type.Literal('clear'), Type.Literal('clear_all'), Type.Literal('log')]),
  /** Required for set, clear and log; absent for clear_all, which clears every alarm of the entity subtree. */
  alarm_id: Type.Optional(AlarmIdSchema),
  entity_type_id: Type.Optional(Type.String()),
  entity_instance_id: EntityInstanceIdSchema,
  severity: Type.Optional(SeveritySchema),
  reason_text: Type.Optional(Type.String({ maxLength: 4096 })),
  alarm_type: Type.Optional(AlarmTypeSchema),
  probable_cause: Type.Optional(ProbableCauseSchema),
  proposed_repair_action: Type.Optional(Type.String({ maxLength: 4096 })),
  service_affecting: Type.Optional(Type.Boolean()),
  /** Whether an operator may suppress this alarm (fm-api `suppression`). */
  suppression: Type.Optional(Type.Boolean()),
  ts: EpochMsSchema,
  /** Who reported it: `collector/host@compute-0`, `app/my-service`. */
  source: Type.Optional(Type.String()),
  /** Idempotency: the same uuid sent twice is one fault. */
  uuid: Type.Optional(UuidSchema),
});

export type FaultEvent = Static<typeof FaultEventSchema>;
export type FaultOp = FaultEvent['op'];

/**
 * The fm-api rule the schema cannot say: every op but clear_all names an alarm id. Returns the field
 * at fault and why, or undefined; the REST API, the fault client and the CLI all apply it.
 */
export function faultEventProblem(f: { op: FaultOp; alarm_id?: string | undefined }): { field: string; message: string } | undefined {
  if (f.op !== 'clear_all' && f.alarm_id === undefined) return { field: 'alarm_id', message: `required for op ${f.op}` };
  return undefined;
}
