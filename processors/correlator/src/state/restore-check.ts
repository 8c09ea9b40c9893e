import { CloneType, Kind, OptionalKind, Type, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ActiveAlarmSchema, HEADER_SCHEMA, HEADER_VERSION, decode, type ActiveAlarm, type Headers } from '@faultline/schemas';

/** Unions of more string literals than this (X.733 alarm types and probable causes) are checked as strings. */
const LONG_UNION = 8;

/**
 * The schema with its costly checks left out: string patterns (uuids, alarm ids, entity paths) and long
 * unions of string literals. Every field must still be there with its JSON type, and short enumerations
 * (severity, state) still hold.
 */
function relaxed<T extends TSchema>(schema: T): T {
  const walk = (s: TSchema): TSchema => {
    if (s[Kind] === 'Union' && s.anyOf.length > LONG_UNION && s.anyOf.every((x: TSchema) => x[Kind] === 'Literal' && typeof x.const === 'string')) {
      return s[OptionalKind] ? Type.Optional(Type.String()) : Type.String();
    }
    if (s[Kind] === 'String') delete s.pattern;
    if (s.properties) for (const k of Object.keys(s.properties)) s.properties[k] = walk(s.properties[k]);
    if (s.patternProperties) for (const k of Object.keys(s.patternProperties)) s.patternProperties[k] = walk(s.patternProperties[k]);
    if (s.items && !Array.isArray(s.items)) s.items = walk(s.items);
    if (s.anyOf) s.anyOf = s.anyOf.map(walk);
    return s;
  };
  return walk(CloneType(schema)) as T;
}

const check = TypeCompiler.Compile(relaxed(ActiveAlarmSchema));

/**
 * Decodes an alarms.active value for a restore, trusting but checking cheaply: these records were
 * written by correlators from their own engine (the full schema check is the writer's), so the reader
 * checks the schema header, the major version and the shape, without the patterns and long enumerations
 * that made the full check half of the decode time (bench/alarm-state). undefined when it does not hold.
 * 2.x (positional) records go through the codec, whose 2.x reader makes the same trade and shares the
 * repeated strings itself; 1.x objects get the relaxed schema check here, `strings` sharing theirs.
 */
export function decodeActiveAlarm(headers: Headers, value: Buffer, strings?: StringPool): ActiveAlarm | undefined {
  const schema = headers[HEADER_SCHEMA];
  if (schema !== undefined && schema !== 'active_alarm') return undefined;
  const version = headers[HEADER_VERSION];
  // Without a version header, an object is 1.x (2.x is an array).
  if (version === undefined ? value[0] !== 0x7b : version.split('.')[0] !== '1') {
    const d = decode('active_alarm', headers, value);
    return d.ok ? d.value : undefined;
  }
  let v: unknown;
  try {
    v = JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!check.Check(v)) return undefined;
  if (strings) share((v as ActiveAlarm).alarm, strings);
  return v as ActiveAlarm;
}

/** One instance of each repeated string value (see `share`). */
export type StringPool = Map<string, string>;

/** The fields that repeat across alarms: the catalog's texts and codes, severity, state, source. */
const REPEATED = ['alarm_id', 'entity_type_id', 'severity', 'reason_text', 'alarm_type', 'probable_cause', 'proposed_repair_action', 'state', 'source'] as const;

/**
 * JSON.parse makes new strings for every alarm, where raising alarms shares the catalog's: a million
 * restored alarms held ~300 B more each than raised ones. Sharing one instance per value keeps a
 * restored engine as small as a running one.
 */
function share(alarm: ActiveAlarm['alarm'], pool: StringPool): void {
  const a = alarm as Record<(typeof REPEATED)[number], string>;
  for (const f of REPEATED) {
    const s = a[f];
    const known = pool.get(s);
    if (known === undefined) pool.set(s, s);
    else a[f] = known;
  }
}
