import { randomUUID } from 'node:crypto';
import {
  Consumer, FetchIsolationLevels, Producer as KafkaProducer, type GroupAssignment,
  type MessagesStream,
} from '@platformatic/kafka';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import { createTelemetry, type Telemetry } from '../telemetry.js';
import type { KafkaConfig } from './config.js';
import { createKafkaTopics } from './kafka-admin.js';
import { readPartitions } from './kafka-read.js';
import { followKafka } from './kafka-follow.js';
import { toBusRecord, type KMessage } from './kafka-records.js';
import { closeConsumer, connectionOptions } from './kafka-connection.js';
import { copartitionedAssigner } from './copartitioned.js';
import { createLingerBatcher } from './linger.js';
import { createSpool, type AbortableProducer } from './spool.js';
import type {
  Bus, BusRecord, ConsumeOptions, OutboundRecord, Producer, ProducerOptions, ReadAllOptions, Subscription, TopicPartition, TopicSpec,
} from './types.js';

export interface KafkaBusOptions {
  telemetry?: Telemetry;
  log?: Logger;
}

const tpKey = (topic: string, partition: number) => `${topic}\0${partition}`;

const toMessage = (r: OutboundRecord) => ({
  topic: r.topic,
  ...(r.key !== null ? { key: Buffer.from(r.key) } : {}),
  ...(r.value !== null ? { value: r.value } : {}),
  // Without serializers the client wants Buffers everywhere, header names included: hence a Map.
  headers: new Map(Object.entries(r.headers ?? {}).map(([k, v]) => [Buffer.from(k), Buffer.from(v)])),
});

/**
 * A produce request stays under the broker's 1 MiB batch limit (max.message.bytes), whatever one
 * send() holds: a correlator batch or a spool replay can carry several MiB, which the broker refused
 * whole (MESSAGE_TOO_LARGE). Bytes are counted uncompressed, so compression only adds margin.
 */
const REQUEST_BYTES = 768 * 1024;

/**
 * Below this many bytes a request goes uncompressed, whatever `compression` says: lz4 gains nothing on a
 * lone heartbeat and cost ~120-150 µs CPU per send at one send per 100 ms (bench/bus/per-send.ts). The
 * broker keeps each batch as the producer sent it (topics leave compression.type at `producer`).
 */
const COMPRESS_FROM_BYTES = 1024;

function* requestSized(records: readonly OutboundRecord[]): Generator<{ records: OutboundRecord[]; bytes: number }> {
  let chunk: OutboundRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    let size = 64 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const [k, v] of Object.entries(r.headers ?? {})) size += k.length + v.length + 8;
    if (chunk.length && bytes + size > REQUEST_BYTES) {
      yield { records: chunk, bytes };
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length) yield { records: chunk, bytes };
}

/**
 * The bus on a Kafka cluster, through @platformatic/kafka (chosen by measurement: docs/kafka-client.md).
 * Producers are idempotent with acks=all, gather records for `linger_ms` into compressed batches,
 * and may spool to disk while the broker is away. Consumers read committed records only, hand one
 * partition's batch at a time to onBatch, and commit after it returns; when onBatch returns records,
 * they and the offsets go in one transaction (consume-transform-produce).
 */
