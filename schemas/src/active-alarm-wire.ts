import type { ActiveAlarm, Alarm } from './alarm.js';
import type { DeadLetterReason } from './dead-letter.js';
import { SEVERITIES, type Severity } from './x733.js';

/**
 * active_alarm 2.x on the wire: the alarms.active value as one positional JSON array, still JSON so
 * kcat shows it, but without the 20 property names that were most of 1.x's bytes and of its parse
 * time. Layout and the reasons for it: docs/schemas.md#active_alarm-2x-positional.
 *
 *   [uuid, alarm_id, entity_type_id, entity_instance_id, severity, reason_text, alarm_type, probable_cause,
 *    proposed_repair_action, flags, raised_at, updated_at, inhibited_by | null, silenced_by, source, labels,
 *    seq, last_transition]
 *
 * flags: bit 0 service_affecting, 1 suppression_allowed, 2 state cleared, 3 inhibited, 4 suppressed, 5 flapping.
 * A later minor version may append positions; readers ignore positions they do not know.
 */
export const ACTIVE_ALARM_POSITIONS = 18;

const SERVICE_AFFECTING = 1;
const SUPPRESSION_ALLOWED = 2;
const CLEARED = 4;
const INHIBITED = 8;
const SUPPRESSED = 16;
const FLAPPING = 32;
const ALL_FLAGS = 63;

/** Each position's field, as 1.x's schema path names it: what a refusal says. */
const FIELD = [
  '/alarm/uuid', '/alarm/alarm_id', '/alarm/entity_type_id', '/alarm/entity_instance_id', '/alarm/severity',
  '/alarm/reason_text', '/alarm/alarm_type', '/alarm/probable_cause', '/alarm/proposed_repair_action', '/alarm/flags',
  '/alarm/raised_at', '/alarm/updated_at', '/alarm/inhibited_by', '/alarm/silenced_by', '/alarm/source', '/alarm/labels',
  '/seq', '/last_transition',
] as const;

/** One alarms.active value in the 2.x layout. */
export function activeAlarmWire(v: ActiveAlarm): unknown[] {
  const a = v.alarm;
  const flags = (a.service_affecting ? SERVICE_AFFECTING : 0) | (a.suppression_allowed ? SUPPRESSION_ALLOWED : 0)
    | (a.state === 'cleared' ? CLEARED : 0) | (a.inhibited ? INHIBITED : 0) | (a.suppressed ? SUPPRESSED : 0)
    | (a.flapping ? FLAPPING : 0);
  return [
    a.uuid, a.alarm_id, a.entity_type_id, a.entity_instance_id, a.severity, a.reason_text, a.alarm_type, a.probable_cause,
    a.proposed_repair_action, flags, a.raised_at, a.updated_at, a.inhibited_by ?? null, a.silenced_by, a.source, a.labels,
    v.seq, v.last_transition,
  ];
}

export const encodeActiveAlarmWire = (v: ActiveAlarm): Buffer => Buffer.from(JSON.stringify(activeAlarmWire(v)));

/** Whether the bytes look like 2.x (an array) rather than 1.x (an object): for records without a version header. */
export const isActiveAlarmWire = (bytes: Uint8Array): boolean => {
  for (const b of bytes) if (b !== 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return b === 0x5b; // '['
  return false;
};

export type ActiveAlarmWireResult =
  | { ok: true; value: ActiveAlarm }
  | { ok: false; reason: Extract<DeadLetterReason, 'malformed' | 'schema_violation'>; detail: string };

class Refused extends Error {}

const kind = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'array' : typeof x);
const refuse = (i: number, expected: string, got: unknown): Refused =>
  new Refused(`${FIELD[i]} (position ${i}): expected ${expected}, got ${typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : kind(got)}`);

// Shared and frozen, as the engine's own (alarm-table.ts): alarms are copy-on-write, so no reader mutates these,
// and a million restored alarms should not carry a million empty objects.
const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
const NO_SILENCES: string[] = Object.freeze([]) as unknown as string[];

/**
 * One instance of each repeated string (the catalog's codes and texts, sources, silences, inhibiting
 * parents): JSON.parse makes new strings for every record, where raised alarms share the catalog's;
 * a million restored alarms held ~300 B more each without it. Bounded: cleared when it passes POOL_MAX
 * (a catalog has hundreds of entries; unbounded growth would mean texts are not repeating).
 */
const POOL_MAX = 50_000;
const pool = new Map<string, string>();
function intern(s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= POOL_MAX) pool.clear();
  pool.set(s, s);
  return s;
}

const SEVERITY = new Map<string, Severity>(SEVERITIES.map((s) => [s, s]));

function str(v: unknown[], i: number): string {
  const s = v[i];
  if (typeof s !== 'string') throw refuse(i, 'string', s);
  return s;
}

