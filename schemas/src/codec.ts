import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { decodeActiveAlarmWire, encodeActiveAlarmWire, isActiveAlarmWire } from './active-alarm-wire.js';
import { ActiveAlarmSchema, AlarmTransitionSchema, type ActiveAlarm } from './alarm.js';
import { CorrelatorSharedSchema } from './correlator-shared.js';
import { DeadLetterSchema, type DeadLetterReason } from './dead-letter.js';
import { EngineStateSchema } from './engine-state.js';
import { FaultEventSchema } from './fault-event.js';
import { HeartbeatSchema } from './heartbeat.js';
import { InventoryRecordSchema } from './inventory.js';
import { MetricBatchSchema, type MetricBatch } from './metric-batch.js';
import { METRIC_WIRE_CONTENT_TYPE, decodeMetricWire, encodeMetricWire, isMetricWire } from './metric-wire.js';
import { RemediationRequestSchema, RemediationResultSchema } from './remediation.js';

/**
 * Every event type with its current version. Version rules (docs/schemas.md):
 * - a minor bump adds optional fields only; readers tolerate fields they do not know;
 * - a major bump is anything else; a reader refuses a major it does not know (dead-lettered as unknown_version).
 */
export const EVENT_SCHEMAS = {
  /** 2.x is columnar binary (metric-wire.ts); 1.x JSON is still read. */
  metric_batch: { version: '2.0', schema: MetricBatchSchema },
  fault_event: { version: '1.0', schema: FaultEventSchema },
  heartbeat: { version: '1.0', schema: HeartbeatSchema },
  alarm_transition: { version: '1.0', schema: AlarmTransitionSchema },
  /** 2.x is a positional JSON array (active-alarm-wire.ts); 1.x objects are still read. */
  active_alarm: { version: '2.0', schema: ActiveAlarmSchema },
  remediation_request: { version: '1.0', schema: RemediationRequestSchema },
  remediation_result: { version: '1.0', schema: RemediationResultSchema },
  dead_letter: { version: '1.0', schema: DeadLetterSchema },
  engine_state: { version: '1.0', schema: EngineStateSchema },
  inventory: { version: '1.0', schema: InventoryRecordSchema },
  correlator_shared: { version: '1.0', schema: CorrelatorSharedSchema },
} as const satisfies Record<string, { version: string; schema: TSchema }>;

export type SchemaName = keyof typeof EVENT_SCHEMAS;
export type EventOf<N extends SchemaName> = Static<(typeof EVENT_SCHEMAS)[N]['schema']>;

export const HEADER_SCHEMA = 'fl-schema';
export const HEADER_VERSION = 'fl-version';
export const HEADER_TRACEPARENT = 'traceparent';
/** Says how the value is laid out when it is not JSON (metric_batch 2.x); for tools that read the topic raw. */
export const HEADER_CONTENT_TYPE = 'content-type';
/** Records above this are refused by consumers (and never produced). */
export const DEFAULT_MAX_RECORD_BYTES = 1_048_576;

export type Headers = Record<string, string>;
export interface Encoded { value: Buffer; headers: Headers }
export type Decoded<N extends SchemaName> =
  | { ok: true; schema: N; version: string; value: EventOf<N>; traceparent?: string }
  | { ok: false; reason: DeadLetterReason; detail: string };

const checks = new Map<SchemaName, TypeCheck<TSchema>>();
const checkFor = (name: SchemaName): TypeCheck<TSchema> => {
  let c = checks.get(name);
  if (!c) checks.set(name, (c = TypeCompiler.Compile(EVENT_SCHEMAS[name].schema)));
  return c;
};

const isSchemaName = (s: string): s is SchemaName => Object.hasOwn(EVENT_SCHEMAS, s);
/** The major of each version string seen (a handful): split once, not three times per record decoded. */
const majors = new Map<string, string>();
const major = (version: string): string => {
  let m = majors.get(version);
  if (m === undefined) {
    m = version.split('.')[0]!;
    if (majors.size < 256) majors.set(version, m);
  }
  return m;
};
/** Older majors a reader still knows, beside the current one (written by producers not yet upgraded). */
const ALSO_READS: Partial<Record<SchemaName, readonly string[]>> = { metric_batch: ['1'], active_alarm: ['1'] };
const METRIC_BATCH_JSON_VERSION = '1.0';
const knownMajor = (name: SchemaName, m: string | undefined) => m === major(EVENT_SCHEMAS[name].version) || (ALSO_READS[name]?.includes(m ?? '') ?? false);

