import type { Headers } from '@faultline/schemas';
import type { Telemetry } from '../telemetry.js';

/** A record as stored on the bus: raw bytes plus headers; decoding is the pipeline's job, not the bus's. */
export interface BusRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Headers;
  timestamp: number;
}

export interface OutboundRecord {
  topic: string;
  key: string | null;
  /** null is a tombstone (compacted topics). */
  value: Buffer | null;
  headers?: Headers;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

/** Where a producer keeps records while the broker is unreachable (the collectors at the edge). */
export interface SpoolOptions {
  /** Names the spool in metrics and in the 720.001 fault's entity (`host=<node>.collector=<name>`). */
  name: string;
  /** Directory of the spool's segment files; created when missing. */
  dir: string;
  /** This node: the root of the fault's entity path. */
  node: string;
  /** Bound of the spool on disk; past it the oldest records are dropped (and counted). Default 64 MiB. */
  maxBytes?: number;
  /** The 720.001 fault is cleared once the spool has stayed empty without drops this long. Default 60 s. */
  clearAfterMs?: number;
}

export interface ProducerOptions {
  /** Spool to disk while the broker is unreachable and replay in order when it returns (Kafka only; the embedded bus is local). */
  spool?: SpoolOptions;
}

export interface Producer {
  /** Resolves once every record is durable (acks=all on Kafka, journaled on the embedded bus). */
  send(records: readonly OutboundRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface ConsumeOptions {
  /** Consumer group: members share the partitions; offsets are committed per group. */
  group: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts. Default: earliest. */
  from?: 'earliest' | 'latest';
  /**
   * Called with the records of one partition at a time. Whatever it returns is produced atomically
   * with the commit of the batch's offsets (a Kafka transaction; one journal write when embedded).
   * A throw leaves the offsets uncommitted and the batch is delivered again.
   */
  onBatch(records: readonly BusRecord[]): Promise<readonly OutboundRecord[] | void>;
  /** Before the first batch of newly assigned partitions: restore their state here. */
  onAssign?(partitions: readonly TopicPartition[]): Promise<void>;
  /** After the last batch of partitions that were taken away: drop their state here. */
  onRevoke?(partitions: readonly TopicPartition[]): Promise<void>;
}

export interface Subscription {
  pause(): void;
  resume(): void;
  /** Stops fetching, lets the batch in hand finish and commit, then leaves the group. */
  stop(): Promise<void>;
}

export interface FollowOptions {
  topics: readonly string[];
  /** Start each partition this many records before its end; without it, at its start (a compacted topic's whole state). */
  last?: number;
  /** Called with the records of each fetch, in offset order per partition. */
  onRecords(records: readonly BusRecord[]): void;
}

/** A reader that keeps following topics: every partition, committed records only, in no consumer group's assignment. */
export interface Follower {
  /** Resolves once every partition has been read up to where it ended when following began. */
  readonly caughtUp: Promise<void>;
  /**
   * Per partition of a followed topic, the offset before which every record was handed to `onRecords`:
   * what they fed is the topic as of these offsets (`readAll(topic, { from })` reads on from there).
   * Moves only when records are handed over, so it holds between two `onRecords` calls.
   */
  positions(topic: string): ReadonlyMap<number, number>;
  stop(): Promise<void>;
}

export interface ReadAllOptions {
  /** Only these partitions (default: all). */
  partitions?: readonly number[];
  /** Per partition, the offset to start at; partitions not listed start at the start (a checkpoint's tail read). */
  from?: ReadonlyMap<number, number>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  config?: Record<string, string>;
}

export interface Bus {
  readonly kind: 'embedded' | 'kafka';
  /** The bus's own metrics (records, lag, spool); the pipeline adds its dead-letter counts here. */
  readonly telemetry: Telemetry;
  start(): Promise<void>;
  /** Creates what is missing; existing topics are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  producer(opts?: ProducerOptions): Producer;
  subscribe(opts: ConsumeOptions): Promise<Subscription>;
  /** Reads a (compacted) topic to its current end, from its start or from given offsets: state restore. */
  readAll(topic: string, opts?: ReadAllOptions): AsyncIterable<BusRecord>;
  /**
   * Reads topics and keeps following them, for a member that must see what the other members of its
   * group publish (docs/alarm-api.md). Kafka only: the embedded bus has one member per group.
   */
  follow?(opts: FollowOptions): Promise<Follower>;
  stop(): Promise<void>;
}
