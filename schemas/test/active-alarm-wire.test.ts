import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ALARM_TYPES, HEADER_CONTENT_TYPE, HEADER_SCHEMA, HEADER_VERSION, PROBABLE_CAUSES, SEVERITIES, decode, encode,
  type ActiveAlarm, type Alarm,
} from '../src/index.js';
import { alarm } from './fixtures.js';

const full: ActiveAlarm = {
  alarm: alarm({
    uuid: '1b32c28c-b38c-4548-8ecc-000000000001', alarm_id: '700.110', entity_type_id: 'host.interface',
    entity_instance_id: 'host=compute-0.interface=eth0', severity: 'critical', reason_text: 'Carrier lost: "eth0" \\ ü ✓',
    alarm_type: 'communication', probable_cause: 'loss-of-signal', proposed_repair_action: 'Check the cable.',
    service_affecting: true, suppression_allowed: false, state: 'cleared', raised_at: 1_764_000_000_000.5, updated_at: 1_764_000_000_123,
    inhibited: true, inhibited_by: '710.010|system=edge', suppressed: true, silenced_by: ['s-1', 'maintenance:host=compute-0'],
    flapping: true, source: 'fault', labels: { rack: 'r1', multi_node_failure: '710.010|system=edge' },
  }),
  seq: 42,
  last_transition: '1b32c28c-b38c-4548-8ecc-000000000002',
};
const plain: ActiveAlarm = { alarm: alarm({ uuid: '1b32c28c-b38c-4548-8ecc-000000000003' }), seq: 1, last_transition: '1b32c28c-b38c-4548-8ecc-000000000004' };

const v2 = { [HEADER_SCHEMA]: 'active_alarm', [HEADER_VERSION]: '2.0' };
const v1 = { [HEADER_SCHEMA]: 'active_alarm', [HEADER_VERSION]: '1.0' };
const positions = (a: ActiveAlarm): unknown[] => JSON.parse(encode('active_alarm', a).value.toString());
const reasonOf = (wire: unknown) => {
  const d = decode('active_alarm', v2, Buffer.from(typeof wire === 'string' ? wire : JSON.stringify(wire)));
  return d.ok ? 'ok' : `${d.reason}: ${d.detail}`;
};
const withPosition = (i: number, x: unknown) => { const w = positions(plain); w[i] = x; return w; };

/** The property order of an alarm the engine raises (processors/correlator alarm-table.ts `raise`). */
const RAISE_ORDER = [
  'uuid', 'alarm_id', 'entity_type_id', 'entity_instance_id', 'severity', 'reason_text', 'alarm_type', 'probable_cause',
  'proposed_repair_action', 'service_affecting', 'suppression_allowed', 'state', 'raised_at', 'updated_at', 'inhibited',
  'suppressed', 'silenced_by', 'flapping', 'source', 'labels',
];

test('active_alarm is written as 2.0, a JSON array of 18 positions without a content type, and reads back equal', () => {
  for (const a of [full, plain]) {
    const enc = encode('active_alarm', a);
    assert.is(enc.headers[HEADER_VERSION], '2.0');
    assert.is(enc.headers[HEADER_CONTENT_TYPE], undefined, 'still JSON: no content type');
    const wire = JSON.parse(enc.value.toString());
    assert.ok(Array.isArray(wire) && wire.length === 18);
    assert.ok(enc.value.length < JSON.stringify(a).length * 0.75, `${enc.value.length} B vs ${JSON.stringify(a).length} B in 1.x`);
    const d = decode('active_alarm', enc.headers, enc.value);
    assert.ok(d.ok, d.ok ? '' : d.detail);
    if (d.ok) assert.equal(d.value, a);
  }
});

test('the layout: positions in the documented order, the booleans and the state as flag bits', () => {
  assert.equal(positions(full), [
    full.alarm.uuid, '700.110', 'host.interface', 'host=compute-0.interface=eth0', 'critical', full.alarm.reason_text,
    'communication', 'loss-of-signal', 'Check the cable.', 0b111101, 1_764_000_000_000.5, 1_764_000_000_123, '710.010|system=edge',
    ['s-1', 'maintenance:host=compute-0'], 'fault', { rack: 'r1', multi_node_failure: '710.010|system=edge' }, 42, full.last_transition,
  ]);
  const p = positions(plain);
  assert.is(p[9], 0b10, 'an active alarm that may be suppressed, nothing else set');
  assert.is(p[12], null, 'not inhibited: null');
  assert.equal([p[13], p[15]], [[], {}]);
});

