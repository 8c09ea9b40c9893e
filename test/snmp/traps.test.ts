// The SNMP sink against the real snmptrapd (deploy/dev/svc snmptrapd, udp 127.0.0.1:11162).
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Sink } from '@faultline/runtime';
import { SnmpSinkConfigSchema, alarmMibOids, createSnmpSink, snmpMetrics, type SnmpSinkConfig } from '@faultline/sink-snmp';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';
import {
  DEV_SNMP, MIB_DIR, alarm, baseMibDir, clearAll, envelopes, run, snmpToolsEnv, trapLogFromHere, transition, type TrapEntry,
} from '../support/snmp.js';

const oids = alarmMibOids('1.3.6.1.4.1.32473');
const { host, port } = SERVICES.snmptrapd;
const received: TrapEntry[] = [];

function sinkWith(destinations: unknown[]): { sink: Sink; id: string } {
  const id = `sinks.snmp-${randomUUID().slice(0, 8)}`;
  const config = Value.Default(SnmpSinkConfigSchema, { destinations, agent: { enabled: false } }) as SnmpSinkConfig;
  return { sink: createSnmpSink({ id, node: 'itest', log: silentLogger, dataDir: '/tmp' }, config), id };
}
const dest = (over: Record<string, unknown>) => ({ name: 'nms', host, port, community: DEV_SNMP.community, ...over });
const v3user = (name: string, over: Record<string, unknown> = {}) =>
  ({ name, auth_protocol: name === DEV_SNMP.sha1User ? 'sha' : 'sha256', auth_key: DEV_SNMP.authKey, priv_key: DEV_SNMP.privKey, ...over });
const counted = async (metric: 'acknowledged' | 'failed', sinkId: string) =>
  ((await snmpMetrics()[metric].get()).values.find((v) => v.labels.sink === sinkId)?.value ?? 0);

const first = (log: ReturnType<typeof trapLogFromHere>, match: (e: TrapEntry) => boolean) =>
  waitFor('a matching notification in snmptrapd\'s log', () => log.read().find(match), 15_000, 50);

test.before(async () => { await ensureServices('snmptrapd'); });

/** Feeds one transition of every notifying kind through a sink with this one destination; checks what snmptrapd logged. */
async function everyType(destination: Record<string, unknown>): Promise<string> {
  const log = trapLogFromHere();
  const { sink, id } = sinkWith([destination]);
  await sink.start();
  const entity = `host=itest-${randomUUID().slice(0, 8)}`;
  const [crit, major, minor, warning] = (['critical', 'major', 'minor', 'warning'] as const)
    .map((severity, i) => alarm({ severity, alarm_id: `700.10${i + 1}`, entity_instance_id: `${entity}.disk=sd${i}` }));
  const logged = alarm({ alarm_id: '710.002', state: 'cleared', entity_instance_id: entity, reason_text: 'host rebooted' });
  await sink.write(envelopes([
    transition('raised', crit!), transition('raised', major!), transition('raised', minor!), transition('raised', warning!),
    transition('logged', logged),
    transition('cleared', { ...crit!, state: 'cleared' }),
    clearAll(entity, [major!, minor!]),
    transition('suppressed', { ...warning!, suppressed: true }),
  ]));
  const hits = await log.waitFor(entity, 7);
  const byOid = (name: Parameters<typeof oids.notification>[0]) => hits.filter((e) => e.trapOid === oids.notification(name));
  for (const name of ['critical', 'major', 'minor', 'warning', 'message', 'clear', 'hierarchicalClear'] as const) {
    assert.is(byOid(name).length, 1, name);
  }
  const critVb = byOid('critical')[0]!.varbinds;
  assert.ok(critVb.some((v) => v.value === `"${crit!.uuid}"`), 'alarm uuid');
  assert.ok(critVb.some((v) => v.value === '"700.101"'), 'alarm id');
  assert.ok(critVb.some((v) => v.type === 'INTEGER' && v.value === '4'), 'severity critical(4)');
  assert.ok(critVb.some((v) => v.value === '"Reduce the load or add capacity"'), 'repair action');
  assert.ok(byOid('hierarchicalClear')[0]!.varbinds.some((v) => v.value === `"${entity}"`));
  // After the suppression: no active alarm left (warning is now hidden), 7 events recorded.
  const resync = await first(log, (e) => e.trapOid === oids.notification('resync') && e.varbinds.some((v) => v.value === '7'));
  assert.ok(resync.varbinds.some((v) => v.type === 'Gauge32' && v.value === '0'), 'active count after the suppression');
  await sink.stop();
  received.push(...hits, resync);
  return id;
}

