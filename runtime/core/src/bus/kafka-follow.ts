import { randomUUID } from 'node:crypto';
import { Consumer, FetchIsolationLevels, type MessagesStream } from '@platformatic/kafka';
import type { Logger } from '../log.js';
import type { KafkaConfig } from './config.js';
import { closeConsumer, connectionOptions } from './kafka-connection.js';
import { toBusRecord, type KMessage } from './kafka-records.js';
import type { BusRecord, Follower, FollowOptions } from './types.js';

const tpKey = (topic: string, partition: number) => `${topic}\0${partition}`;

/** A partition counts as read once records flowed and then this long passed without one (its end is a transaction marker). */
const QUIET_MS = 1_000;
/** ... or once this long has passed at all (a group join on a busy broker, partitions holding only markers). */
const GIVE_UP_MS = 30_000;

/**
 * Follows topics on Kafka: every partition from its start (or `last` records before its end),
 * committed records only, in manual mode so it belongs to no group's assignment and commits nothing.
 * `caughtUp` resolves once every partition reached the end it had at the start: a record at or past it,
 * or, as a transactional partition ends with a commit marker that is no record, a quiet second after records flowed.
 * When the client ends the stream (the broker away), it is reopened where it stopped.
 */
export async function followKafka(config: KafkaConfig, fopts: FollowOptions, log: Logger): Promise<Follower> {
  const consumer = new Consumer({
    ...connectionOptions(config), clientId: `${config.client_id}-follow`, groupId: `${config.client_id}-follow-${randomUUID()}`,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: false, maxWaitTime: 100,
  });
  const topics = [...fopts.topics];
  const [starts, ends] = await Promise.all([
    consumer.listOffsets({ topics, timestamp: -2n, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
    consumer.listOffsets({ topics, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
  ]);
  /** Per partition, the next offset to read. */
  const next = new Map<string, { topic: string; partition: number; offset: bigint }>();
  /** Partitions not yet read up to their end at the start. */
  const pending = new Map<string, bigint>();
  for (const topic of topics) {
    (ends.get(topic) ?? []).forEach((end, partition) => {
      const start = starts.get(topic)?.[partition] ?? 0n;
      const from = fopts.last === undefined ? start : [start, end - BigInt(fopts.last)].reduce((a, b) => (a > b ? a : b));
      next.set(tpKey(topic, partition), { topic, partition, offset: from });
      if (end > from) pending.set(tpKey(topic, partition), end);
    });
  }

  let caughtUpDone!: () => void;
  const caughtUp = new Promise<void>((r) => { caughtUpDone = r; });
  const began = Date.now();
  /** Quiet counts only once records flow (the first fetch may wait for a group join), and per partition. */
  let flowingSince: number | undefined;
  const lastRecordAt = new Map<string, number>();
  const check = () => {
    const now = Date.now();
    if (flowingSince !== undefined) {
      for (const key of pending.keys()) if (now - (lastRecordAt.get(key) ?? flowingSince) >= QUIET_MS) pending.delete(key);
    }
    const gaveUp = now - began >= GIVE_UP_MS;
    if (pending.size && !gaveUp) return;
    // Quiet is the normal end of a transactional partition; giving up means the view may be short of records.
    if (pending.size && gaveUp) log.warn('follow: not caught up after 30 s; going on', { topics, partitions: pending.size });
    pending.clear();
    clearInterval(checker);
    caughtUpDone();
  };
  const checker = setInterval(check, 200);
  checker.unref();

  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  let running = true;
  const open = async () => {
    const s = await consumer.consume({ topics, mode: 'manual', offsets: [...next.values()], autocommit: false, maxWaitTime: 100 });
    const batch: BusRecord[] = [];
    let flushQueued = false;
    // Records come one 'data' event each; handing them over per event loop turn keeps the view's work in batches.
    const flush = () => {
      flushQueued = false;
      const records = batch.splice(0);
      if (records.length) fopts.onRecords(records);
      if (pending.size === 0) caughtUpDone();
    };
    s.on('data', (m: KMessage) => {
      const key = tpKey(m.topic, m.partition);
      const at = next.get(key);
      if (at && m.offset < at.offset) return; // fetched again after a reopen
      next.set(key, { topic: m.topic, partition: m.partition, offset: m.offset + 1n });
      const end = pending.get(key);
      if (end !== undefined) {
        flowingSince ??= Date.now();
        lastRecordAt.set(key, Date.now());
        if (m.offset >= end - 1n) pending.delete(key);
      }
      batch.push(toBusRecord(m));
      if (!flushQueued) { flushQueued = true; setImmediate(flush); }
    });
    s.on('error', (err: Error) => {
      if (!running || stream !== s) return;
      log.warn('follow: stream error; reopening', { topics, error: err.message });
      stream = undefined;
      void reopen();
    });
    stream = s;
  };
  const reopen = async () => {
    while (running && !stream) {
      await new Promise((r) => setTimeout(r, 1_000));
      if (running) await open().catch((err: Error) => log.warn('follow: not reopened; retrying', { topics, error: err.message }));
    }
  };
  await open();
  return {
    caughtUp,
    stop: async () => {
      running = false;
      clearInterval(checker);
      await stream?.close().catch(() => {});
      await closeConsumer(consumer, log, consumer.groupId);
    },
  };
}