test('1.x objects from writers not yet upgraded are still read, with the full schema check, with or without headers', () => {
  const json = Buffer.from(JSON.stringify(full));
  const d = decode('active_alarm', v1, json);
  assert.ok(d.ok);
  if (d.ok) assert.equal(d.value, full);
  assert.ok(decode('active_alarm', {}, json).ok, 'no headers: an object is read as 1.x');
  assert.ok(decode('active_alarm', {}, encode('active_alarm', full).value).ok, 'no headers: an array is read as 2.x');
  const bad = decode('active_alarm', v1, Buffer.from(JSON.stringify({ ...full, alarm: { ...full.alarm, uuid: 'not-a-uuid' } })));
  assert.ok(!bad.ok && bad.reason === 'schema_violation' && bad.detail.includes('/alarm/uuid'));
  const array = decode('active_alarm', v1, encode('active_alarm', full).value);
  assert.ok(!array.ok && array.reason === 'schema_violation', 'a 1.0 header on 2.x bytes is refused');
  const future = decode('active_alarm', { ...v2, [HEADER_VERSION]: '3.0' }, encode('active_alarm', full).value);
  assert.ok(!future.ok && future.reason === 'unknown_version');
});

test('a later minor version may append positions: this reader ignores them', () => {
  assert.is(reasonOf([...positions(full), 'appended', { x: 1 }]), 'ok');
});

test('every refusal names the position and the field', () => {
  const cases: [unknown, string][] = [
    ['[1,2', 'malformed: not JSON'],
    [{ alarm: plain.alarm }, 'schema_violation: /: expected an array of 18 positions (active_alarm 2.x), got object'],
    [positions(plain).slice(0, 17), 'schema_violation: /: expected an array of 18 positions (active_alarm 2.x), got 17'],
    [withPosition(0, 7), '/alarm/uuid (position 0): expected string, got number'],
    [withPosition(1, null), '/alarm/alarm_id (position 1): expected string, got null'],
    [withPosition(2, {}), '/alarm/entity_type_id (position 2): expected string, got object'],
    [withPosition(3, ''), '/alarm/entity_instance_id (position 3): expected a string of 1 to 1024 characters'],
    [withPosition(3, 'x'.repeat(1025)), '/alarm/entity_instance_id (position 3)'],
    [withPosition(4, 'huge'), '/alarm/severity (position 4): expected one of warning, minor, major, critical, got "huge"'],
    [withPosition(5, false), '/alarm/reason_text (position 5): expected string, got boolean'],
    [withPosition(6, 7), '/alarm/alarm_type (position 6): expected string'],
    [withPosition(7, []), '/alarm/probable_cause (position 7): expected string, got array'],
    [withPosition(8, 1), '/alarm/proposed_repair_action (position 8): expected string'],
    [withPosition(9, 64), '/alarm/flags (position 9): expected an integer 0..63, got number'],
    [withPosition(9, 1.5), '/alarm/flags (position 9)'],
    [withPosition(9, true), '/alarm/flags (position 9)'],
    [withPosition(10, -1), '/alarm/raised_at (position 10): expected number >= 0'],
    [withPosition(11, '1764000000000'), '/alarm/updated_at (position 11): expected number >= 0, got "1764000000000"'],
    [withPosition(12, 5), '/alarm/inhibited_by (position 12): expected string or null, got number'],
    [withPosition(13, null), '/alarm/silenced_by (position 13): expected array of strings, got null'],
    [withPosition(13, ['s-1', 2]), '/alarm/silenced_by/1 (position 13): expected string, got number'],
    [withPosition(14, null), '/alarm/source (position 14): expected string'],
    [withPosition(15, []), '/alarm/labels (position 15): expected object of strings, got array'],
    [withPosition(15, { rack: 1 }), '/alarm/labels/rack (position 15): expected string, got number'],
    [withPosition(16, 0), '/seq (position 16): expected an integer >= 1'],
    [withPosition(16, 2.5), '/seq (position 16)'],
    [withPosition(17, undefined), '/last_transition (position 17): expected string, got null'],
  ];
  for (const [wire, expected] of cases) {
    const got = reasonOf(wire);
    assert.ok(got.includes(expected), `expected "${expected}", got "${got}"`);
    if (!expected.startsWith('malformed')) assert.ok(got.startsWith('schema_violation: '), got);
  }
});

