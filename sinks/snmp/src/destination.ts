import * as snmp from 'net-snmp';
import { parseDuration, type Logger } from '@faultline/runtime';
import type { Severity } from '@faultline/schemas';
import type { Destination, V3User } from './config.js';
import { encodeStormSummary, type Notification } from './encode.js';
import type { SnmpMetrics } from './metrics.js';
import type { AlarmMibOids } from './oids.js';
import { createRateLimiter } from './ratelimit.js';

const LEVELS: Record<V3User['level'], snmp.SecurityLevel> = {
  noAuthNoPriv: snmp.SecurityLevel.noAuthNoPriv, authNoPriv: snmp.SecurityLevel.authNoPriv, authPriv: snmp.SecurityLevel.authPriv,
};
const AUTH: Record<V3User['auth_protocol'], snmp.AuthProtocols> = {
  sha: snmp.AuthProtocols.sha, sha224: snmp.AuthProtocols.sha224, sha256: snmp.AuthProtocols.sha256,
  sha384: snmp.AuthProtocols.sha384, sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<V3User['priv_protocol'], snmp.PrivProtocols> = {
  aes: snmp.PrivProtocols.aes, aes256b: snmp.PrivProtocols.aes256b, aes256r: snmp.PrivProtocols.aes256r,
};

/** net-snmp's user object for a configured v3 user. */
export function usmUser(u: V3User): snmp.User {
  const user: snmp.User = { name: u.name, level: LEVELS[u.level] };
  if (u.level !== 'noAuthNoPriv') {
    user.authProtocol = AUTH[u.auth_protocol];
    user.authKey = u.auth_key!;
  }
  if (u.level === 'authPriv') {
    user.privProtocol = PRIV[u.priv_protocol];
    user.privKey = u.priv_key!;
  }
  return user;
}

export interface Meta {
  eventIndex: number;
  severity: Severity;
}

/** One manager: a session, a bounded queue, the rate limit with its storm summary, and informs in flight. */
export interface Sender {
  readonly name: string;
  /** Queues a notification. With `meta` it is an alarm event and subject to the rate limit; without, it always goes. */
  offer(n: Notification, meta?: Meta): void;
  /** Sends the storm summary if the rate limit held anything back since the last one. */
  flushSummary(): void;
  /** Resolves once nothing is queued or in flight. */
  drain(): Promise<void>;
  close(): void;
}

interface Queued {
  n: Notification;
  meta?: Meta;
}

export function createSender(d: Destination, oids: AlarmMibOids, sinkId: string, metrics: SnmpMetrics, log: Logger): Sender {
  const labels = { sink: sinkId, destination: d.name };
  const timeout = parseDuration(d.inform.timeout);
  // `port` as well as `trapPort`: net-snmp 3.29.2 sends v3 informs after the first (once the engine is
  // discovered) to the session's `port`, not to `trapPort`; without it they go to 161 and time out.
  const options = {
    port: d.port, trapPort: d.port, retries: d.inform.retries, timeout, backoff: d.inform.backoff, transport: 'udp4',
  };
  const session = d.version === 'v3'
    ? snmp.createV3Session(d.host, usmUser(d.user!), { ...options, version: snmp.Version3, engineID: d.engine_id } as snmp.SessionOptionsV3)
    : snmp.createSession(d.host, d.community, { ...options, version: snmp.Version2c } as snmp.SessionOptions);
  session.on('error', (err: Error) => log.warn('snmp session error', { destination: d.name, error: err.message }));

  const limiter = createRateLimiter(d.rate_limit.per_second, d.rate_limit.burst, Date.now());
  const queue: Queued[] = [];
  const maxInFlight = d.inform.max_in_flight;
  let inFlight = 0;
  let closed = false;
  let idle: (() => void)[] = [];

  const settle = () => {
    inFlight--;
    pump();
  };

  function send(q: Queued) {
    inFlight++;
    const { n } = q;
    const varbinds = n.varbinds as snmp.Varbind[];
    if (d.mode === 'inform') {
      session.inform(n.oid, varbinds, (err: Error | null) => {
        if (err) {
          metrics.failed.inc(labels);
          log.warn('inform not acknowledged', { destination: d.name, notification: n.name, error: err.message });
        } else metrics.acknowledged.inc(labels);
        settle();
      });
    } else {
      session.trap(n.oid, varbinds, (err: Error | null) => {
        if (err) {
          metrics.failed.inc(labels);
          log.warn('trap not sent', { destination: d.name, notification: n.name, error: err.message });
        }
        settle();
      });
    }
    metrics.sent.inc({ ...labels, notification: n.name });
  }

  function pump() {
    while (!closed && inFlight < maxInFlight && queue.length) send(queue.shift()!);
    metrics.queued.set(labels, queue.length);
    if (inFlight === 0 && queue.length === 0) {
      const waiting = idle;
      idle = [];
      waiting.forEach((r) => r());
    }
  }

  return {
    name: d.name,
    offer(n, meta) {
      if (closed) return;
      if (meta && !limiter.take(Date.now())) {
        limiter.hold(meta.eventIndex, meta.severity);
        metrics.rateLimited.inc(labels);
        return;
      }
      if (queue.length >= d.queue_size) {
        // The oldest goes: a manager cares more about the present. The summary still counts it.
        const old = queue.shift()!;
        metrics.dropped.inc(labels);
        if (old.meta) limiter.hold(old.meta.eventIndex, old.meta.severity);
      }
      queue.push(meta ? { n, meta } : { n });
      pump();
    },
    flushSummary() {
      const s = limiter.takeSummary();
      if (!s || closed) return;
      log.warn('alarm storm: notifications held back', { destination: d.name, held: s.held, first: s.firstEventIndex, last: s.lastEventIndex });
      metrics.summaries.inc(labels);
      queue.push({ n: encodeStormSummary(oids, s) });
      pump();
    },
    drain: () => (inFlight === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
    close() {
      closed = true;
      if (queue.length) {
        // stop() gave up waiting (a manager that does not answer): what is left is lost, and counted.
        log.warn('closing with notifications unsent', { destination: d.name, count: queue.length });
        metrics.dropped.inc(labels, queue.length);
      }
      queue.length = 0;
      metrics.queued.set(labels, 0);
      session.close();
      const waiting = idle;
      idle = [];
      waiting.forEach((r) => r());
    },
  };
}
