// The webhook action against a real HTTP receiver on loopback that checks signatures, timestamps and
// idempotency keys the way a user's receiver would (its own HMAC code, not ours).
import { randomUUID } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRemediator, createWebhookAction, type ActionRequest } from '@faultline/processor-remediator';
import { alarm, context, envelope, remediatorConfig, transition } from '../support/remediation.js';
import { startReceiver } from '../support/webhook-receiver.js';

const SECRET = 'webhook-secret-for-tests';
const request = (): ActionRequest => {
  const a = alarm();
  return { requestUuid: randomUUID(), transition: transition('raised', a), alarm: a, rule: 'r', step: 0, stepName: 'notify', target: 'compute-0' };
};
const hook = (url: string, over: Record<string, unknown> = {}) => ({
  type: 'webhook' as const, url, secret_env: 'HOOK_SECRET', attempt_timeout: '2s', retries: 3, backoff: '20ms', max_backoff: '100ms', headers: {}, ...over,
});
const run = (a: ReturnType<typeof createWebhookAction>, req: ActionRequest) => a.run(req, new AbortController().signal);

test('through the remediator: a signed POST whose Idempotency-Key is the transition uuid; the body is the documented payload', async () => {
  const rx = await startReceiver({ secret: SECRET });
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, remediatorConfig({ rules: [{ name: 'notify', match: { alarm_id: ['700.*'] }, steps: [{ action: hook(rx.url) }] }] }), { env: { HOOK_SECRET: SECRET } });
  await r.start();
  const t = transition('raised', alarm());
  await r.handle([envelope(t)], emit);
  for (let i = 0; i < 200 && !results.some((x) => x.outcome === 'executed'); i++) await new Promise((res) => setTimeout(res, 20));
  await r.stop();
  assert.is(rx.received.length, 1);
  const got = rx.received[0]!;
  assert.is(got.verdict, 'accepted');
  assert.is(got.key, t.uuid);
  assert.is(got.step, 'notify/0');
  const body = JSON.parse(got.body);
  assert.equal([body.version, body.transition_uuid, body.rule, body.step, body.target, body.alarm.uuid], ['1', t.uuid, 'notify', 0, 'compute-0', t.alarm.uuid]);
  const executed = results.find((x) => x.outcome === 'executed')!;
  assert.is(executed.request_uuid, body.request_uuid);
  assert.match(executed.reason, /HTTP 200/);
  await rx.close();
});

test('a captured request replayed verbatim is refused; a tampered body is refused', async () => {
  const rx = await startReceiver({ secret: SECRET });
  const outcome = await run(createWebhookAction(hook(rx.url), SECRET), request());
  assert.ok(outcome.ok);
  const first = rx.received[0]!;
  const resend = (body: string) => fetch(rx.url, {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', 'idempotency-key': first.key!, 'x-faultline-timestamp': first.timestamp!, 'x-faultline-signature': first.signature! },
  });
  assert.is((await resend(first.body)).status, 409);
  assert.is(rx.received[1]!.verdict, 'replayed');
  assert.is((await resend(first.body.replace('compute-0', 'compute-1'))).status, 401);
  assert.is(rx.received[2]!.verdict, 'bad_signature');
  assert.is(rx.acted.size, 1);
  await rx.close();
});

test('5xx is retried with the same Idempotency-Key and a fresh signature each time', async () => {
  const rx = await startReceiver({ secret: SECRET, script: [503, 502] });
  const req = request();
  const outcome = await run(createWebhookAction(hook(rx.url), SECRET), req);
  assert.ok(outcome.ok, outcome.reason);
  assert.equal(rx.received.map((x) => x.status), [503, 502, 200]);
  assert.ok(rx.received.every((x) => x.key === req.transition.uuid));
  assert.is(new Set(rx.received.map((x) => x.signature)).size, 3);
  assert.is(new Set(rx.received.map((x) => x.body)).size, 1);
  assert.is(outcome.details?.attempts, '3');
  await rx.close();
});

test('4xx is never retried', async () => {
  const rx = await startReceiver({ secret: SECRET, script: [422] });
  const outcome = await run(createWebhookAction(hook(rx.url), SECRET), request());
  assert.not.ok(outcome.ok);
  assert.is(rx.received.length, 1);
  assert.match(outcome.reason, /HTTP 422 after 1 attempt/);
  await rx.close();
});

test('a timeout is retried; a wrong secret is refused by the receiver and not retried', async () => {
  const rx = await startReceiver({ secret: SECRET, script: ['hang'] });
  const outcome = await run(createWebhookAction(hook(rx.url, { attempt_timeout: '200ms' }), SECRET), request());
  assert.ok(outcome.ok, outcome.reason);
  assert.is(rx.received.length, 2);
  const wrong = await run(createWebhookAction(hook(rx.url), 'not-the-secret'), request());
  assert.not.ok(wrong.ok);
  assert.is(rx.received.at(-1)!.verdict, 'bad_signature');
  assert.is(rx.received.length, 3);
  await rx.close();
});

test('retries stop at the limit; 5xx to the end is a failure', async () => {
  const rx = await startReceiver({ secret: SECRET, script: [500, 500, 500] });
  const outcome = await run(createWebhookAction(hook(rx.url, { retries: 2 }), SECRET), request());
  assert.not.ok(outcome.ok);
  assert.is(rx.received.length, 3);
  assert.match(outcome.reason, /HTTP 500 after 3 attempt/);
  await rx.close();
});

test('two steps of one plan posting to the same receiver: same Idempotency-Key, different step, both acted on', async () => {
  const rx = await startReceiver({ secret: SECRET });
  const { ctx, results, emit } = context();
  const steps = [{ action: hook(rx.url), verify_within: '20ms' }, { action: hook(rx.url), verify_within: '20ms' }];
  const r = createRemediator(ctx, remediatorConfig({ rules: [{ name: 'twice', match: { alarm_id: ['700.*'] }, steps }] }), { env: { HOOK_SECRET: SECRET } });
  await r.start();
  const t = transition('raised', alarm());
  await r.handle([envelope(t)], emit);
  for (let i = 0; i < 200 && results.filter((x) => x.outcome === 'unverified').length < 2; i++) await new Promise((res) => setTimeout(res, 20));
  await r.stop();
  assert.equal(rx.received.map((x) => [x.key, x.step, x.verdict]), [[t.uuid, 'twice/0', 'accepted'], [t.uuid, 'twice/1', 'accepted']]);
  await rx.close();
});

test.run();
