import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Ajv } from 'ajv';
import type { FaultEvent } from '@faultline/schemas';
import { TOKEN, faultEnvelope, startWithApi } from './api-helpers.js';

const { c, url, emitted, stop } = await startWithApi();
await c.onAssign!([{ topic: 'faults', partition: 0 }], async function* () {});
const now = Date.now();
const set = (alarm_id: string, entity: string, extra: Partial<FaultEvent> = {}): FaultEvent =>
  ({ op: 'set', alarm_id, entity_instance_id: entity, ts: now, ...extra });
await c.handle([
  faultEnvelope(set('700.110', 'host=c0.interface=eth0')),
  faultEnvelope(set('700.105', 'host=c0.filesystem=/var', { severity: 'major', ts: now - 1000 })),
  faultEnvelope(set('700.120', 'host=c1.sensor=k10temp/Tctl')),
  faultEnvelope({ op: 'log', alarm_id: '710.002', entity_instance_id: 'host=c1', ts: now, reason_text: 'rebooted' }),
], () => {});

/** Every request the tests make, to compare with the OpenAPI document at the end. */
const exercised = new Map<string, { status: number; body: unknown }[]>();
async function call(method: string, route: string, path: string, opts: { body?: unknown; token?: string | null } = {}) {
  const headers: Record<string, string> = {};
  if (opts.token !== null) headers.authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(url + path, { method, headers, ...(opts.body !== undefined && { body: JSON.stringify(opts.body) }) });
  const text = await res.text();
  const body: unknown = res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
  const k = `${method} ${route}`;
  exercised.set(k, [...(exercised.get(k) ?? []), { status: res.status, body }]);
  return { status: res.status, body: body as any };
}

test('401 without a token or with a wrong one; probes and the document need none', async () => {
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms', { token: null })).status, 401);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms', { token: 'wrong-token-but-long-enough' })).status, 401);
  assert.is((await call('GET', '/healthz', '/healthz', { token: null })).status, 200);
});

test('/readyz says why it is not ready until the correlator was assigned its partitions and restored them', async () => {
  const fresh = await startWithApi();
  try {
    const before = await fetch(`${fresh.url}/readyz`);
    assert.is(before.status, 503);
    assert.equal(await before.json(), { status: 'not ready', reason: 'waiting for a partition assignment from the consumer group' });
    await fresh.c.onAssign!([{ topic: 'faults', partition: 0 }], async function* () {});
    assert.equal(await (await fetch(`${fresh.url}/readyz`)).json(), { status: 'ready' });
  } finally {
    await fresh.stop();
  }
  assert.equal((await call('GET', '/readyz', '/readyz', { token: null })).body, { status: 'ready' });
});

test('GET /v1/alarms filters by id, entity prefix, severity, type and state, worst first, paged', async () => {
  const all = await call('GET', '/v1/alarms', '/v1/alarms');
  assert.is(all.status, 200);
  assert.is(all.body.total, 3);
  assert.equal(all.body.items.map((a: any) => a.alarm.alarm_id), ['700.120', '700.110', '700.105']); // critical first, then newest
  const c0 = await call('GET', '/v1/alarms', '/v1/alarms?entity=host%3Dc0');
  assert.equal(c0.body.items.map((a: any) => a.alarm.entity_instance_id).sort(), ['host=c0.filesystem=/var', 'host=c0.interface=eth0']);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?severity=critical')).body.total, 1);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?alarm_id=700.110')).body.total, 1);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?alarm_type=communication')).body.items[0].alarm.alarm_id, '700.110');
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?state=notifiable')).body.total, 3);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?scope=member')).body.total, 3, 'a lone member owns everything');
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?scope=everyone')).body.field, 'querystring.scope');
  const page = await call('GET', '/v1/alarms', '/v1/alarms?limit=2&offset=2');
  assert.equal([page.body.total, page.body.items.length, page.body.items[0].alarm.alarm_id], [3, 1, '700.105']);
});

test('400 names the field at fault', async () => {
  const bad = await call('GET', '/v1/alarms', '/v1/alarms?severity=huge');
  assert.is(bad.status, 400);
  assert.is(bad.body.field, 'querystring.severity');
  assert.match(bad.body.message, /querystring\.severity/);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?limit=100000')).body.field, 'querystring.limit');
  const noEntity = await call('POST', '/v1/faults', '/v1/faults', { body: { op: 'set', alarm_id: '700.110' } });
  assert.equal([noEntity.status, noEntity.body.field], [400, 'body.entity_instance_id']);
  const badId = await call('POST', '/v1/faults', '/v1/faults', { body: { op: 'set', alarm_id: '7001', entity_instance_id: 'host=c9' } });
  assert.equal([badId.status, badId.body.field], [400, 'body.alarm_id']);
  const noId = await call('POST', '/v1/faults', '/v1/faults', { body: { op: 'clear', entity_instance_id: 'host=c9' } });
  assert.equal([noId.status, noId.body.field], [400, 'body.alarm_id']);
  const extra = await call('POST', '/v1/silences', '/v1/silences', { body: { matchers: { host: 'c0' }, duration: '1h', colour: 'red' } });
  assert.equal([extra.status, extra.body.field], [400, 'body.colour']);
});