function epochMs(v: unknown[], i: number): number {
  const n = v[i];
  // As 1.x's EpochMs: any non-negative number (JSON has no NaN or Infinity).
  if (typeof n !== 'number' || !(n >= 0)) throw refuse(i, 'number >= 0', n);
  return n;
}

function silencedBy(v: unknown[]): string[] {
  const s = v[13];
  if (!Array.isArray(s)) throw refuse(13, 'array of strings', s);
  if (s.length === 0) return NO_SILENCES;
  for (let j = 0; j < s.length; j++) {
    if (typeof s[j] !== 'string') throw new Refused(`${FIELD[13]}/${j} (position 13): expected string, got ${kind(s[j])}`);
    s[j] = intern(s[j]);
  }
  return s as string[];
}

function labels(v: unknown[]): Record<string, string> {
  const l = v[15];
  if (typeof l !== 'object' || l === null || Array.isArray(l)) throw refuse(15, 'object of strings', l);
  const o = l as Record<string, unknown>;
  let empty = true;
  for (const k in o) {
    if (typeof o[k] !== 'string') throw new Refused(`${FIELD[15]}/${k} (position 15): expected string, got ${kind(o[k])}`);
    empty = false;
  }
  return empty ? NO_LABELS : (o as Record<string, string>);
}

/**
 * Checks a parsed 2.x value positionally and builds the ActiveAlarm. Cheap on purpose: JSON types per
 * position, the short enumerations (severity, state via flags), integer seq and flags, non-negative
 * timestamps; no uuid, alarm id or entity path patterns and no X.733 lists for alarm_type and
 * probable_cause. The writers are correlators, which built these alarms from their catalog (the same
 * trade as the correlator's restore check). Throws Refused with the position and field.
 */
function readActiveAlarm(v: unknown): ActiveAlarm {
  if (!Array.isArray(v)) throw new Refused(`/: expected an array of ${ACTIVE_ALARM_POSITIONS} positions (active_alarm 2.x), got ${kind(v)}`);
  if (v.length < ACTIVE_ALARM_POSITIONS) throw new Refused(`/: expected an array of ${ACTIVE_ALARM_POSITIONS} positions (active_alarm 2.x), got ${v.length}`);
  const entity = str(v, 3);
  if (entity.length === 0 || entity.length > 1024) throw refuse(3, 'a string of 1 to 1024 characters', entity);
  const severity = SEVERITY.get(v[4] as string);
  if (severity === undefined) throw refuse(4, `one of ${SEVERITIES.join(', ')}`, v[4]);
  const flags = v[9];
  if (typeof flags !== 'number' || !Number.isInteger(flags) || flags < 0 || flags > ALL_FLAGS) throw refuse(9, `an integer 0..${ALL_FLAGS}`, flags);
  const by = v[12];
  if (by !== null && typeof by !== 'string') throw refuse(12, 'string or null', by);
  const seq = v[16];
  if (typeof seq !== 'number' || !Number.isInteger(seq) || seq < 1) throw refuse(16, 'an integer >= 1', seq);
  // One object shape, the property order of a raised alarm (alarm-table.ts `raise`), so restored and raised
  // alarms share V8's hidden class; inhibited_by is added last, as the engine's applyFlags does.
  const alarm: Alarm = {
    uuid: str(v, 0),
    alarm_id: intern(str(v, 1)),
    entity_type_id: intern(str(v, 2)),
    entity_instance_id: entity,
    severity,
    reason_text: intern(str(v, 5)),
    alarm_type: intern(str(v, 6)) as Alarm['alarm_type'],
    probable_cause: intern(str(v, 7)) as Alarm['probable_cause'],
    proposed_repair_action: intern(str(v, 8)),
    service_affecting: (flags & SERVICE_AFFECTING) !== 0,
    suppression_allowed: (flags & SUPPRESSION_ALLOWED) !== 0,
    state: flags & CLEARED ? 'cleared' : 'active',
    raised_at: epochMs(v, 10),
    updated_at: epochMs(v, 11),
    inhibited: (flags & INHIBITED) !== 0,
    suppressed: (flags & SUPPRESSED) !== 0,
    silenced_by: silencedBy(v),
    flapping: (flags & FLAPPING) !== 0,
    source: intern(str(v, 14)),
    labels: labels(v),
  };
  if (by !== null) alarm.inhibited_by = intern(by);
  return { alarm, seq, last_transition: str(v, 17) };
}

/** Reads active_alarm 2.x bytes. Never throws: what is wrong comes back as a dead-letter reason. */
export function decodeActiveAlarmWire(bytes: Buffer): ActiveAlarmWireResult {
  let v: unknown;
  try {
    v = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: 'malformed', detail: `not JSON: ${(err as Error).message}` };
  }
  try {
    return { ok: true, value: readActiveAlarm(v) };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, reason: 'schema_violation', detail: err.message };
    throw err;
  }
}
