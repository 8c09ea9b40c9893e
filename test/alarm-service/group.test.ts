// Two correlator processes in one consumer group on a private Kafka broker (the shared broker's topics have one
// partition, so two members could not split them): each member's API serves the whole system, operator actions
// taken on one member reach the other live, /readyz waits for the assignment and says why, and hosts silent on
// different members add up to one multi-node failure (710.010). docs/alarm-api.md.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TOPICS, decode, type ActiveAlarm, type AlarmTransition, type FaultEvent, type Heartbeat } from '@faultline/schemas';
import { toOutbound } from '@faultline/runtime';
import { waitFor } from '../support/index.js';
import { CorrelatorProcess, committedTransitions, privateKafka } from '../support/alarm-service.js';

const kafka = await privateKafka();
const dir = mkdtempSync(join(tmpdir(), 'fl-group-'));
const prefix = `g${randomBytes(3).toString('hex')}`;
process.stdout.write(`  private broker ${kafka.brokers[0]} (${kafka.devDir}), work dir ${dir}\n`);
// Generous for a shared, busy 2-core machine: a host is degraded after 3 s without a pulse, failing after 5 s.
const PERIOD_MS = 1000;
const HEARTBEAT = ['heartbeat:', '  degrade_after: 3', '  fail_after: 5', '  recover_after: 2', '  multi_node_window: 5s', '  multi_node_min: 2'];
const a = await CorrelatorProcess.create('corr-a', dir, kafka.brokers, 'correlator', HEARTBEAT);
const b = await CorrelatorProcess.create('corr-b', dir, kafka.brokers, 'correlator', HEARTBEAT);
const hosts = Array.from({ length: 10 }, (_, i) => `${prefix}-h${i}`);
const silent = new Set<string>();
const producer = kafka.bus.producer();
let pulsing = true;