test('GET /v1/alarms/{uuid} and the summary', async () => {
  const first = (await call('GET', '/v1/alarms', '/v1/alarms?severity=critical')).body.items[0];
  const one = await call('GET', '/v1/alarms/{uuid}', `/v1/alarms/${first.alarm.uuid}`);
  assert.equal(one.body, first);
  assert.is((await call('GET', '/v1/alarms/{uuid}', '/v1/alarms/00000000-0000-4000-8000-000000000000')).status, 404);
  const s = await call('GET', '/v1/alarms/summary', '/v1/alarms/summary');
  assert.equal([s.body.status, s.body.total, s.body.by_severity], ['critical', 3, { critical: 1, major: 2, minor: 0, warning: 0 }]);
});

test('POST /v1/faults publishes to the faults topic with a uuid and the server time', async () => {
  const r = await call('POST', '/v1/faults', '/v1/faults', { body: { op: 'clear', alarm_id: '700.110', entity_instance_id: 'host=c0' } });
  assert.is(r.status, 202);
  const sent = emitted.filter((e) => e.topic === 'faults').at(-1)!.value as FaultEvent;
  assert.equal([sent.op, sent.uuid, sent.source], ['clear', r.body.uuid, 'api']);
  assert.ok(sent.ts >= now);
});

test('silences: create hides matching alarms from notification, list, expire brings them back', async () => {
  const created = await call('POST', '/v1/silences', '/v1/silences', { body: { matchers: { host: 'c0' }, duration: '1h', comment: 'maintenance' } });
  assert.is(created.status, 201);
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?state=silenced')).body.total, 2);
  assert.is((await call('GET', '/v1/alarms/summary', '/v1/alarms/summary')).body.silenced, 2);
  const list = await call('GET', '/v1/silences', '/v1/silences');
  assert.equal(list.body.items.map((s: any) => s.id), [created.body.id]);
  const op = emitted.filter((e) => e.topic === 'correlator.state' && e.key === '*').at(-1)!.value as any;
  assert.equal(op.state.silences.map((s: any) => s.id), [created.body.id], 'the operator record is persisted');
  const expired = await call('DELETE', '/v1/silences/{id}', `/v1/silences/${created.body.id}`);
  assert.is(expired.status, 200);
  assert.ok(expired.body.ends_at <= Date.now());
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?state=silenced')).body.total, 0);
  assert.is((await call('DELETE', '/v1/silences/{id}', '/v1/silences/nope')).status, 404);
  assert.is((await call('POST', '/v1/silences', '/v1/silences', { body: { matchers: { host: 'c0' } } })).body.field, 'body.duration');
});

test('suppression per alarm id', async () => {
  assert.equal((await call('PUT', '/v1/suppressions/{alarm_id}', '/v1/suppressions/700.105')).body, { alarm_ids: ['700.105'] });
  assert.equal((await call('GET', '/v1/suppressions', '/v1/suppressions')).body, { alarm_ids: ['700.105'] });
  assert.is((await call('GET', '/v1/alarms', '/v1/alarms?state=suppressed')).body.total, 1);
  assert.equal((await call('DELETE', '/v1/suppressions/{alarm_id}', '/v1/suppressions/700.105')).body, { alarm_ids: [] });
  assert.is((await call('PUT', '/v1/suppressions/{alarm_id}', '/v1/suppressions/x')).status, 400);
});

test('events, catalog and metrics', async () => {
  const logs = await call('GET', '/v1/events', `/v1/events?type=log&from=${now}`);
  assert.equal(logs.body.items.map((e: any) => e.log.log_id), ['710.002']);
  const alarms = await call('GET', '/v1/events', '/v1/events?type=alarm&limit=1000');
  assert.ok(alarms.body.items.length >= 3);
  assert.is((await call('GET', '/v1/events', `/v1/events?to=${now - 2000}`)).body.items.length, 0);
  const cat = await call('GET', '/v1/catalog', '/v1/catalog');
  assert.ok(cat.body.items.some((e: any) => e.id === '710.001'));
  const m = await call('GET', '/metrics', '/metrics', { token: null });
  assert.match(m.body, /faultline_alarms_active \d+/);
  assert.match(m.body, /faultline_api_requests_total\{route="\/v1\/alarms",status="200"\}/);
});

test('every route is in the OpenAPI document, and every response matches its documented schema', async () => {
  const doc = (await call('GET', '/openapi.json', '/openapi.json', { token: null })).body;
  exercised.delete('GET /openapi.json');
  const ajv = new Ajv({ strict: false });
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(ops)) {
      const key = `${method.toUpperCase()} ${path}`;
      documented.add(key);
      if (path.startsWith('/v1')) assert.equal(op.security, [{ bearer: [] }], `${key} documents its bearer auth`);
      for (const { status, body } of exercised.get(key) ?? []) {
        const content = op.responses[String(status)]?.content;
        assert.ok(content, `${key} documents status ${status}`);
        const schema = (content['application/json'] ?? content['text/plain'])?.schema;
        assert.ok(schema, `${key} ${status} has a schema`);
        const check = ajv.compile(schema);
        assert.ok(check(body), `${key} ${status}: ${ajv.errorsText(check.errors)}`);
      }
    }
  }
  assert.equal([...exercised.keys()].filter((k) => !documented.has(k)), [], 'every exercised route is documented');
  assert.equal([...documented].filter((k) => !exercised.has(k)), [], 'every documented route is exercised');
});

test.after(stop);
test.run();
