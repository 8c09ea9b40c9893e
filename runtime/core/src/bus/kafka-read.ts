import {
  Connection, Consumer, FetchIsolationLevels, Reader, createAPI, fetchV15, type ConnectionOptions,
} from '@platformatic/kafka';
import { decodeRecordSet, newAbortFilter, nextOffsetAfter, noteAborted } from './record-batch.js';
import type { BusRecord } from './types.js';

/** One partition's part of a raw Fetch response: its record set undecoded. */
interface RawPartition {
  partition: number;
  errorCode: number;
  aborted: { producerId: number; firstOffset: number }[];
  records: Buffer | null;
}

const FETCH_VERSION = 15; // Kafka 3.5+: topic ids, no replica id in the request
const PARTITION_MAX_BYTES = 1 << 20;
const RESPONSE_MAX_BYTES = 8 << 20;
const RETRIES = 5;

const skipTaggedFields = (r: Reader) => {
  const n = r.readUnsignedVarInt();
  for (let i = 0; i < n; i++) {
    r.readUnsignedVarInt();
    r.skip(r.readUnsignedVarInt());
  }
};
const int64 = (r: Reader) => Number(r.readInt64());

/** Fetch v15 response, parsed only down to each partition's record set (kept as one Buffer). */
function parseRawFetch(_correlationId: number, _apiKey: number, _apiVersion: number, r: Reader): RawPartition[] {
  const out: RawPartition[] = [];
  r.readInt32(); // throttle time
  const errorCode = r.readInt16();
  if (errorCode) throw new Error(`fetch refused: error code ${errorCode}`);
  r.readInt32(); // session id
  const topics = r.readUnsignedVarInt() - 1;
  for (let t = 0; t < topics; t++) {
    r.skip(16); // topic id: one topic per request
    const partitions = r.readUnsignedVarInt() - 1;
    for (let p = 0; p < partitions; p++) {
      const partition = r.readInt32();
      const code = r.readInt16();
      r.skip(24); // high watermark, last stable offset, log start offset
      const aborted: RawPartition['aborted'] = [];
      const abortedCount = r.readUnsignedVarInt() - 1;
      for (let i = 0; i < abortedCount; i++) {
        aborted.push({ producerId: int64(r), firstOffset: int64(r) });
        skipTaggedFields(r);
      }
      r.readInt32(); // preferred read replica
      const size = r.readUnsignedVarInt() - 1;
      // One contiguous copy of the record set (the response may arrive in several socket chunks).
      const records = size > 0 ? Buffer.from(r.buffer.slice(r.position, r.position + size)) : null;
      if (size > 0) r.skip(size);
      skipTaggedFields(r);
      out.push({ partition, errorCode: code, aborted, records });
    }
    skipTaggedFields(r);
  }
  skipTaggedFields(r);
  return out;
}

const fetchRaw = createAPI<Parameters<typeof fetchV15.createRequest>, RawPartition[]>(1, FETCH_VERSION, fetchV15.createRequest, parseRawFetch);

interface Range { next: number; readonly end: number }

/** What one fetch response yields: its records, and how far each partition it covered has been read. */
export interface ReadBatch {
  records: BusRecord[];
  /**
   * Per partition of this batch, the offset before which everything was read once `records` are taken:
   * past the last record, and past markers and aborted records after it (never past the end of the read).
   */
  reached: ReadonlyMap<number, number>;
}

export interface ReadPartitionsOptions {
  /** Only these partitions (default: all). */
  partitions?: readonly number[];
  /** Per partition, the offset to start at (default: 0). */
  from?: ReadonlyMap<number, number>;
  /** Per partition, the offset to stop before (default: the last stable offset when the read starts); partitions not listed are not read. */
  to?: ReadonlyMap<number, number>;
}

/**
 * Reads partitions of one topic from the given offsets (default: the start) to their last stable offset
 * as of the call (or to given offsets), read_committed, and yields the records in batches, partition by partition in
 * offset order. It joins no consumer group and builds no per-record client objects: state restore
 * reads a million records this way in a few seconds, where the group consumer took ~30 s
 * (bench/alarm-state). Raw Fetch requests go to each partition's leader over their own connection;
 * the next request is in flight while a response is decoded.
 */