test.after(async () => {
  pulsing = false;
  await a.stop().catch(() => {});
  await b.stop().catch(() => {});
  await producer.close().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

const mine = (x: ActiveAlarm) => x.alarm.entity_instance_id.startsWith(`host=${prefix}-`);
/** The test's 700.110 alarms (a busy machine may add a heartbeat alarm for a host now and then). */
const ours = async (c: CorrelatorProcess) => (await c.alarms()).filter((x) => mine(x) && x.alarm.alarm_id === '700.110');
/** True once every one of the test's alarms on `c` passes `ok`; else throws what is still off (waitFor reports it). */
async function everyAlarm(c: CorrelatorProcess, ok: (x: ActiveAlarm) => boolean): Promise<true> {
  const xs = await ours(c);
  const off = xs.filter((x) => !ok(x));
  if (xs.length === hosts.length && !off.length) return true;
  throw new Error(`${c.name}: ${xs.length} alarms, off: ${off.map((x) => `${x.alarm.entity_instance_id} seq ${x.seq}`).join(', ')}`);
}
const keysOf = (xs: ActiveAlarm[]) => xs.map((x) => `${x.alarm.alarm_id}|${x.alarm.entity_instance_id}`).sort();
const both = async <T>(what: string, probe: (c: CorrelatorProcess) => Promise<T | undefined>) =>
  waitFor(what, async () => {
    const [x, y] = await Promise.all([probe(a), probe(b)]);
    return x !== undefined && y !== undefined ? [x, y] as const : undefined;
  }, 60_000, 250);

/** The input partition of every host, from the hosts' records in correlator.state. */
async function partitionsOfHosts(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const r of kafka.bus.readAll('correlator.state')) {
    if (!r.value || !r.key?.startsWith(`${prefix}-`)) continue;
    const d = decode(TOPICS['correlator.state'].schema, r.headers, r.value);
    if (d.ok) out.set(d.value.node, d.value.partition);
  }
  return out;
}

async function pulse() {
  const boot = randomBytes(4).toString('hex');
  for (let seq = 0; pulsing; seq++) {
    const hbs: Heartbeat[] = hosts.filter((h) => !silent.has(h)).map((node) => ({ node, boot_id: boot, seq, ts: Date.now(), period_ms: PERIOD_MS }));
    await producer.send(hbs.map((hb) => toOutbound('heartbeats', hb))).catch(() => {});
    await new Promise((r) => setTimeout(r, PERIOD_MS));
  }
}

test('/readyz answers 503 with the reason until the member was assigned its partitions and restored them', async () => {
  a.start();
  b.start();
  const [ra, rb] = await Promise.all([a.readyReasons(), b.readyReasons()]);
  process.stdout.write(`  not-ready reasons seen: a ${[...new Set(ra)].join(' / ')}; b ${[...new Set(rb)].join(' / ')}\n`);
  for (const reasons of [ra, rb]) {
    assert.ok(reasons.includes('waiting for a partition assignment from the consumer group'), 'ready only after the group assigned partitions');
    for (const r of reasons) assert.match(r, /^(not started|reading the group's|waiting for a partition assignment|restoring the state)/);
  }
});

test('each member\'s API shows the alarms and events of the whole group, whichever member owns them', async () => {
  void pulse();
  const faults: FaultEvent[] = hosts.map((h) => ({ op: 'set', alarm_id: '700.110', entity_instance_id: `host=${h}.interface=eth0`, ts: Date.now() }));
  await producer.send(faults.map((f) => toOutbound('faults', f)));
  const want = faults.map((f) => `700.110|${f.entity_instance_id}`).sort();
  const [fromA, fromB] = await both('every alarm on both members', async (c) => {
    const xs = await ours(c);
    return xs.length === hosts.length ? xs : undefined;
  });
  assert.equal(keysOf(fromA), want);
  assert.equal(keysOf(fromB), want);
  const parts = await waitFor('every host in correlator.state', async () => {
    const p = await partitionsOfHosts();
    return p.size === hosts.length ? p : undefined;
  });
  const parities = new Set([...parts.values()].map((p) => p % 2));
  assert.equal([...parities].sort(), [0, 1], 'the hosts are split over both members (partitions of both parities)');
  // What each engine owns: disjoint, and together the whole.
  const owned = async (c: CorrelatorProcess) => keysOf((await c.alarms('member')).filter((x) => mine(x) && x.alarm.alarm_id === '700.110'));
  const [ownedA, ownedB] = await Promise.all([owned(a), owned(b)]);
  assert.ok(ownedA.length > 0 && ownedB.length > 0, `each member owns some: ${ownedA.length} + ${ownedB.length}`);
  assert.equal([...ownedA, ...ownedB].sort(), want, 'no alarm owned twice, none unowned');
  // One alarm, fetched by uuid from either member.
  const one = fromA[0]!;
  assert.is((await b.api<ActiveAlarm>('GET', `/v1/alarms/${one.alarm.uuid}`)).alarm.uuid, one.alarm.uuid);
  const summary = await b.api<{ total: number }>('GET', '/v1/alarms/summary');
  assert.ok(summary.total >= hosts.length);
  const raisedOn = async (c: CorrelatorProcess) => {
    const ev = await c.api<{ items: { type: string; transition?: AlarmTransition }[] }>('GET', '/v1/events?type=alarm&limit=1000');
    const raised = ev.items.filter((e) => e.transition?.kind === 'raised' && e.transition.alarm.alarm_id === '700.110'
      && e.transition.alarm.entity_instance_id.startsWith(`host=${prefix}-`));
    return raised.length >= hosts.length ? raised.length : undefined;
  };
  assert.equal(await both('the raises in both event logs', raisedOn), [hosts.length, hosts.length]);
});

test('a silence made on one member and expired on the other applies to every member\'s alarms, live', async () => {
  const s = await a.api<{ id: string }>('POST', '/v1/silences', { matchers: { alarm_id: '700.110' }, duration: '10m', comment: 'group test' });
  await both('the silence on every alarm, in both views', (c) => everyAlarm(c, (x) => x.alarm.silenced_by.includes(s.id)));
  const listed = await b.api<{ items: { id: string }[] }>('GET', '/v1/silences');
  assert.ok(listed.items.some((x) => x.id === s.id), 'the other member lists it');
  await b.api('DELETE', `/v1/silences/${s.id}`);
  await both('no alarm silenced any more', (c) => everyAlarm(c, (x) => x.alarm.silenced_by.length === 0));
});

test('a suppression made on one member and lifted on the other applies to every member\'s alarms, live', async () => {
  await b.api('PUT', '/v1/suppressions/700.110');
  await both('every 700.110 suppressed, in both views', (c) => everyAlarm(c, (x) => x.alarm.suppressed));
  assert.ok((await a.api<{ alarm_ids: string[] }>('GET', '/v1/suppressions')).alarm_ids.includes('700.110'));
  await a.api('DELETE', '/v1/suppressions/700.110');
  await both('no alarm suppressed any more', (c) => everyAlarm(c, (x) => !x.alarm.suppressed));
  assert.not.ok((await b.api<{ alarm_ids: string[] }>('GET', '/v1/suppressions')).alarm_ids.includes('700.110'));
});

test('two hosts owned by different members go silent together: one 710.010 naming both, no lone host failure', async () => {
  const parts = await partitionsOfHosts();
  const even = hosts.find((h) => parts.get(h)! % 2 === 0)!;
  const odd = hosts.find((h) => parts.get(h)! % 2 === 1)!;
  silent.add(even);
  silent.add(odd);
  const [multiA, multiB] = await both('710.010 naming both hosts on both members', async (c) => {
    const m = (await c.alarms()).find((x) => x.alarm.alarm_id === '710.010');
    const named = m?.alarm.labels.hosts?.split(',') ?? [];
    return named.includes(even) && named.includes(odd) ? m : undefined;
  });
  assert.is(multiA.alarm.uuid, multiB.alarm.uuid, 'one alarm, raised by one member');
  assert.is(multiA.alarm.severity, 'critical');
  const hostAlarms = (await a.alarms()).filter((x) => x.alarm.alarm_id === '710.001' && silent.has(x.alarm.entity_instance_id.slice(5)));
  assert.is(hostAlarms.length, 2);
  for (const h of hostAlarms) {
    assert.is(h.alarm.severity, 'major', `${h.alarm.entity_instance_id}: degraded, not failed on its own`);
    assert.is(h.alarm.labels.remediation_hold, 'true');
  }
  silent.clear();
  await both('710.010 and both hosts\' 710.001 cleared', async (c) => {
    const xs = await c.alarms();
    return xs.some((x) => x.alarm.alarm_id === '710.010' || (x.alarm.alarm_id === '710.001' && mine(x))) ? undefined : true;
  });
  const transitions = await committedTransitions(kafka.bus, prefix);
  const lone = transitions.filter((t) => t.kind !== 'cleared_all' && t.alarm.alarm_id === '710.001' && t.alarm.severity === 'critical'
    && [`host=${even}`, `host=${odd}`].includes(t.alarm.entity_instance_id));
  assert.equal(lone, [], 'no host was declared failed on its own');
});

test('a member restarted while a silence is in force serves it, and the whole group\'s alarms, as soon as it is ready', async () => {
  const s = await a.api<{ id: string }>('POST', '/v1/silences', { matchers: { alarm_id: '700.110' }, duration: '10m', comment: 'restart test' });
  await both('the silence on every alarm, in both views', (c) => everyAlarm(c, (x) => x.alarm.silenced_by.includes(s.id)));
  await b.stop();
  b.start();
  await b.ready();
  // No waiting: ready means the view and the operator state were read up to their end.
  assert.ok((await b.api<{ items: { id: string }[] }>('GET', '/v1/silences')).items.some((x) => x.id === s.id), 'the silence, at once');
  assert.is(await everyAlarm(b, (x) => x.alarm.silenced_by.includes(s.id)), true, 'every alarm, silenced, at once');
  await b.api('DELETE', `/v1/silences/${s.id}`);
  await both('no alarm silenced any more', (c) => everyAlarm(c, (x) => x.alarm.silenced_by.length === 0));
});

test('POST /v1/faults on either member reaches the owner of the host (the faults topic is keyed by host)', async () => {
  for (const [i, h] of hosts.entries()) {
    await (i % 2 ? a : b).api('POST', '/v1/faults', { op: 'clear', alarm_id: '700.110', entity_instance_id: `host=${h}.interface=eth0` });
  }
  await both('no 700.110 left in either view', async (c) => ((await ours(c)).some((x) => x.alarm.alarm_id === '700.110') ? undefined : true));
});

test.run();