test('left to the writer, as in the correlator\'s restore check: patterns and the long X.733 enumerations', () => {
  assert.is(reasonOf(withPosition(0, 'not-a-uuid')), 'ok');
  assert.is(reasonOf(withPosition(1, '7.1')), 'ok');
  assert.is(reasonOf(withPosition(7, 'not-an-x733-cause')), 'ok');
});

test('decoded alarms have the raised alarm\'s property order, shared repeated strings and shared frozen empties', () => {
  const a = decode('active_alarm', v2, encode('active_alarm', plain).value);
  const b = decode('active_alarm', v2, encode('active_alarm', { ...plain, alarm: { ...plain.alarm, uuid: '1b32c28c-b38c-4548-8ecc-000000000009' } }).value);
  assert.ok(a.ok && b.ok);
  if (!a.ok || !b.ok) return;
  assert.equal(Object.keys(a.value.alarm), RAISE_ORDER);
  assert.equal(Object.keys(a.value), ['alarm', 'seq', 'last_transition']);
  const inhibited = decode('active_alarm', v2, encode('active_alarm', full).value);
  assert.ok(inhibited.ok);
  if (inhibited.ok) assert.equal(Object.keys(inhibited.value.alarm), [...RAISE_ORDER, 'inhibited_by'], 'inhibited_by last, as applyFlags adds it');
  assert.ok(Object.isFrozen(a.value.alarm.labels) && a.value.alarm.labels === b.value.alarm.labels);
  assert.ok(Object.isFrozen(a.value.alarm.silenced_by) && a.value.alarm.silenced_by === b.value.alarm.silenced_by);
  assert.ok(!Object.isFrozen(a.value.alarm), 'the alarm itself is the reader\'s');
});

// ---- property: any alarm the schema admits survives the round trip -------------------------------

/** mulberry32: a seeded generator, so a failure names a reproducible seed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomActive(r: () => number): ActiveAlarm {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const bool = () => r() < 0.5;
  const text = () => {
    const chars = ['a', 'Z', '0', ' ', '.', '=', '|', '"', '\\', '\n', 'é', '✓', '😀', '\u0000', '\u2028'];
    let s = '';
    for (let n = Math.floor(r() * 12); n > 0; n--) s += pick(chars);
    return s;
  };
  const hex = (n: number) => Array.from({ length: n }, () => pick([...'0123456789abcdef'])).join('');
  const uuid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;
  const a: Alarm = {
    uuid: uuid(), alarm_id: `${100 + Math.floor(r() * 900)}.${100 + Math.floor(r() * 900)}`, entity_type_id: text(),
    entity_instance_id: `host=h${Math.floor(r() * 1000)}${bool() ? `.port=${text().replace(/[.=]/g, '')}` : ''}`,
    severity: pick(SEVERITIES), reason_text: text(), alarm_type: pick(Object.keys(ALARM_TYPES) as Alarm['alarm_type'][]),
    probable_cause: pick(Object.keys(PROBABLE_CAUSES) as Alarm['probable_cause'][]), proposed_repair_action: text(),
    service_affecting: bool(), suppression_allowed: bool(), state: bool() ? 'active' : 'cleared',
    raised_at: bool() ? Math.floor(r() * 2e12) : r() * 2e12, updated_at: Math.floor(r() * 2e12), inhibited: bool(),
    suppressed: bool(), silenced_by: Array.from({ length: pick([0, 0, 1, 3]) }, text), flapping: bool(), source: text(),
    labels: Object.fromEntries(Array.from({ length: pick([0, 0, 1, 4]) }, () => [text(), text()])),
  };
  if (bool()) a.inhibited_by = text();
  return { alarm: a, seq: 1 + Math.floor(r() * 1e9), last_transition: uuid() };
}

test('property: 2,000 random alarms survive encode and decode unchanged, and equal what 1.x reads', () => {
  const seed = 20261125;
  const r = random(seed);
  for (let i = 0; i < 2000; i++) {
    const a = randomActive(r);
    const d = decode('active_alarm', v2, encode('active_alarm', a).value);
    assert.ok(d.ok, `seed ${seed}, alarm ${i}: ${d.ok ? '' : d.detail}`);
    if (!d.ok) return;
    assert.equal(d.value, a, `seed ${seed}, alarm ${i}`);
    const old = decode('active_alarm', v1, Buffer.from(JSON.stringify(a)));
    assert.ok(old.ok, `seed ${seed}, alarm ${i} as 1.x: ${old.ok ? '' : old.detail}`);
    if (old.ok) assert.equal(d.value, old.value);
  }
});

test.run();
