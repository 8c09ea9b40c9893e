import {
  appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { encode, type FaultEvent } from '@faultline/schemas';
import type { Logger } from '../log.js';
import type { Telemetry } from '../telemetry.js';
import type { OutboundRecord, Producer, SpoolOptions } from './types.js';

export const SPOOL_FAULT_ID = '720.001';

interface Segment {
  id: number;
  bytes: number;
  count: number;
}

interface Cursor {
  /** Segment being delivered and how many of its records the broker already has. */
  seg: number;
  done: number;
}

interface Pending {
  records: OutboundRecord[];
  resolve(): void;
}

type WireRecord = [topic: string, key: string | null, value: string | null, headers: Record<string, string>];
const toLine = (r: OutboundRecord) =>
  JSON.stringify([r.topic, r.key, r.value === null ? null : r.value.toString('base64'), r.headers ?? {}] satisfies WireRecord) + '\n';
const fromLine = (line: string): OutboundRecord => {
  const [topic, key, value, headers] = JSON.parse(line) as WireRecord;
  return { topic, key, value: value === null ? null : Buffer.from(value, 'base64'), headers };
};
const segName = (id: number) => `${String(id).padStart(12, '0')}.seg`;

/** A producer that can also be dropped at once, abandoning what it has in flight. */
export interface AbortableProducer extends Producer {
  abort(): Promise<void>;
}

export interface Spool {
  send(records: readonly OutboundRecord[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * The edge spool in front of a producer. While the spool is empty, records go straight to the
 * producer. When a send fails (the broker is unreachable), that batch and everything after it is
 * appended to segment files on disk, and send() resolves once the records are there; one pump
 * replays the segments in order once the broker answers again, so per-key order is kept and, within
 * the bound, nothing is lost, even across a restart of the process (a cursor file records what the
 * broker already has). Past `maxBytes` the oldest segment is dropped; the drops are counted, and
 * once the broker is back a 720.001 fault is set, and cleared after `clearAfterMs` without drops.
 * Delivery is at-least-once: a batch the broker stored but did not acknowledge is sent again.
 */
export function createSpool(
  makeProducer: () => AbortableProducer,
  opts: SpoolOptions & { batchRecords?: number; sendTimeoutMs?: number },
  deps: { telemetry: Telemetry; log: Logger },
): Spool {
  const { telemetry, log } = deps;
  const maxBytes = opts.maxBytes ?? 64 * 1024 * 1024;
  const clearAfterMs = opts.clearAfterMs ?? 60_000;
  const batchRecords = opts.batchRecords ?? 500;
  const sendTimeoutMs = opts.sendTimeoutMs ?? 5_000;
  const segmentBytes = Math.max(16 * 1024, Math.floor(maxBytes / 16));
  const labels = { spool: opts.name };
  mkdirSync(opts.dir, { recursive: true });
  const cursorFile = join(opts.dir, 'cursor.json');

  let producer = makeProducer();
  const segments: Segment[] = readdirSync(opts.dir).filter((f) => f.endsWith('.seg')).sort().map((f) => {
    const text = readFileSync(join(opts.dir, f), 'utf8');
    return { id: Number(f.slice(0, -4)), bytes: Buffer.byteLength(text), count: text.split('\n').length - 1 };
  });
  let cursor: Cursor = existsSync(cursorFile) ? JSON.parse(readFileSync(cursorFile, 'utf8')) as Cursor : { seg: 0, done: 0 };
  let headCache: { id: number; records: OutboundRecord[] } | undefined;
  const memory: Pending[] = [];
  let dropped = 0; // since the last fault was reported
  let faultSetAt: number | undefined;
  let lastDropAt = 0;
  let closed = false;
  let kick: (() => void) | undefined;

  const diskBytes = () => segments.reduce((n, s) => n + s.bytes, 0);
  const diskRecords = () => segments.reduce((n, s) => n + s.count, 0) - (segments[0]?.id === cursor.seg ? cursor.done : 0);
  const gauge = () => {
    telemetry.spoolBytes.set(labels, diskBytes());
    telemetry.spoolRecords.set(labels, diskRecords());
  };
  const saveCursor = () => {
    writeFileSync(`${cursorFile}.tmp`, JSON.stringify(cursor));
    renameSync(`${cursorFile}.tmp`, cursorFile);
  };

  const dropOldest = () => {
    const head = segments.shift();
    if (!head) return;
    const lost = head.count - (cursor.seg === head.id ? cursor.done : 0);
    rmSync(join(opts.dir, segName(head.id)), { force: true });
    if (headCache?.id === head.id) headCache = undefined;
    // One warning per outage; the count goes to the metric and, later, into the 720.001 fault.
    if (dropped === 0) log.warn('spool full: dropping its oldest records', { spool: opts.name, bound: maxBytes });
    dropped += lost;
    lastDropAt = Date.now();
    telemetry.spoolDropped.inc(labels, lost);
  };

  const appendToDisk = (records: readonly OutboundRecord[]) => {
    for (const r of records) {
      const line = toLine(r);
      const size = Buffer.byteLength(line);
      let tail = segments[segments.length - 1];
      if (!tail || tail.bytes + size > segmentBytes) {
        tail = { id: (tail?.id ?? cursor.seg) + 1, bytes: 0, count: 0 };
        segments.push(tail);
      }
      appendFileSync(join(opts.dir, segName(tail.id)), line);
      tail.bytes += size;
      tail.count++;
      if (headCache?.id === tail.id) headCache.records.push(r); // the head segment may still be growing
      while (diskBytes() > maxBytes && segments.length > 1) dropOldest();
    }
    gauge();
  };

  /** The next records the broker has not got yet, from the oldest segment. */
  const headBatch = (): { seg: Segment; records: OutboundRecord[] } | undefined => {
    const seg = segments[0];
    if (!seg) return undefined;
    if (headCache?.id !== seg.id) {
      const text = readFileSync(join(opts.dir, segName(seg.id)), 'utf8');
      headCache = { id: seg.id, records: text.split('\n').filter(Boolean).map(fromLine) };
    }
    const done = cursor.seg === seg.id ? cursor.done : 0;
    return { seg, records: headCache.records.slice(done, done + batchRecords) };
  };

  const faultEvent = (op: 'set' | 'clear', reason: string): OutboundRecord => {
    const ev: FaultEvent = {
      op, alarm_id: SPOOL_FAULT_ID, entity_type_id: 'host.collector', entity_instance_id: `host=${opts.node}.collector=${opts.name}`,
      severity: 'minor', reason_text: reason, alarm_type: 'qos', probable_cause: 'storage-capacity-problem',
      proposed_repair_action: 'Restore the connection to Kafka; raise bus.kafka.spool.max_bytes if outages last longer than the spool holds.',
      service_affecting: false, ts: Date.now(), source: `spool/${opts.name}@${opts.node}`,
    };
    const enc = encode('fault_event', ev);
    return { topic: 'faults', key: opts.node, value: enc.value, headers: enc.headers };
  };

  /** Reports drops once the broker answers again, and clears the fault after a quiet period. */
  const faultsToSend = (): OutboundRecord[] => {
    if (dropped > 0) {
      const n = dropped;
      dropped = 0;
      faultSetAt = Date.now();
      return [faultEvent('set', `collector ${opts.name} dropped ${n} records: its spool reached ${maxBytes} bytes while Kafka was unreachable`)];
    }
    if (faultSetAt !== undefined && !segments.length && Date.now() - Math.max(faultSetAt, lastDropAt) >= clearAfterMs) {
      faultSetAt = undefined;
      return [faultEvent('clear', `collector ${opts.name} delivers again without drops`)];
    }
    return [];
  };

  /** The send awaiting its acknowledgement (the pump sends one batch at a time) and the timer that watches it. */
  let awaited: { startedAt: number; fail(err: Error): void } | undefined;
  let watchdog: NodeJS.Timeout | undefined;
  const watch = () => {
    watchdog = undefined;
    if (!awaited) return;
    const age = Date.now() - awaited.startedAt;
    if (age >= sendTimeoutMs) {
      awaited.fail(new Error(`no acknowledgement within ${sendTimeoutMs} ms`));
      awaited = undefined;
    }
    else watchdog = setTimeout(watch, sendTimeoutMs - age);
  };

  /**
   * One send with a deadline: the Kafka client keeps waiting for a broker that went away instead of
   * failing, so past the deadline the producer is abandoned and a fresh one takes over. (A batch the
   * broker did store before it went away is then sent again: at-least-once.) One watchdog timer, armed
   * when none runs and re-armed only while a send is outstanding, checks the deadline: a timer set and
   * cleared around every send cost ~190 µs CPU per send at one send per 100 ms (bench/bus/per-send.ts).
   */
  const sendOrRenew = async (records: OutboundRecord[]) => {
    try {
      await new Promise<void>((resolve, reject) => {
        const send = { startedAt: Date.now(), fail: reject };
        awaited = send;
        producer.send(records).then(resolve, reject).finally(() => { if (awaited === send) awaited = undefined; });
        watchdog ??= setTimeout(watch, sendTimeoutMs);
      });
    } catch (err) {
      const stale = producer;
      producer = makeProducer();
      void stale.abort().catch(() => {});
      throw err;
    }
  };

  const pumpOnce = async (): Promise<boolean> => {
    if (segments.length) {
      const head = headBatch();
      if (!head || !head.records.length) {
        // Fully delivered segment: remove it (the tail too, so the next records go straight through).
        if (head) {
          rmSync(join(opts.dir, segName(head.seg.id)), { force: true });
          segments.shift();
          cursor = { seg: segments[0]?.id ?? head.seg.id, done: 0 };
          saveCursor();
          gauge();
        }
        return true;
      }
      log.debug('spool replaying', { spool: opts.name, segment: head.seg.id, records: head.records.length });
      await sendOrRenew(head.records);
      if (segments[0] === head.seg) {
        cursor = { seg: head.seg.id, done: (cursor.seg === head.seg.id ? cursor.done : 0) + head.records.length };
        saveCursor();
      }
      telemetry.spoolReplayed.inc(labels, head.records.length);
      const faults = faultsToSend();
      if (faults.length) appendToDisk(faults);
      gauge();
      return true;
    }
    const faults = faultsToSend();
    if (!memory.length && !faults.length) return false;
    const batch = memory.splice(0, memory.length);
    const records = [...faults, ...batch.flatMap((p) => p.records)];
    try {
      await sendOrRenew(records);
    } catch (err) {
      log.warn('broker unreachable: spooling to disk', { spool: opts.name, error: (err as Error).message });
      appendToDisk([...records, ...memory.splice(0, memory.length).flatMap((p) => { batch.push(p); return p.records; })]);
    }
    for (const p of batch) p.resolve();
    return true;
  };

  const pump = (async () => {
    let backoff = 200;
    while (!closed || memory.length) {
      let worked = false;
      try {
        worked = await pumpOnce();
        backoff = 200;
      } catch (err) {
        log.debug('spool replay failed; retrying', { spool: opts.name, error: (err as Error).message });
        backoff = Math.min(backoff * 2, 2_000);
      }
      if (!worked || backoff > 200) {
        if (closed) break;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, worked ? backoff : Math.min(backoff, 1_000));
          kick = () => { clearTimeout(t); kick = undefined; resolve(); };
        });
      }
    }
  })();

  gauge();
  return {
    send(records) {
      if (closed) return Promise.reject(new Error(`spool ${opts.name} is closed`));
      if (!records.length) return Promise.resolve();
      if (segments.length) {
        appendToDisk(records); // behind the backlog, in order
        kick?.();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        memory.push({ records: [...records], resolve });
        kick?.();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      kick?.();
      await pump;
      // What the broker did not take stays on disk and is replayed by the next run.
      if (memory.length) appendToDisk(memory.splice(0).flatMap((p) => { p.resolve(); return p.records; }));
      // A producer still waiting for an absent broker is abandoned rather than waited for.
      clearTimeout(watchdog);
      const closing = producer.close().then(() => true, () => false);
      const done = await Promise.race([closing, new Promise<false>((r) => setTimeout(() => r(false), sendTimeoutMs).unref())]);
      if (!done) await producer.abort().catch(() => {});
    },
  };
}

/** Bytes a spool directory holds (for tests and `faultline` diagnostics). */
export function spoolDiskBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir).filter((f) => f.endsWith('.seg')).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}
