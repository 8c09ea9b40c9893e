import { Type, type Static } from '@sinclair/typebox';
import { AlarmTypeSchema, ProbableCauseSchema, SeveritySchema } from '@faultline/schemas';

/** One entry of a faultline catalog file (deploy/catalog/*.yaml), keyed by its alarm id. */
export const CatalogFileEntrySchema = Type.Object({
  kind: Type.Union([Type.Literal('alarm'), Type.Literal('log')], { default: 'alarm' }),
  description: Type.String({ minLength: 1 }),
  entity: Type.String({ minLength: 1, description: 'entity path template: host=<node>.filesystem=<mountpoint>' }),
  entity_type: Type.Optional(Type.String({ description: 'default: the keys of the entity template (host.filesystem)' })),
  severities: Type.Array(SeveritySchema, { minItems: 1 }),
  alarm_type: AlarmTypeSchema,
  probable_cause: ProbableCauseSchema,
  repair_action: Type.String({ default: '' }),
  service_affecting: Type.Union([Type.Boolean(), Type.Array(SeveritySchema)], {
    default: false, description: 'true, false, or the severities at which it is service affecting',
  }),
  suppression_allowed: Type.Boolean({ default: true }),
  inhibits_children: Type.Boolean({ default: false }),
  clears: Type.Union(
    [Type.Literal('threshold'), Type.Literal('fault'), Type.Literal('heartbeat'), Type.Literal('operator'), Type.Literal('none')],
    { default: 'fault', description: 'which input clears it; none for logs' },
  ),
}, { additionalProperties: false });

export const CatalogFileSchema = Type.Object({
  alarms: Type.Record(Type.String({ pattern: '^[0-9]{3}\\.[0-9]{3}$' }), CatalogFileEntrySchema),
}, { additionalProperties: false });

export type CatalogFileEntry = Static<typeof CatalogFileEntrySchema>;
