import { randomUUID } from 'node:crypto';
import { Consumer, FetchIsolationLevels, type MessagesStream } from '@platformatic/kafka';
import type { Logger } from '../log.js';
import type { KafkaConfig } from './config.js';
import { closeConsumer, connectionOptions } from './kafka-connection.js';
import { readPartitions } from './kafka-read.js';
import { toBusRecord, type KMessage } from './kafka-records.js';
import type { BusRecord, Follower, FollowOptions } from './types.js';

const tpKey = (topic: string, partition: number) => `${topic}\0${partition}`;
const RETRY_MS = 1_000;

/**
 * Follows topics on Kafka: every partition from its start (or `last` records before its end), committed records only.
 * Catching up is a raw Fetch read (kafka-read.ts) of exactly what the partitions held at the start, up to their
 * last stable offsets then: `caughtUp` resolves when it is done. The group consumer's message stream delivered a
 * million records 3-4x slower and could only guess the end of a transactional partition (it ends with a commit
 * marker, which is no record). After that a message stream in manual mode (in no group's assignment, committing
 * nothing) goes on from where the read stopped; when the client ends it (the broker away), it is reopened there.
 */
export async function followKafka(config: KafkaConfig, fopts: FollowOptions, log: Logger): Promise<Follower> {
  const conn = connectionOptions(config);
  const consumer = new Consumer({
    ...conn, clientId: `${config.client_id}-follow`, groupId: `${config.client_id}-follow-${randomUUID()}`,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: false, maxWaitTime: 100,
  });
  const topics = [...fopts.topics];
  const [starts, ends] = await Promise.all([
    consumer.listOffsets({ topics, timestamp: -2n, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
    consumer.listOffsets({ topics, isolationLevel: FetchIsolationLevels.READ_COMMITTED }),
  ]);
  /** Per topic and partition, the offset before which every record was handed to onRecords (`positions`). */
  const handed = new Map<string, Map<number, number>>();
  /** Per topic and partition, the end of the catch-up read: the last stable offset at the start. */
  const catchUpEnds = new Map<string, Map<number, number>>();
  for (const topic of topics) {
    const at = new Map<number, number>();
    const to = new Map<number, number>();
    (ends.get(topic) ?? []).forEach((end, partition) => {
      const start = Number(starts.get(topic)?.[partition] ?? 0n);
      to.set(partition, Number(end));
      at.set(partition, fopts.last === undefined ? start : Math.max(start, Number(end) - fopts.last));
    });
    handed.set(topic, at);
    catchUpEnds.set(topic, to);
  }

  let running = true;
  let wakeStop!: () => void;
  const stopped = new Promise<void>((r) => { wakeStop = r; });
  const pause = () => Promise.race([stopped, new Promise<void>((r) => setTimeout(r, RETRY_MS).unref())]);

  /** Reads one topic up to its catch-up ends; a failed read goes on from the offsets it reached. */
  const catchUp = async (topic: string) => {
    const at = handed.get(topic)!;
    while (running) {
      let handing = false;
      try {
        const read = readPartitions({ ...conn, clientId: `${config.client_id}-follow` }, topic, { from: new Map(at), to: catchUpEnds.get(topic)! });
        for await (const { records, reached } of read) {
          if (!running) return;
          for (const [partition, offset] of reached) at.set(partition, offset);
          handing = true;
          if (records.length) fopts.onRecords(records);
          handing = false;
        }
        return;
      } catch (err) {
        if (handing) throw err; // the caller's own failure: not the read's to retry
        log.warn('follow: catching up failed; reading on from where it got', { topic, error: (err as Error).message });
        await pause();
      }
    }
  };

  let caughtUpDone!: () => void;
  const caughtUp = new Promise<void>((r) => { caughtUpDone = r; });

  /** Per partition, the next offset the stream is to deliver: ahead of `handed` by the records waiting in a batch. */
  const fetched = new Map<string, { topic: string; partition: number; offset: bigint }>();
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
  const open = async () => {
    const s = await consumer.consume({ topics, mode: 'manual', offsets: [...fetched.values()], autocommit: false, maxWaitTime: 100 });
    const batch: BusRecord[] = [];
    let flushQueued = false;
    // Records come one 'data' event each; handing them over per event loop turn keeps the view's work in batches.
    const flush = () => {
      flushQueued = false;
      const records = batch.splice(0);
      if (!records.length) return;
      for (const r of records) handed.get(r.topic)!.set(r.partition, Number(r.offset) + 1);
      fopts.onRecords(records);
    };
    s.on('data', (m: KMessage) => {
      const key = tpKey(m.topic, m.partition);
      const at = fetched.get(key);
      if (at && m.offset < at.offset) return; // fetched again after a reopen, or before the offset asked (a batch's start)
      fetched.set(key, { topic: m.topic, partition: m.partition, offset: m.offset + 1n });
      batch.push(toBusRecord(m));
      if (!flushQueued) { flushQueued = true; setImmediate(flush); }
    });
    s.on('error', (err: Error) => {
      if (!running || stream !== s) return;
      log.warn('follow: stream error; reopening', { topics, error: err.message });
      stream = undefined;
      void reopen();
    });
    if (!running) { await s.close().catch(() => {}); return; }
    stream = s;
  };
  const reopen = async () => {
    while (running && !stream) {
      await pause();
      if (running) await open().catch((err: Error) => log.warn('follow: not reopened; retrying', { topics, error: err.message }));
    }
  };

  const following = (async () => {
    await Promise.all(topics.map(catchUp));
    if (!running) return;
    caughtUpDone();
    // The stream goes on from where the read stopped: past the commit marker that may end a partition.
    for (const [topic, at] of handed) {
      for (const [partition, offset] of at) fetched.set(tpKey(topic, partition), { topic, partition, offset: BigInt(offset) });
    }
    await open().catch((err: Error) => {
      log.warn('follow: stream not opened; retrying', { topics, error: err.message });
      return reopen();
    });
  })();

  return {
    caughtUp,
    positions: (topic) => new Map(handed.get(topic)),
    stop: async () => {
      running = false;
      wakeStop();
      await following;
      await stream?.close().catch(() => {});
      await closeConsumer(consumer, log, consumer.groupId);
    },
  };
}
