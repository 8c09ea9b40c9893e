import { parseDuration } from '@faultline/runtime';
import { retryDelay, sleep } from './backoff.js';
import type { WebhookActionConfig } from './config.js';
import { actionPayload } from './payload.js';
import { IDEMPOTENCY_HEADER, SIGNATURE_HEADER, STEP_HEADER, TIMESTAMP_HEADER, signPayload } from './signature.js';
import type { Action, ActionOutcome, ActionRequest } from './types.js';

const MAX_RESPONSE_CHARS = 4096;

type Attempt = { kind: 'status'; status: number; body: string } | { kind: 'timeout' } | { kind: 'error'; message: string };

/**
 * POSTs the payload; retries 5xx, timeouts and connection errors with backoff, never a 4xx. Every attempt
 * is signed afresh (new timestamp) and carries the transition uuid as Idempotency-Key, so a receiver can
 * tell our retry (same key, new timestamp) from a replay of a captured request (same timestamp).
 */
export function createWebhookAction(config: WebhookActionConfig, secret: string, now: () => number = Date.now): Action {
  const attemptTimeout = parseDuration(config.attempt_timeout);
  const firstBackoff = parseDuration(config.backoff);
  const maxBackoff = parseDuration(config.max_backoff);

  async function attempt(body: string, key: string, step: string, signal: AbortSignal): Promise<Attempt> {
    const ts = now();
    const timeout = AbortSignal.timeout(attemptTimeout);
    try {
      const res = await fetch(config.url, {
        method: 'POST',
        headers: {
          ...config.headers,
          'content-type': 'application/json',
          [IDEMPOTENCY_HEADER]: key,
          [STEP_HEADER]: step,
          [TIMESTAMP_HEADER]: String(ts),
          [SIGNATURE_HEADER]: signPayload(secret, ts, body),
        },
        body,
        signal: AbortSignal.any([signal, timeout]),
        redirect: 'manual',
      });
      const text = (await res.text()).slice(0, MAX_RESPONSE_CHARS);
      return { kind: 'status', status: res.status, body: text };
    } catch (err) {
      if (timeout.aborted && !signal.aborted) return { kind: 'timeout' };
      return { kind: 'error', message: signal.aborted ? 'aborted' : (err as Error & { cause?: Error }).cause?.message ?? (err as Error).message };
    }
  }

  return {
    type: 'webhook',
    describe: () => `POST ${config.url}`,
    async run(req: ActionRequest, signal: AbortSignal): Promise<ActionOutcome> {
      const body = actionPayload(req, now());
      let last: Attempt = { kind: 'error', message: 'not sent' };
      let sent = 0;
      while (sent <= config.retries && !signal.aborted) {
        if (sent > 0) await sleep(retryDelay(sent, firstBackoff, maxBackoff), signal);
        if (signal.aborted) break;
        last = await attempt(body, req.transition.uuid, `${req.rule}/${req.step}`, signal);
        sent++;
        if (last.kind === 'status' && last.status < 500) break; // success, or a 4xx that a retry cannot fix
      }
      const attempts = String(sent);
      const details = { url: config.url, attempts };
      if (last.kind === 'status') {
        const ok = last.status >= 200 && last.status < 300;
        return { ok, reason: `HTTP ${last.status} after ${attempts} attempt(s)`, output: last.body, details: { ...details, status: String(last.status) } };
      }
      if (signal.aborted) return { ok: false, reason: `step timed out or was stopped after ${attempts} attempt(s)`, details };
      return { ok: false, reason: last.kind === 'timeout' ? `no answer within ${config.attempt_timeout} after ${attempts} attempt(s)` : `${last.message} after ${attempts} attempt(s)`, details };
    },
  };
}
