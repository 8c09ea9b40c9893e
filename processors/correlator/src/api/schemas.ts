import { Type, type Static, type TSchema } from '@sinclair/typebox';
import {
  ALARM_TYPES, ActiveAlarmSchema, AlarmIdSchema, AlarmTransitionSchema, EntityInstanceIdSchema, EpochMsSchema,
  FaultEventSchema, SEVERITIES, UuidSchema, type AlarmType, type Severity,
} from '@faultline/schemas';
import { DurationSchema } from '@faultline/runtime';

/**
 * Request and response schemas of the REST API: fastify validates requests with them and
 * @fastify/swagger turns them into /openapi.json. Enumerations are plain `enum`s rather than
 * TypeBox unions of literals, so a bad value gets one readable error ("must be equal to one of the
 * allowed values") instead of one per literal.
 */
const enumOf = <T extends string>(values: readonly T[], description?: string, byDefault?: T) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}), ...(byDefault ? { default: byDefault } : {}) });

export const SeverityParam = enumOf<Severity>(SEVERITIES);
export const AlarmTypeParam = enumOf<AlarmType>(Object.keys(ALARM_TYPES) as AlarmType[]);
export const AlarmStateParam = enumOf(['inhibited', 'suppressed', 'silenced', 'flapping', 'notifiable'] as const,
  'inhibited, suppressed, silenced, flapping, or notifiable (none of those)');

export const ErrorSchema = Type.Object({
  statusCode: Type.Integer(),
  error: Type.String(),
  message: Type.String(),
  /** The request field at fault (`querystring.severity`, `body.entity_instance_id`). */
  field: Type.Optional(Type.String()),
});

export const AlarmListQuery = Type.Object({
  alarm_id: Type.Optional(AlarmIdSchema),
  entity: Type.Optional(Type.String({ ...EntityInstanceIdSchema, description: 'the entity or anything below it: host=compute-0' })),
  severity: Type.Optional(SeverityParam),
  alarm_type: Type.Optional(AlarmTypeParam),
  state: Type.Optional(AlarmStateParam),
  scope: enumOf(['system', 'member'] as const,
    'system: every alarm of the correlator group; member: only those this member owns (its partitions)', 'system'),
  limit: Type.Integer({ minimum: 1, default: 100, description: 'page size (at most api.max_page)' }),
  offset: Type.Integer({ minimum: 0, default: 0 }),
}, { additionalProperties: false });
export type AlarmListQuery = Static<typeof AlarmListQuery>;

export const AlarmList = Type.Object({
  total: Type.Integer({ description: 'alarms matching the filters, all pages' }),
  offset: Type.Integer(),
  limit: Type.Integer(),
  items: Type.Array(ActiveAlarmSchema, { description: 'worst severity first, then newest' }),
});

export const Summary = Type.Object({
  status: enumOf(['OK', 'degraded', 'critical'] as const,
    'critical: a notifiable critical alarm; degraded: any other notifiable alarm; OK: none'),
  total: Type.Integer(),
  by_severity: Type.Object({ critical: Type.Integer(), major: Type.Integer(), minor: Type.Integer(), warning: Type.Integer() }),
  notifiable: Type.Integer(),
  inhibited: Type.Integer(),
  suppressed: Type.Integer(),
  silenced: Type.Integer(),
  flapping: Type.Integer(),
});
export type Summary = Static<typeof Summary>;

export const UuidParams = Type.Object({ uuid: UuidSchema });

export const EventsQuery = Type.Object({
  from: Type.Optional(Type.Number({ minimum: 0, description: 'epoch ms, inclusive' })),
  to: Type.Optional(Type.Number({ minimum: 0, description: 'epoch ms, inclusive' })),
  type: Type.Optional(enumOf(['alarm', 'log'] as const)),
  limit: Type.Integer({ minimum: 1, default: 100 }),
}, { additionalProperties: false });
export type EventsQuery = Static<typeof EventsQuery>;

export const LogRecordSchema = Type.Object({
  uuid: Type.String(),
  at: EpochMsSchema,
  log_id: Type.String(),
  entity_instance_id: Type.String(),
  severity: SeverityParam,
  reason_text: Type.String(),
  source: Type.String(),
  traceparent: Type.Optional(Type.String()),
});

export const EventEntry = Type.Union([
  Type.Object({ type: Type.Literal('alarm'), at: EpochMsSchema, transition: AlarmTransitionSchema }),
  Type.Object({ type: Type.Literal('log'), at: EpochMsSchema, log: LogRecordSchema }),
]);
export const EventList = Type.Object({ items: Type.Array(EventEntry, { description: 'newest last' }) });

/** A fault as the faults topic carries it, with `ts` optional (the server's clock fills it). */
export const FaultBody = Type.Object({
  ...FaultEventSchema.properties,
  ts: Type.Optional(EpochMsSchema),
}, { additionalProperties: false });
export type FaultBody = Static<typeof FaultBody>;
export const FaultAccepted = Type.Object({ accepted: Type.Literal(true), uuid: UuidSchema });

export const SilenceSchema = Type.Object({
  id: Type.String(),
  matchers: Type.Record(Type.String(), Type.String()),
  starts_at: EpochMsSchema,
  ends_at: EpochMsSchema,
  created_by: Type.String(),
  comment: Type.String(),
});
export const SilenceBody = Type.Object({
  matchers: Type.Record(Type.String({ minLength: 1 }), Type.String(), {
    minProperties: 1,
    description: 'alarm fields (alarm_id, entity_instance_id, severity, alarm_type, probable_cause, source, host) or labels; a value may be a regex (`=~` prefix) as the engine defines',
  }),
  duration: Type.Optional(DurationSchema({ description: 'how long from starts_at; or give ends_at' })),
  starts_at: Type.Optional(EpochMsSchema),
  ends_at: Type.Optional(EpochMsSchema),
  comment: Type.String({ default: '' }),
  created_by: Type.String({ default: 'api' }),
}, { additionalProperties: false });
export type SilenceBody = Static<typeof SilenceBody>;
export const SilenceList = Type.Object({ items: Type.Array(SilenceSchema) });
export const SilenceIdParams = Type.Object({ id: Type.String({ minLength: 1 }) });

export const Suppressions = Type.Object({ alarm_ids: Type.Array(Type.String()) });
export const AlarmIdParams = Type.Object({ alarm_id: AlarmIdSchema });

export const CatalogEntrySchema = Type.Object({
  id: Type.String(),
  kind: enumOf(['alarm', 'log'] as const),
  description: Type.String(),
  entity_type: Type.String(),
  entity: Type.String(),
  severities: Type.Array(SeverityParam),
  alarm_type: Type.String(),
  probable_cause: Type.String(),
  repair_action: Type.String(),
  service_affecting: Type.Boolean(),
  suppression_allowed: Type.Boolean(),
  clears: Type.String(),
});
export const CatalogList = Type.Object({ items: Type.Array(CatalogEntrySchema) });

export const Health = Type.Object({ status: Type.String(), reason: Type.Optional(Type.String({ description: 'why it is not ready' })) });

/** The error responses every authenticated route may give. */
export const authErrors: Record<number, TSchema> = { 400: ErrorSchema, 401: ErrorSchema };
