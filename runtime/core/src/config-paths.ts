import { isAbsolute, resolve } from 'node:path';
import { Type, type StringOptions, type TSchema } from '@sinclair/typebox';

/** Schema keyword that marks a string as a file or directory path (TypeBox ignores keywords it does not know). */
const FILE_PATH = 'x-faultline-path';

/**
 * A file or directory path in config. The pipeline loader resolves a relative one against the directory of the
 * pipeline file that holds it, as Prometheus and the OpenTelemetry Collector do, so a file works from any cwd.
 * An empty string stays empty (it usually means "none" or "the built-in one").
 */
export const PathSchema = (opts: StringOptions = {}) => Type.String({ ...opts, [FILE_PATH]: true });

const isRecord = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** The schema of `key` inside an object schema: a declared property, a pattern property or additionalProperties. */
function propertySchema(schema: TSchema, key: string): TSchema | undefined {
  const declared = (schema.properties as Record<string, TSchema> | undefined)?.[key];
  if (declared) return declared;
  const pattern = Object.values((schema.patternProperties as Record<string, TSchema> | undefined) ?? {})[0];
  if (pattern) return pattern;
  return isRecord(schema.additionalProperties) ? (schema.additionalProperties as TSchema) : undefined;
}

/** A union member can describe `value` unless one of its literal properties (`type: webhook`) says otherwise. */
function mayDescribe(member: TSchema, value: unknown): boolean {
  if (!isRecord(value) || !isRecord(member.properties)) return true;
  return Object.entries(member.properties as Record<string, TSchema>)
    .every(([k, s]) => s.const === undefined || value[k] === undefined || value[k] === s.const);
}

/**
 * Resolves every relative path `value` holds where `schema` marks one (PathSchema) against `baseDir`. Walks the
 * value as written, before defaults, so a default such as `data_dir: .dev/faultline` stays relative to the cwd
 * like a command-line default; values of the wrong type are left for validation to report.
 */
export function resolveConfigPaths(schema: TSchema, value: unknown, baseDir: string): unknown {
  if (schema[FILE_PATH] === true) return typeof value === 'string' && value !== '' && !isAbsolute(value) ? resolve(baseDir, value) : value;
  if (Array.isArray(schema.anyOf)) {
    return (schema.anyOf as TSchema[]).filter((m) => mayDescribe(m, value)).reduce((v, m) => resolveConfigPaths(m, v, baseDir), value);
  }
  if (Array.isArray(value)) {
    const items = schema.items as TSchema | undefined;
    return items && !Array.isArray(items) ? value.map((v) => resolveConfigPaths(items, v, baseDir)) : value;
  }
  if (isRecord(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => {
      const sub = propertySchema(schema, k);
      return [k, sub ? resolveConfigPaths(sub, v, baseDir) : v];
    }));
  }
  return value;
}
