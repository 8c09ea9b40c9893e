import type { ActiveAlarm, Alarm } from './alarm.js';
import { SEVERITIES, type Severity } from './x733.js';

/**
 * The fast path of the active_alarm 2.x reader: the positional array read straight from the bytes, for the
 * restart of a correlator on a million alarms (issue #6), where JSON.parse, its temporary array and strings,
 * and interning those strings afterwards were most of the restore's decode time.
 *
 * It reads only what JSON.stringify writes for an ActiveAlarm, and only what it can fully check: no
 * whitespace, no backslash escape or control character in a string, integers of at most 15 digits (no sign,
 * fraction or exponent), exactly 18 positions, no `__proto__` label. For anything else it answers undefined
 * and the caller reads the record with JSON.parse (active-alarm-wire.ts), so what is refused, and the
 * detail, always come from that one reader; the fast path only ever returns what it would have returned.
 * UTF-8 is decoded per string with Node's decoder: the string boundaries are ASCII quotes, so an invalid
 * sequence is replaced exactly as when the whole value is decoded before JSON.parse.
 */

export const SERVICE_AFFECTING = 1;
export const SUPPRESSION_ALLOWED = 2;
export const CLEARED = 4;
export const INHIBITED = 8;
export const SUPPRESSED = 16;
export const FLAPPING = 32;
export const ALL_FLAGS = 63;

// Shared and frozen, as the engine's own (alarm-table.ts): alarms are copy-on-write, so no reader mutates these,
// and a million restored alarms should not carry a million empty objects.
export const NO_LABELS: Record<string, string> = Object.freeze({}) as Record<string, string>;
export const NO_SILENCES: string[] = Object.freeze([]) as unknown as string[];

export const SEVERITY = new Map<string, Severity>(SEVERITIES.map((s) => [s, s]));

/**
 * The pool by bytes: a repeated string is found from the bytes of the record, without making a string to
 * look it up with. 4-way sets chosen by the field and the string's first four bytes; a candidate is taken
 * when all its bytes match and the record's string ends there. Its bytes were checked when it was cached
 * (no quote, backslash or control byte), so that one comparison also checks the record's string: the bytes
 * are read once. A miss only costs the string the JSON.parse path would have made anyway.
 */
const WAYS = 4;
const SET_BITS = 10;
const cachedBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(WAYS << SET_BITS).fill(undefined);
const cachedStrings: string[] = new Array<string>(WAYS << SET_BITS).fill('');
/** The way each set replaces next (round robin). */
const nextWay = new Uint8Array(1 << SET_BITS);

/**
 * One instance of each repeated string (the catalog's codes and texts, sources, silences, inhibiting
 * parents), for both readers: JSON.parse makes new strings for every record, where raised alarms share the
 * catalog's; a million restored alarms held ~300 B more each without it. Bounded: cleared when it passes
 * POOL_MAX (a catalog has hundreds of entries; unbounded growth would mean texts are not repeating).
 */
const POOL_MAX = 50_000;
const pool = new Map<string, string>();
export function intern(s: string): string {
  const known = pool.get(s);
  if (known !== undefined) return known;
  if (pool.size >= POOL_MAX) {
    pool.clear();
    cachedBytes.fill(undefined);
    nextWay.fill(0);
  }
  pool.set(s, s);
  return s;
}

/** Node's Buffer slices without toString's argument handling (undocumented but long-standing; not in @types/node). */
interface Sliceable extends Buffer { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string }

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const NULL = [0x6e, 0x75, 0x6c, 0x6c];
const ZERO = 0x30;
const NINE = 0x39;
/** 15 digits are below 2^53: summed digit by digit, the number is exactly what JSON.parse makes of it. */
const MAX_DIGITS = 15;

const EMPTY = Buffer.alloc(0) as Sliceable;

/** Not a record the fast path reads: the caller falls back to JSON.parse. Thrown, never an error. */
const FALLBACK = Symbol('fallback');

// The record being read, and the position in it: module state, as one record is read at a time.
let buf = EMPTY;
let at = 0;
// Whether the last string scanned may hold non-ASCII bytes (decoded as UTF-8, not Latin-1).
let wide = false;

function expect(byte: number): void {
  if (buf[at] !== byte) throw FALLBACK;
  at++;
}

/** Scans the string at `at` (its opening quote) from its byte `from`; returns where its bytes start; `at` ends on its closing quote. */
function scan(from = 0): number {
  const b = buf;
  if (b[at] !== QUOTE) throw FALLBACK;
  const start = at + 1;
  const end = b.length;
  let i = start + from;
  let high = 0;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH || c < 0x20) throw FALLBACK;
    high |= c;
  }
  if (i === end) throw FALLBACK;
  at = i;
  // Bytes before `from` were not looked at here: UTF-8, right for any bytes (Latin-1 is only a faster way for ASCII).
  wide = from > 0 || high >= 0x80;
  return start;
}

function slice(start: number, end: number): string {
  return wide ? buf.utf8Slice(start, end) : buf.latin1Slice(start, end);
}

/** A string that differs per alarm (uuid, entity, transition id, label keys and values). */
function unique(): string {
  const start = scan();
  const s = slice(start, at);
  at++;
  return s;
}