test('v2c traps: every notification type is logged by snmptrapd', async () => {
  await everyType(dest({}));
});

test('v3 authPriv traps (SHA-256/AES, from the pinned engine id): every notification type is logged', async () => {
  await everyType(dest({ version: 'v3', engine_id: DEV_SNMP.engineId, user: v3user(DEV_SNMP.sha256User) }));
});

test('v3 authPriv informs (SHA-256/AES): every notification type is logged and acknowledged', async () => {
  const id = await everyType(dest({ version: 'v3', mode: 'inform', user: v3user(DEV_SNMP.sha256User) }));
  assert.is(await counted('acknowledged', id), 9); // two resyncs (start, suppression) and seven events
  assert.is(await counted('failed', id), 0);
});

test('a storm over the rate limit becomes a summary naming the held events', async () => {
  const log = trapLogFromHere();
  const { sink } = sinkWith([dest({ rate_limit: { per_second: 0.01, burst: 2, summary_interval: '100ms' } })]);
  await sink.start(); // the startup resync bypasses the limit
  const entity = `host=itest-${randomUUID().slice(0, 8)}`;
  const storm = Array.from({ length: 6 }, (_, i) => alarm({ entity_instance_id: `${entity}.port=p${i}`, severity: i === 4 ? 'critical' : 'minor' }));
  await sink.write(envelopes(storm.map((a) => transition('raised', a))));
  const summary = await first(log, (e) => e.trapOid === oids.notification('stormSummary'));
  assert.equal(summary.varbinds.slice(2).map((v) => v.value), ['4', '3', '6', '4']); // 4 held, events 3..6, critical
  assert.is((await log.waitFor(entity, 2)).length, 2); // the burst went through
  await sink.stop();
  received.push(summary);
});

test('a full queue drops the oldest notifications and the storm summary counts them', async () => {
  const log = trapLogFromHere();
  const { sink, id } = sinkWith([dest({ mode: 'inform', queue_size: 3, inform: { max_in_flight: 1 }, rate_limit: { summary_interval: '100ms' } })]);
  await sink.start();
  await waitFor('the startup resync acknowledged', async () => ((await counted('acknowledged', id)) >= 1 ? true : undefined));
  const entity = `host=itest-${randomUUID().slice(0, 8)}`;
  const raises = Array.from({ length: 10 }, (_, i) => transition('raised', alarm({ entity_instance_id: `${entity}.port=p${i}` })));
  // Event 1 goes in flight; 2..10 queue behind it in a queue of 3, so 2..7 are dropped, oldest first.
  await sink.write(envelopes(raises));
  const summary = await first(log, (e) => e.trapOid === oids.notification('stormSummary'));
  assert.equal(summary.varbinds.slice(2).map((v) => v.value), ['6', '2', '7', '3']);
  const hits = await log.waitFor(entity, 4);
  assert.equal(hits.map((h) => h.varbinds.find((v) => v.value.includes(entity))!.oid.split('.').at(-1)), ['1', '8', '9', '10']);
  await sink.stop();
});

test('v3 traps with SHA-1 auth (older managers) are logged too', async () => {
  const log = trapLogFromHere();
  const { sink } = sinkWith([dest({ version: 'v3', engine_id: DEV_SNMP.engineId, user: v3user(DEV_SNMP.sha1User) })]);
  await sink.start();
  const a = alarm({ severity: 'critical' });
  await sink.write(envelopes([transition('raised', a)]));
  const [hit] = await log.waitFor(a.entity_instance_id);
  assert.is(hit!.trapOid, oids.notification('critical'));
  await sink.stop();
  received.push(hit!);
});