/** Schemas whose 2.x is not 1.x's JSON object: their own reader, and how to tell them by their bytes. */
const WIRE_LAYOUTS: Partial<Record<SchemaName, {
  is(bytes: Uint8Array): boolean;
  decode(bytes: Buffer): { ok: true; value: unknown } | { ok: false; reason: DeadLetterReason; detail: string };
}>> = {
  metric_batch: { is: isMetricWire, decode: decodeMetricWire },
  active_alarm: { is: isActiveAlarmWire, decode: decodeActiveAlarmWire },
};

/** The first few problems, each naming the field (`/samples/3/value: Expected number`). */
export function explain(name: SchemaName, value: unknown, max = 3): string {
  const out: string[] = [];
  for (const e of checkFor(name).Errors(value)) {
    out.push(`${e.path || '/'}: ${e.message}`);
    if (out.length >= max) break;
  }
  return out.join('; ');
}

export function validate<N extends SchemaName>(name: N, value: unknown): value is EventOf<N> {
  return checkFor(name).Check(value);
}

export function encode<N extends SchemaName>(name: N, value: EventOf<N>, traceparent?: string): Encoded {
  const headers: Headers = { [HEADER_SCHEMA]: name, [HEADER_VERSION]: EVENT_SCHEMAS[name].version };
  if (traceparent) headers[HEADER_TRACEPARENT] = traceparent;
  if (name === 'metric_batch') {
    const wire = encodeMetricWire(value as MetricBatch);
    if (wire) return { value: wire, headers: { ...headers, [HEADER_CONTENT_TYPE]: METRIC_WIRE_CONTENT_TYPE } };
    // Not a shape the columnar layout can hold: written as 1.x JSON, as encode never refuses, so the
    // readers refuse it with the reason that names the field, as for any other event.
    headers[HEADER_VERSION] = METRIC_BATCH_JSON_VERSION;
  }
  // Still JSON, so no content-type: the version header says which layout.
  if (name === 'active_alarm') return { value: encodeActiveAlarmWire(value as ActiveAlarm), headers };
  return { value: Buffer.from(JSON.stringify(value)), headers };
}

/**
 * Decodes and validates one record. `expect` names the schema the topic carries; a record that names
 * another one in its headers is refused. Nothing here throws: every failure is a dead-letter reason.
 */
export function decode<N extends SchemaName>(
  expect: N,
  headers: Headers,
  bytes: Buffer | Uint8Array | null,
  maxBytes = DEFAULT_MAX_RECORD_BYTES,
): Decoded<N> {
  const name = headers[HEADER_SCHEMA] ?? expect;
  if (!isSchemaName(name)) return { ok: false, reason: 'unknown_schema', detail: `unknown schema "${name}"` };
  if (name !== expect) return { ok: false, reason: 'unknown_schema', detail: `expected ${expect}, record says ${name}` };
  const version = headers[HEADER_VERSION] ?? EVENT_SCHEMAS[expect].version;
  const versionMajor = major(version);
  if (!knownMajor(expect, versionMajor)) {
    const known = [major(EVENT_SCHEMAS[expect].version), ...(ALSO_READS[expect] ?? [])].join(', ');
    return { ok: false, reason: 'unknown_version', detail: `${name} version ${version}: this reader knows major ${known}` };
  }
  if (!bytes) return { ok: false, reason: 'malformed', detail: 'empty record' };
  if (bytes.length > maxBytes) return { ok: false, reason: 'oversized', detail: `${bytes.length} bytes > limit ${maxBytes}` };
  const traceparent = headers[HEADER_TRACEPARENT];
  // Without a version header (a hand-made record) the bytes say which layout they are.
  const wire = WIRE_LAYOUTS[expect];
  if (wire && (headers[HEADER_VERSION] === undefined ? wire.is(bytes) : versionMajor === '2')) {
    const w = wire.decode(Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
    if (!w.ok) return w;
    const value = w.value as EventOf<N>;
    return traceparent ? { ok: true, schema: expect, version, value, traceparent } : { ok: true, schema: expect, version, value };
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.isBuffer(bytes) ? bytes.toString('utf8') : Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `not JSON: ${(err as Error).message}` };
  }
  if (!checkFor(expect).Check(value)) return { ok: false, reason: 'schema_violation', detail: explain(expect, value) };
  return traceparent
    ? { ok: true, schema: expect, version, value: value as EventOf<N>, traceparent }
    : { ok: true, schema: expect, version, value: value as EventOf<N> };
}