/** A repeated string of position `field`, from the pool. */
function repeated(field: number): string {
  const b = buf;
  if (b[at] !== QUOTE) throw FALLBACK;
  const start = at + 1;
  const prefix = b[start]! | (b[start + 1]! << 8) | (b[start + 2]! << 16) | (b[start + 3]! << 24);
  const set = Math.imul(prefix ^ Math.imul(field, 0x9e3779b1), 0x85ebca6b) >>> (32 - SET_BITS);
  let longest = 0;
  for (let slot = set * WAYS; slot < set * WAYS + WAYS; slot++) {
    const known = cachedBytes[slot];
    if (known === undefined) continue;
    const length = known.length;
    let k = 0;
    while (k < length && known[k] === b[start + k]) k++;
    if (k === length && b[start + k] === QUOTE) {
      at = start + length + 1;
      return cachedStrings[slot]!;
    }
    if (k > longest) longest = k;
  }
  // The first `longest` bytes matched a cached string's: scanned already.
  scan(longest);
  const end = at;
  at++;
  const s = intern(slice(start, end));
  const slot = set * WAYS + nextWay[set]!;
  nextWay[set] = (nextWay[set]! + 1) % WAYS;
  cachedBytes[slot] = Uint8Array.prototype.slice.call(buf, start, end);
  cachedStrings[slot] = s;
  return s;
}

/** A non-negative integer of at most 15 digits, as JSON writes it (no leading zero). */
function integer(): number {
  const start = at;
  let c = buf[at];
  if (c === ZERO) {
    at++;
    return 0;
  }
  let n = 0;
  while (c !== undefined && c >= ZERO && c <= NINE) {
    n = n * 10 + (c - ZERO);
    c = buf[++at];
  }
  if (at === start || at - start > MAX_DIGITS) throw FALLBACK;
  return n;
}

function silences(): string[] {
  expect(OPEN_ARRAY);
  if (buf[at] === CLOSE_ARRAY) {
    at++;
    return NO_SILENCES;
  }
  const ids: string[] = [];
  for (;;) {
    ids.push(repeated(13));
    if (buf[at] !== COMMA) break;
    at++;
  }
  expect(CLOSE_ARRAY);
  return ids;
}

function labels(): Record<string, string> {
  expect(OPEN_OBJECT);
  if (buf[at] === CLOSE_OBJECT) {
    at++;
    return NO_LABELS;
  }
  const o: Record<string, string> = {};
  for (;;) {
    const key = unique();
    // JSON.parse makes it an own property; an assignment would set the prototype.
    if (key === '__proto__') throw FALLBACK;
    expect(COLON);
    o[key] = unique();
    if (buf[at] !== COMMA) break;
    at++;
  }
  expect(CLOSE_OBJECT);
  return o;
}

function inhibitedBy(): string | null {
  if (buf[at] !== NULL[0]) return repeated(12);
  for (const b of NULL) expect(b);
  return null;
}

function read(): ActiveAlarm {
  expect(OPEN_ARRAY);
  const uuid = unique();
  expect(COMMA);
  const alarmId = repeated(1);
  expect(COMMA);
  const entityType = repeated(2);
  expect(COMMA);
  const entity = unique();
  if (entity.length === 0 || entity.length > 1024) throw FALLBACK;
  expect(COMMA);
  const severity = SEVERITY.get(repeated(4));
  if (severity === undefined) throw FALLBACK;
  expect(COMMA);
  const reason = repeated(5);
  expect(COMMA);
  const alarmType = repeated(6) as Alarm['alarm_type'];
  expect(COMMA);
  const cause = repeated(7) as Alarm['probable_cause'];
  expect(COMMA);
  const repair = repeated(8);
  expect(COMMA);
  const flags = integer();
  if (flags > ALL_FLAGS) throw FALLBACK;
  expect(COMMA);
  const raisedAt = integer();
  expect(COMMA);
  const updatedAt = integer();
  expect(COMMA);
  const by = inhibitedBy();
  expect(COMMA);
  const silencedBy = silences();
  expect(COMMA);
  const source = repeated(14);
  expect(COMMA);
  const alarmLabels = labels();
  expect(COMMA);
  const seq = integer();
  if (seq < 1) throw FALLBACK;
  expect(COMMA);
  const lastTransition = unique();
  expect(CLOSE_ARRAY);
  if (at !== buf.length) throw FALLBACK;
  // The shape of the JSON.parse path's alarm: the property order of a raised alarm, inhibited_by last.
  const alarm: Alarm = {
    uuid,
    alarm_id: alarmId,
    entity_type_id: entityType,
    entity_instance_id: entity,
    severity,
    reason_text: reason,
    alarm_type: alarmType,
    probable_cause: cause,
    proposed_repair_action: repair,
    service_affecting: (flags & SERVICE_AFFECTING) !== 0,
    suppression_allowed: (flags & SUPPRESSION_ALLOWED) !== 0,
    state: flags & CLEARED ? 'cleared' : 'active',
    raised_at: raisedAt,
    updated_at: updatedAt,
    inhibited: (flags & INHIBITED) !== 0,
    suppressed: (flags & SUPPRESSED) !== 0,
    silenced_by: silencedBy,
    flapping: (flags & FLAPPING) !== 0,
    source,
    labels: alarmLabels,
  };
  if (by !== null) alarm.inhibited_by = by;
  return { alarm, seq, last_transition: lastTransition };
}

/** The alarm in these 2.x bytes, or undefined when the fast path does not read them (read them with JSON.parse). */
export function readActiveAlarmFast(bytes: Buffer): ActiveAlarm | undefined {
  buf = bytes as Sliceable;
  at = 0;
  try {
    return read();
  } catch (err) {
    if (err === FALLBACK) return undefined;
    throw err;
  } finally {
    buf = EMPTY;
  }
}
