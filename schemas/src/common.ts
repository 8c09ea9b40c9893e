import { Type } from '@sinclair/typebox';
import { ALARM_TYPES, PROBABLE_CAUSES, SEVERITIES } from './x733.js';

const literals = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const SeveritySchema = literals(SEVERITIES);
export const AlarmTypeSchema = literals(Object.keys(ALARM_TYPES) as (keyof typeof ALARM_TYPES)[]);
export const ProbableCauseSchema = literals(Object.keys(PROBABLE_CAUSES) as (keyof typeof PROBABLE_CAUSES)[]);

/** StarlingX alarm ids: group and event, three digits each (`100.101`). */
export const AlarmIdSchema = Type.String({ pattern: '^[0-9]{3}\\.[0-9]{3}$', description: 'GGG.EEE' });

/** `host=compute-0.port=eth0`: dot-separated key=value pairs, root first. */
export const EntityInstanceIdSchema = Type.String({
  minLength: 1,
  maxLength: 1024,
  pattern: '^[A-Za-z0-9_-]+=[^.=]*(\\.[A-Za-z0-9_-]+=[^=]*)*$',
  description: 'entity path, root first: host=compute-0.port=eth0',
});

/** Milliseconds since the Unix epoch. */
export const EpochMsSchema = Type.Number({ minimum: 0, description: 'milliseconds since the Unix epoch' });

export const UuidSchema = Type.String({ pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' });

export const LabelsSchema = Type.Record(Type.String(), Type.String());
