// The sink's agent answers the real net-snmp tools: snmpget, snmpwalk and snmpbulkwalk over v2c and v3.
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Sink } from '@faultline/runtime';
import { ALARM_TYPES, PROBABLE_CAUSES, SEVERITY_RANK, type Alarm } from '@faultline/schemas';
import { SnmpSinkConfigSchema, createSnmpSink, type SnmpSinkConfig } from '@faultline/sink-snmp';
import { alarm, clearAll, envelopes, freeUdpPort, run, snmpToolsEnv, transition } from '../support/snmp.js';

const ENTERPRISE = '1.3.6.1.4.1.32473';
const ACTIVE_ENTRY = `${ENTERPRISE}.2.1.1.1.1`;
const EVENT_ENTRY = `${ENTERPRISE}.2.1.1.2.1`;
const SCALARS = `${ENTERPRISE}.2.1.1.3`;
const READER = { name: 'itest-reader', auth_protocol: 'sha512', auth_key: 'reader-auth-key', priv_protocol: 'aes', priv_key: 'reader-priv-key' };

let sink: Sink;
let target: string;
const env = snmpToolsEnv();
const v2c = ['-v2c', '-c', 'itest-community'];
const v3 = ['-v3', '-l', 'authPriv', '-u', READER.name, '-a', 'SHA-512', '-A', READER.auth_key, '-x', 'AES', '-X', READER.priv_key];

/** `-On` output as { oid (no leading dot): value text }. */
async function walk(tool: 'snmpwalk' | 'snmpbulkwalk' | 'snmpget', auth: string[], oid: string): Promise<Map<string, string>> {
  const { stdout } = await run(tool, [...auth, '-On', '-Oe', '-t', '1', '-r', '0', target, oid], { env });
  const out = new Map<string, string>();
  let last = '';
  for (const line of stdout.split('\n').filter(Boolean)) {
    const m = /^\.(\S+) = (.*)$/.exec(line);
    if (m) out.set((last = m[1]!), m[2]!.trim());
    else out.set(last, `${out.get(last)} ${line.trim()}`); // a Hex-STRING goes on over several lines
  }
  return out;
}

/** The text of an OCTET STRING value: the tools print non-ASCII UTF-8 as Hex-STRING. */
const text = (v: string | undefined) =>
  v?.startsWith('Hex-STRING: ') ? `STRING: "${Buffer.from(v.slice(12).replace(/\s+/g, ''), 'hex').toString('utf8')}"` : v;

/** Rows of a table from a walk: index → column number → value text. */
function rows(cells: Map<string, string>, entry: string): Map<number, Map<number, string>> {
  const out = new Map<number, Map<number, string>>();
  for (const [oid, value] of cells) {
    if (!oid.startsWith(`${entry}.`)) continue;
    const [col, index] = oid.slice(entry.length + 1).split('.').map(Number) as [number, number];
    if (!out.has(index)) out.set(index, new Map());
    out.get(index)!.set(col, value);
  }
  return out;
}

const str = (s: string) => `STRING: "${s}"`;
const int = (n: number) => `INTEGER: ${n}`;
const truth = (b: boolean) => int(b ? 1 : 2);

/** What an active row must show for an alarm (columns 2..12; 5 is DateAndTime, checked apart). */
const expectedActive = (a: Alarm) => new Map<number, string>([
  [2, str(a.uuid)], [3, str(a.alarm_id)], [4, str(a.entity_instance_id)], [6, int(SEVERITY_RANK[a.severity])],
  [7, str(a.reason_text)], [8, int(ALARM_TYPES[a.alarm_type])], [9, int(PROBABLE_CAUSES[a.probable_cause])],
  [10, str(a.proposed_repair_action)], [11, truth(a.service_affecting)], [12, truth(a.suppression_allowed)],
]);

const entity = `host=itest-${randomUUID().slice(0, 8)}`;
const raised = [
  alarm({ entity_instance_id: entity, severity: 'critical', service_affecting: true }),
  alarm({ alarm_id: '700.103', entity_instance_id: `${entity}.memory=total`, severity: 'major', alarm_type: 'processing-error', probable_cause: 'out-of-memory' }),
  alarm({ alarm_id: '700.110', entity_instance_id: `${entity}.interface=eth0`, severity: 'minor', reason_text: 'carrier lost on eth0 — câble débranché' }),
  alarm({ alarm_id: '700.140', entity_instance_id: entity, severity: 'warning', suppression_allowed: false }),
  alarm({ alarm_id: '700.150', entity_instance_id: `${entity}.metric=node_load1`, severity: 'minor' }),
];

