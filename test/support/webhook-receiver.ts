import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it, and what it answered. */
export interface Received {
  key: string | undefined;
  step: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  status: number;
  verdict: 'accepted' | 'duplicate' | 'bad_signature' | 'too_old' | 'replayed' | 'scripted';
}

export interface ReceiverOptions {
  secret: string;
  /** Answers to give before behaving normally: a status, or 'hang' (never answer). */
  script?: (number | 'hang')[];
  /** Hold every accepted request this long before answering (to observe concurrency). */
  holdMs?: number;
  toleranceMs?: number;
}

/**
 * A webhook receiver written the way we tell users to write one, with its own HMAC code (not the
 * remediator's): it checks the signature over `${timestamp}.${body}`, refuses old timestamps and
 * replays of a (timestamp, signature) it has seen, and acts once per (Idempotency-Key, X-Faultline-Step).
 */
export async function startReceiver(opts: ReceiverOptions) {
  const received: Received[] = [];
  const seenSignatures = new Set<string>();
  const acted = new Map<string, string>(); // `${idempotency key} ${step}` -> body it acted on
  const script = [...(opts.script ?? [])];
  const hung: ServerResponse[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const verify = (ts: string | undefined, sig: string | undefined, body: string): Received['verdict'] | undefined => {
    if (!ts || !sig) return 'bad_signature';
    const expected = Buffer.from(`v1=${createHmac('sha256', opts.secret).update(`${ts}.${body}`).digest('hex')}`);
    const got = Buffer.from(sig);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return 'bad_signature';
    if (Math.abs(Date.now() - Number(ts)) > (opts.toleranceMs ?? 300_000)) return 'too_old';
    if (seenSignatures.has(sig)) return 'replayed';
    return undefined;
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const h = (n: string) => req.headers[n] as string | undefined;
    const entry: Received = { key: h('idempotency-key'), step: h('x-faultline-step'), timestamp: h('x-faultline-timestamp'), signature: h('x-faultline-signature'), body, status: 0, verdict: 'accepted' };
    received.push(entry);
    const answer = (status: number, verdict: Received['verdict']) => {
      entry.status = status; entry.verdict = verdict;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ verdict }));
    };
    const bad = verify(entry.timestamp, entry.signature, body);
    if (bad) return answer(bad === 'replayed' ? 409 : 401, bad);
    seenSignatures.add(entry.signature!);
    const next = script.shift();
    if (next === 'hang') { entry.verdict = 'scripted'; hung.push(res); return; }
    if (next !== undefined) return answer(next, 'scripted');
    if (!entry.key || !entry.step) return answer(400, 'bad_signature');
    const id = `${entry.key} ${entry.step}`;
    if (acted.has(id)) return answer(200, 'duplicate');
    acted.set(id, body);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    if (opts.holdMs) await new Promise((r) => setTimeout(r, opts.holdMs));
    inFlight--;
    answer(200, 'accepted');
  };

  const server: Server = createServer((req, res) => { void handler(req, res); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    acted,
    maxInFlight: () => maxInFlight,
    close: async () => {
      for (const r of hung) r.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