export function createKafkaBus(config: KafkaConfig, opts: KafkaBusOptions = {}): Bus {
  const telemetry = opts.telemetry ?? createTelemetry();
  const log = opts.log ?? silentLogger;
  const conn = connectionOptions(config);
  const closers = new Set<() => Promise<void>>();
  const subscriptions = new Set<Subscription>();

  function baseProducer(clientSuffix: string, retries: number): AbortableProducer {
    const kp = new KafkaProducer({
      ...conn, clientId: `${config.client_id}-${clientSuffix}`, idempotent: true, acks: -1, compression: config.compression,
      retries, retryDelay: 500,
    });
    const batcher = createLingerBatcher({
      lingerMs: config.linger_ms,
      maxRecords: config.batch_max_records,
      flush: async (records) => {
        for (const chunk of requestSized(records)) {
          await kp.send({ messages: chunk.records.map(toMessage), ...(chunk.bytes < COMPRESS_FROM_BYTES ? { compression: 'none' as const } : {}) });
        }
        for (const r of records) telemetry.recordsProduced.inc({ topic: r.topic });
      },
    });
    const close = async () => { await batcher.drain(); await kp.close(); };
    closers.add(close);
    return {
      send: (records) => batcher.add(records),
      close: async () => { closers.delete(close); await close(); },
      abort: async () => { closers.delete(close); await kp.close(true); },
    };
  }

  function producer(popts: ProducerOptions = {}): Producer {
    if (!popts.spool) return baseProducer('producer', 5);
    // Few retries behind a spool: an unreachable broker should send records to disk quickly.
    const name = popts.spool.name;
    const spool = createSpool(() => baseProducer(`spool-${name}`, 1), { ...popts.spool, batchRecords: config.batch_max_records }, { telemetry, log });
    closers.add(spool.close);
    return { send: spool.send, close: async () => { closers.delete(spool.close); await spool.close(); } };
  }

  async function subscribe(copts: ConsumeOptions): Promise<Subscription> {
    const consumer = new Consumer({
      ...conn, clientId: `${config.client_id}-${copts.group}`, groupId: copts.group,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED, autocommit: false,
      maxWaitTime: 500, sessionTimeout: 30_000, heartbeatInterval: 1_000, rebalanceTimeout: 60_000,
      partitionAssigner: copartitionedAssigner,
    });
    // The transactional producer for consume-transform-produce; one per member, so concurrent
    // members never fence each other (zombie fencing comes from the group generation, KIP-447).
    let txProducer: KafkaProducer | undefined;
    const txProducerFor = () => (txProducer ??= new KafkaProducer({
      ...conn, clientId: `${config.client_id}-${copts.group}-tx`, idempotent: true, acks: -1, compression: config.compression,
      transactionalId: `${copts.group}-${randomUUID()}`,
      // A transaction begun while the broker still completes the previous commit is refused with a
      // retriable error; the client's default 1 s retry wait then dominated fault → trap latency
      // (bench/pipeline measured 0.2-1.5 s; 13-47 ms per transaction with a short wait).
      retries: 10, retryDelay: 25,
    }));

    let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
    let streamFailed = false;
    let running = true;
    let paused = false;
    let buffered: KMessage[] = [];
    /** Per partition, the offset after the last record buffered in this session. */
    const taken = new Map<string, bigint>();
    let assigned = new Set<string>();
    let pendingAssignment: GroupAssignment[] | undefined;
    let wakeLoop: (() => void) | undefined;
    const wake = () => { wakeLoop?.(); };
    const highWater = config.batch_max_records * 4;

    const onJoin = (p: { assignments?: GroupAssignment[]; generationId?: number }) => {
      log.debug('joined group', { group: copts.group, generation: p.generationId, assignments: p.assignments });
      pendingAssignment = p.assignments ?? [];
      wake();
    };
    consumer.on('consumer:group:join', onJoin);

    const open = async () => {
      const s = await consumer.consume({
        topics: [...copts.topics], mode: 'committed', fallbackMode: copts.from ?? 'earliest', autocommit: false,
        maxWaitTime: 500,
      });
      s.on('data', (m: KMessage) => {
        // The client may fetch a partition again from its committed offset (after a group join):
        // what this member already took is skipped, so each record reaches onBatch once per session.
        const key = tpKey(m.topic, m.partition);
        const next = taken.get(key);
        if (next !== undefined && m.offset < next) return;
        taken.set(key, m.offset + 1n);
        buffered.push(m);
        if (buffered.length >= highWater) s.pause();
        wake();
      });
      // The client ends the stream after its fetch retries run out (a broker away for more than a few
      // seconds): the loop then opens a new one, or the member would sit idle for good.
      s.on('error', (err: Error) => {
        log.warn('consumer stream error; reopening', { group: copts.group, error: err.message });
        if (stream === s) { streamFailed = true; wake(); }
      });
      stream = s;
    };

    /** Partitions taken away: their buffered records are dropped (the new owner reads them from the committed offset). */
    const rebalance = async (assignment: GroupAssignment[]) => {
      const now = new Set(assignment.flatMap((a) => a.partitions.map((p) => tpKey(a.topic, p))));
      const split = (k: string): TopicPartition => {
        const [topic, partition] = k.split('\0') as [string, string];
        return { topic, partition: Number(partition) };
      };
      const revoked = [...assigned].filter((k) => !now.has(k));
      const added = [...now].filter((k) => !assigned.has(k));
      buffered = buffered.filter((m) => now.has(tpKey(m.topic, m.partition)));
      for (const k of revoked) taken.delete(k);
      assigned = now;
      if (revoked.length) await copts.onRevoke?.(revoked.map(split));
      if (added.length) await copts.onAssign?.(added.map(split));
    };

    const commit = async (batch: KMessage[], out: readonly OutboundRecord[]) => {
      const last = batch[batch.length - 1]!;
      if (!out.length) {
        await last.commit();
        return;
      }
      const tp = txProducerFor();
      const tx = await tp.beginTransaction();
      try {
        for (const chunk of requestSized(out)) await tx.send({ messages: chunk.records.map(toMessage) });
        await tx.addConsumer(consumer);
        await tx.addOffset(last);
        await tx.commit();
      } catch (err) {
        // An abort that fails too (the broker is away) leaves the client believing the transaction is
        // still open, and every later begin is refused: drop that producer; the next batch makes a new one.
        await tx.abort().catch(async () => {
          if (txProducer === tp) txProducer = undefined;
          await tp.close(true).catch(() => {});
        });
        throw err;
      }
      for (const r of out) telemetry.recordsProduced.inc({ topic: r.topic });
    };

    /** Takes the buffered records of the first partition in line: one onBatch call per partition. */
    const nextBatch = (): KMessage[] => {
      const first = buffered[0];
      if (!first) return [];
      const key = tpKey(first.topic, first.partition);
      const batch: KMessage[] = [];
      const rest: KMessage[] = [];
      for (const m of buffered) {
        if (batch.length < config.batch_max_records && tpKey(m.topic, m.partition) === key) batch.push(m);
        else rest.push(m);
      }
      buffered = rest;
      if (stream?.isPaused() && buffered.length < highWater / 2 && !paused) stream.resume();
      return batch;
    };

    /** After a failed batch: forget what was fetched and read again from the committed offsets. */
    const restart = async () => {
      buffered = [];
      taken.clear();
      await stream?.close().catch(() => {});
      stream = undefined;
      await new Promise((r) => setTimeout(r, 500));
      // A rebalance that fenced the batch is applied first, so what follows concerns what we own now.
      if (pendingAssignment) {
        const a = pendingAssignment;
        pendingAssignment = undefined;
        await rebalance(a).catch((err: Error) => log.error('rebalance callback failed', { group: copts.group, error: err.message }));
      }
      // A stateful processor already applied the failed batch in memory: have it forget its
      // partitions and restore them from what was committed, as if they had moved away and back.
      const all = [...assigned].map((k) => {
        const [topic, partition] = k.split('\0') as [string, string];
        return { topic, partition: Number(partition) };
      });
      if (all.length) {
        await copts.onRevoke?.(all);
        await copts.onAssign?.(all);
      }
      if (running) await open();
    };

    await open();
    const loop = (async () => {
      while (running) {
        if (streamFailed) {
          streamFailed = false;
          try {
            await restart();
          } catch (err) {
            // The broker is still away: try again shortly.
            log.warn('consumer stream not reopened; retrying', { group: copts.group, error: (err as Error).message });
            streamFailed = true;
            await new Promise((r) => setTimeout(r, 1_000));
          }
          continue;
        }
        if (pendingAssignment) {
          const a = pendingAssignment;
          pendingAssignment = undefined;
          await rebalance(a).catch((err: Error) => log.error('rebalance callback failed', { group: copts.group, error: err.message }));
        }
        const batch = paused ? [] : nextBatch();
        if (!batch.length) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 200);
            wakeLoop = () => { clearTimeout(t); wakeLoop = undefined; resolve(); };
          });
          continue;
        }
        const first = batch[0]!;
        if (assigned.size && !assigned.has(tpKey(first.topic, first.partition))) continue; // revoked meanwhile
        try {
          const out = await copts.onBatch(batch.map(toBusRecord));
          await commit(batch, out ?? []);
          telemetry.recordsConsumed.inc({ group: copts.group, topic: first.topic }, batch.length);
        } catch (err) {
          log.warn('batch not committed; reading again from the committed offset', { group: copts.group, topic: first.topic, partition: first.partition, error: (err as Error).message });
          // Restarted at the top of the loop, which retries while the broker is away (a throw here
          // would end the loop and, unhandled, the process).
          streamFailed = true;
        }
      }
    })();

    const lagTimer = setInterval(() => {
      consumer.getLag({ topics: [...copts.topics] }).then((lag) => {
        for (const [topic, parts] of lag) {
          parts.forEach((l, partition) => { if (l >= 0n) telemetry.consumerLag.set({ group: copts.group, topic, partition: String(partition) }, Number(l)); });
        }
      }, () => {});
    }, 5_000);
    lagTimer.unref();

    let stopping: Promise<void> | undefined;
    const sub: Subscription = {
      pause: () => { paused = true; stream?.pause(); },
      resume: () => { paused = false; stream?.resume(); wake(); },
      stop: () => (stopping ??= (async () => {
        running = false;
        clearInterval(lagTimer);
        wake();
        await loop;
        await stream?.close().catch(() => {});
        if (assigned.size) {
          await copts.onRevoke?.([...assigned].map((k) => {
            const [topic, partition] = k.split('\0') as [string, string];
            return { topic, partition: Number(partition) };
          }));
        }
        consumer.off('consumer:group:join', onJoin);
        await closeConsumer(consumer, log, copts.group);
        await txProducer?.close().catch(() => {});
        subscriptions.delete(sub);
      })()),
    };
    subscriptions.add(sub);
    return sub;
  }

  /** Raw Fetch requests outside any consumer group (kafka-read.ts): a group consumer read a million records 4-5x slower. */
  async function* readAll(topic: string, ropts: ReadAllOptions = {}): AsyncIterable<BusRecord> {
    // A loop, not yield*: delegating costs an extra await per record (~2x on a million).
    for await (const batch of readPartitions({ ...conn, clientId: `${config.client_id}-restore` }, topic, ropts)) for (const r of batch.records) yield r;
  }

  return {
    kind: 'kafka',
    telemetry,
    start: async () => {},
    ensureTopics: async (topics: readonly TopicSpec[]) => { await createKafkaTopics(config, topics); },
    producer,
    subscribe,
    readAll,
    follow: async (fopts) => {
      const f = await followKafka(config, fopts, log);
      const stop = async () => { closers.delete(stop); await f.stop(); };
      closers.add(stop);
      return { caughtUp: f.caughtUp, positions: f.positions, stop };
    },
    stop: async () => {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await Promise.all([...closers].map((c) => c()));
      closers.clear();
    },
  };
}