test('v3 informs written after the manager\'s engine was discovered are acknowledged too', async () => {
  const log = trapLogFromHere();
  const { sink, id } = sinkWith([dest({ version: 'v3', mode: 'inform', user: v3user(DEV_SNMP.sha256User) })]);
  await sink.start();
  const a = alarm({ severity: 'minor' });
  await sink.write(envelopes([transition('raised', a)]));
  await log.waitFor(a.uuid, 1);
  // Later informs go out on the engine discovered by the first ones (net-snmp once sent those to port 161).
  await sink.write(envelopes([transition('updated', { ...a, severity: 'major' })]));
  await sink.write(envelopes([transition('cleared', { ...a, state: 'cleared' })]));
  const hits = await log.waitFor(a.uuid, 3);
  assert.equal(hits.map((h) => h.trapOid), [oids.notification('minor'), oids.notification('major'), oids.notification('clear')]);
  await sink.stop(); // drains: every inform answered
  assert.is(await counted('acknowledged', id), 4); // the startup resync, the raise, the update and the clear
  assert.is(await counted('failed', id), 0);
  received.push(...hits);
});

test('wrong v3 keys are refused: the inform is never acknowledged and the trap never logged', async () => {
  const log = trapLogFromHere();
  const wrongInform = sinkWith([dest({ version: 'v3', mode: 'inform', inform: { retries: 0, timeout: '500ms' }, user: v3user(DEV_SNMP.sha256User, { auth_key: 'not-the-auth-key' }) })]);
  const wrongTrap = sinkWith([dest({ version: 'v3', engine_id: DEV_SNMP.engineId, user: v3user(DEV_SNMP.sha1User, { priv_key: 'not-the-priv-key' }) })]);
  const good = sinkWith([dest({})]);
  for (const s of [wrongInform, wrongTrap, good]) await s.sink.start();
  const refused = alarm();
  await wrongInform.sink.write(envelopes([transition('raised', refused)]));
  await wrongTrap.sink.write(envelopes([transition('raised', refused)]));
  await wrongInform.sink.stop();
  await wrongTrap.sink.stop();
  assert.is(await counted('acknowledged', wrongInform.id), 0);
  assert.is(await counted('failed', wrongInform.id), 2); // the resync and the raise
  // snmptrapd handles datagrams in order: once a later good trap is logged, the refused ones would be too.
  const later = alarm();
  await good.sink.write(envelopes([transition('raised', later)]));
  await log.waitFor(later.uuid);
  assert.is(log.read().filter((e) => e.varbinds.some((v) => v.value.includes(refused.uuid))).length, 0);
  await good.sink.stop();
});

test('every OID in the received notifications translates with snmptranslate against the shipped MIB', async () => {
  assert.ok(received.length >= 12, `collected ${received.length} notifications`);
  const all = new Set<string>();
  for (const e of received) {
    all.add(e.trapOid);
    for (const v of e.varbinds) all.add(v.oid.replace(/^\./, ''));
  }
  const env = snmpToolsEnv([MIB_DIR, baseMibDir()], 'FAULTLINE-ALARM-MIB:SNMPv2-MIB');
  const { stdout, stderr } = await run('snmptranslate', [...all], { env });
  assert.is(stderr.split('\n').filter((l) => l && !l.startsWith('Created directory')).join('\n'), '');
  const names = stdout.split('\n').filter(Boolean); // it separates its answers with blank lines
  assert.is(names.length, all.size);
  for (const n of names) assert.match(n, /^(FAULTLINE-ALARM-MIB|SNMPv2-MIB)::[a-zA-Z]+(\.\d+)?$/, n);
  for (const n of ['fltAlarmCritical', 'fltAlarmMajor', 'fltAlarmMinor', 'fltAlarmWarning', 'fltAlarmMessage', 'fltAlarmClear',
    'fltAlarmHierarchicalClear', 'fltAlarmStormSummary', 'fltAlarmResync', 'fltEventAlarmUuid', 'fltStormHeldCount']) {
    assert.ok(names.some((x) => x === `FAULTLINE-ALARM-MIB::${n}` || x.startsWith(`FAULTLINE-ALARM-MIB::${n}.`)), n);
  }
});

test.run();