test.before(async () => {
  const port = await freeUdpPort();
  target = `127.0.0.1:${port}`;
  const config = Value.Default(SnmpSinkConfigSchema, {
    agent: { port, communities: ['itest-community'], users: [READER], event_table_size: 4 },
  }) as SnmpSinkConfig;
  sink = createSnmpSink({ id: 'sinks.snmp-agent-itest', node: 'itest', log: silentLogger, dataDir: '/tmp' }, config);
  await sink.start();
  const [crit, major, minor, warning, stale] = raised as [Alarm, Alarm, Alarm, Alarm, Alarm];
  await sink.write(envelopes([
    ...raised.map((a) => transition('raised', a)),
    transition('updated', { ...major, severity: 'critical', reason_text: 'memory 95% above 90%' }),
    transition('cleared', { ...minor, state: 'cleared' }),
    transition('suppressed', { ...stale, suppressed: true }),
    transition('logged', alarm({ alarm_id: '710.002', state: 'cleared', entity_instance_id: entity, reason_text: 'rebooted' })),
  ]));
  raised[1] = { ...major, severity: 'critical', reason_text: 'memory 95% above 90%' };
  void crit; void warning;
});
test.after(async () => { await sink.stop(); });

test('snmpwalk (v2c) reads the active alarm table: one row per active, unsuppressed alarm, matching the input', async () => {
  const table = rows(await walk('snmpwalk', v2c, ACTIVE_ENTRY), ACTIVE_ENTRY);
  const expected = [raised[0]!, raised[1]!, raised[3]!]; // minor cleared, stale suppressed
  assert.equal([...table.keys()], [1, 2, 4]); // row indexes are stable: 3 and 5 left
  [...table.values()].forEach((row, i) => {
    const { 5: dateAndTime, ...rest } = Object.fromEntries(row);
    assert.equal(new Map(Object.entries(rest).map(([k, v]) => [Number(k), v])), expectedActive(expected[i]!));
    assert.match(dateAndTime!, /^Hex-STRING: 07 E[0-9A-F] /); // DateAndTime, 11 octets, year 20xx
  });
  assert.not.ok([...table.values()].some((r) => r.has(1)), 'the index column is not-accessible');
});

test('snmpbulkwalk (v3 authPriv, SHA-512/AES) reads the event table: the newest 4 events', async () => {
  const table = rows(await walk('snmpbulkwalk', v3, EVENT_ENTRY), EVENT_ENTRY);
  // Events: 1-5 raises, 6 update, 7 clear, 8 the log (the suppression is a resync, not an event). Table size 4.
  assert.equal([...table.keys()], [5, 6, 7, 8]);
  assert.is(table.get(5)!.get(2), str(raised[4]!.uuid));
  assert.is(table.get(6)!.get(7), int(4)); // the update to critical
  assert.is(table.get(7)!.get(4), int(2)); // state clear
  assert.is(table.get(7)!.get(3), str('700.110'));
  assert.is(table.get(8)!.get(4), int(3)); // state log
  assert.is(table.get(8)!.get(8), str('rebooted'));
  assert.is(text(table.get(7)!.get(8)), str(raised[2]!.reason_text)); // UTF-8 text arrives intact
});

test('snmpget reads the scalars', async () => {
  const v = await walk('snmpget', v2c, `${SCALARS}.1.0`);
  assert.is(v.get(`${SCALARS}.1.0`), 'Gauge32: 3');
  const last = await walk('snmpget', v3, `${SCALARS}.2.0`);
  assert.is(last.get(`${SCALARS}.2.0`), 'Gauge32: 8');
});

test('a hierarchical clear empties the entity\'s rows', async () => {
  await sink.write(envelopes([clearAll(entity, [raised[0]!, raised[1]!, raised[3]!])]));
  const table = rows(await walk('snmpwalk', v2c, ACTIVE_ENTRY), ACTIVE_ENTRY);
  assert.is(table.size, 0);
  const events = rows(await walk('snmpwalk', v2c, EVENT_ENTRY), EVENT_ENTRY);
  assert.is(events.get(9)!.get(5), str(entity));
  // An emptied table fills again (net-snmp drops an empty table's node).
  const again = alarm({ entity_instance_id: entity, severity: 'minor' });
  await sink.write(envelopes([transition('raised', again)]));
  const refilled = rows(await walk('snmpwalk', v2c, ACTIVE_ENTRY), ACTIVE_ENTRY);
  assert.equal([...refilled.keys()], [6]);
  assert.is(refilled.get(6)!.get(2), str(again.uuid));
});

test('a wrong community or a wrong v3 key gets no answer', async () => {
  const failure = (p: Promise<unknown>) => p.then(() => '', (err: { stderr?: string }) => err.stderr ?? String(err));
  assert.match(await failure(walk('snmpget', ['-v2c', '-c', 'not-ours'], `${SCALARS}.1.0`)), /Timeout: No Response/);
  assert.match(await failure(walk('snmpget', v3.map((x) => (x === READER.auth_key ? 'wrong-auth-key' : x)), `${SCALARS}.1.0`)), /Timeout|[Aa]uthentication/);
});

test.run();