export async function* readPartitions(
  conn: ConnectionOptions & { clientId: string; bootstrapBrokers: string[] },
  topic: string,
  opts: ReadPartitionsOptions = {},
): AsyncGenerator<ReadBatch> {
  const admin = new Consumer({ ...conn, groupId: `${conn.clientId}-read`, isolationLevel: FetchIsolationLevels.READ_COMMITTED });
  const connections: Connection[] = [];
  try {
    // A topic nobody has written yet holds no state: nothing to read.
    const meta = await admin.metadata({ topics: [topic] }).catch((err: Error) => {
      if (/^Unknown topic/.test(err.message)) return undefined;
      throw err;
    });
    const info = meta?.topics.get(topic);
    if (!meta || !info) return;
    const ends = opts.to
      ?? new Map(((await admin.listOffsets({ topics: [topic], isolationLevel: FetchIsolationLevels.READ_COMMITTED })).get(topic) ?? [])
        .map((end, p) => [p, Number(end)]));
    const ranges = new Map<number, Range>();
    for (const [p, end] of ends) {
      if (!opts.partitions || opts.partitions.includes(p)) ranges.set(p, { next: opts.from?.get(p) ?? 0, end });
    }
    // A failed fetch (leader moved, broker restarting, connection lost) is retried from the offsets reached:
    // `next` only moves past records already handed out.
    for (let attempt = 1, m = meta, id = info.id; ; attempt++) {
      try {
        const byLeader = new Map<number, Map<number, Range>>();
        for (const [p, r] of ranges) {
          if (r.next >= r.end) continue;
          const leader = m.topics.get(topic)!.partitions[p]!.leader;
          byLeader.set(leader, (byLeader.get(leader) ?? new Map()).set(p, r));
        }
        for (const [leader, mine] of byLeader) {
          const broker = m.brokers.get(leader);
          if (!broker) throw new Error(`${topic}: leader ${leader} is not in the cluster metadata`);
          const c = new Connection(conn.clientId, conn);
          connections.push(c);
          await c.connect(broker.host, broker.port);
          yield* readFromLeader(c, topic, id, mine);
        }
        return;
      } catch (err) {
        if (attempt >= RETRIES) throw err;
        await new Promise((r) => setTimeout(r, 250 * attempt));
        m = await admin.metadata({ topics: [topic], forceUpdate: true });
        id = m.topics.get(topic)!.id;
      }
    }
  } finally {
    await Promise.all(connections.map((c) => c.close().catch(() => {})));
    await admin.close(true).catch(() => {});
  }
}

/** Reads `ranges` from one leader; a range's `next` moves only once its records were handed out. */
async function* readFromLeader(c: Connection, topic: string, topicId: string, ranges: Map<number, Range>): AsyncGenerator<ReadBatch> {
  /** Where the next request starts: ahead of `ranges` while a response is being decoded. */
  const ahead = new Map([...ranges].map(([p, r]) => [p, r.next]));
  const request = () => {
    const asked = new Map([...ahead].filter(([p, next]) => next < ranges.get(p)!.end));
    const partitions = [...asked].map(([partition, next]) => ({
      partition, currentLeaderEpoch: -1, fetchOffset: BigInt(next), lastFetchedEpoch: -1, partitionMaxBytes: PARTITION_MAX_BYTES,
    }));
    // No fetch session (id 0, epoch -1): every request names its partitions and offsets.
    const sent = fetchRaw.async(c, 0, 1, RESPONSE_MAX_BYTES, FetchIsolationLevels.READ_COMMITTED, 0, -1, [{ topicId, partitions }], [], '');
    // A reader that stops early leaves the prefetched request behind: its failure must not go unhandled.
    sent.catch(() => {});
    return { asked, sent };
  };
  const open = () => [...ahead].some(([p, next]) => next < ranges.get(p)!.end);
  let inflight = request();
  let idle = 0;
  for (;;) {
    const { asked, sent } = inflight;
    const response = await sent;
    let progressed = false;
    for (const part of response) {
      if (part.errorCode) throw new Error(`fetch ${topic}/${part.partition}: error code ${part.errorCode}`);
      const next = part.records ? nextOffsetAfter(part.records) : -1;
      if (asked.has(part.partition) && next > ahead.get(part.partition)!) { ahead.set(part.partition, next); progressed = true; }
    }
    if (!progressed && ++idle > 20) throw new Error(`fetch ${topic}: no progress towards the end offsets`);
    if (progressed) idle = 0;
    // The next request goes out before this response is decoded: the broker works while we do.
    const more = open();
    if (more) inflight = request();
    const out: BusRecord[] = [];
    const reached = new Map<number, number>();
    for (const part of response) {
      const from = asked.get(part.partition);
      if (from === undefined || !part.records) continue;
      // Aborted transactions are listed per response for the range it covers (as Java's Fetcher reads them).
      const filter = newAbortFilter();
      noteAborted(filter, part.aborted);
      const end = ranges.get(part.partition)!.end;
      decodeRecordSet(part.records, topic, part.partition, from, end, filter, out);
      // Records at or past the end were dropped: the read reaches the end, not the fetched batch's last offset.
      reached.set(part.partition, Math.min(ahead.get(part.partition)!, end));
    }
    yield { records: out, reached };
    // `ahead` changes only when the next response arrives: here it is exactly what was handed out.
    for (const [p, next] of ahead) ranges.get(p)!.next = next;
    if (!more) return;
  }
}
