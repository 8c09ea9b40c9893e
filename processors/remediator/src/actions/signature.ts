import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-faultline-signature';
export const TIMESTAMP_HEADER = 'x-faultline-timestamp';
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** `<rule>/<step>`: with the Idempotency-Key, what a receiver deduplicates on (one transition may post several steps). */
export const STEP_HEADER = 'x-faultline-step';

/**
 * `v1=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`), timestamp in epoch milliseconds. Signing the
 * timestamp with the body lets a receiver refuse old (replayed) requests without trusting an unsigned header.
 */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'missing' | 'bad_signature' | 'too_old' };

/** What a receiver does (reference implementation for our users; tests check their own copy). */
export function verifySignature(secret: string, signature: string | undefined, timestamp: string | undefined, body: string, now: number, toleranceMs = 300_000): VerifyResult {
  if (!signature || !timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: 'missing' };
  const expected = Buffer.from(signPayload(secret, Number(timestamp), body));
  const got = Buffer.from(signature);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) return { ok: false, reason: 'bad_signature' };
  if (Math.abs(now - Number(timestamp)) > toleranceMs) return { ok: false, reason: 'too_old' };
  return { ok: true };
}
