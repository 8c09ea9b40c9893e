import type { TSchema, Static } from '@sinclair/typebox';
import type { EventOf, SchemaOfTopic, TopicName } from '@faultline/schemas';
import type { Logger } from './log.js';
import type { Telemetry } from './telemetry.js';
import type { BusRecord, Follower, FollowOptions, ReadAllOptions, TopicPartition } from './bus/types.js';

export type Stability = 'development' | 'alpha' | 'beta' | 'stable' | 'deprecated';
export type ComponentKind = 'collector' | 'processor' | 'sink';

/** start() may do I/O and must return once the component is ready; stop() is idempotent, safe before start, and drains. */
export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A decoded record as a component sees it: the event, its key, and where it came from. */
export interface Envelope<T extends TopicName = TopicName> {
  topic: T;
  key: string | null;
  value: EventOf<SchemaOfTopic<T>>;
  traceparent?: string;
  partition: number;
  offset: string;
  timestamp: number;
}

export interface EmitOptions {
  /** Defaults to the topic's key rule (host for metrics/faults/heartbeats, alarm key for alarms). */
  key?: string | null;
  traceparent?: string;
}

/** Publishes an event to a topic; the runtime encodes it with its schema version and picks the bus. */
export type Emit = <T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>> | null, opts?: EmitOptions) => void;

export interface ComponentContext {
  /** Instance name from the pipeline file (`collectors.host`, `sinks.nms`). */
  id: string;
  /** This node's name: the `node` setting, or the host name. */
  node: string;
  log: Logger;
  /** Where a component may keep local files (journals, ledgers); created by the runtime. */
  dataDir: string;
  /** The pipeline's own metrics (consumer lag, records, dead letters, spool), for a sink that exposes them. */
  telemetry?: Telemetry;
}

export interface CollectorContext extends ComponentContext {
  /** Fire-and-forget: the runtime batches, retries and spools. */
  emit: Emit;
}

export interface Collector extends Lifecycle {}

export interface ProcessorContext extends ComponentContext {
  /**
   * Publishes outside handle(), for work that finishes later (timers, approvals, verification).
   * Fire-and-forget like a collector's emit, so NOT atomic with any offset commit: use `out` in handle() when you can.
   */
  emit: Emit;
  /**
   * Reads topics and keeps following them, every partition, outside the group: how a member sees what
   * the other members of its group publish. Present when there can be other members (the Kafka bus).
   */
  follow?: (opts: Omit<FollowOptions, 'topics'> & { topics: readonly TopicName[] }) => Promise<Follower>;
}

export interface Processor extends Lifecycle {
  inputs: readonly TopicName[];
  /**
   * Handles one batch. Everything emitted through `out` is published atomically with the commit of
   * the batch's offsets (consume-transform-produce): a crash before commit replays the batch.
   */
  handle(batch: readonly Envelope[], out: Emit): Promise<void> | void;
  /**
   * Partitions of its inputs were assigned to this member (at start, and on every rebalance):
   * restore their state here, before their first batch. `read` reads a (compacted) topic from its
   * start (or the given offsets) to its current end, committed records only.
   */
  onAssign?(partitions: readonly TopicPartition[], read: (topic: TopicName, opts?: ReadAllOptions) => AsyncIterable<BusRecord>): Promise<void>;
  /** Partitions were taken away, after their last batch: forget their state. */
  onRevoke?(partitions: readonly TopicPartition[]): Promise<void>;
}

export interface Sink extends Lifecycle {
  inputs: readonly TopicName[];
  /** Resolves once the batch is durable at the destination; a throw makes the runtime retry it. */
  write(batch: readonly Envelope[]): Promise<void>;
}

interface FactoryBase<S extends TSchema> {
  type: string;
  stability: Stability;
  description: string;
  /** TypeBox schema with defaults: the config type, the validator and the reference docs in one place. */
  configSchema: S;
}

export interface CollectorFactory<S extends TSchema = TSchema> extends FactoryBase<S> {
  kind: 'collector';
  create(ctx: CollectorContext, config: Static<S>): Collector;
}
export interface ProcessorFactory<S extends TSchema = TSchema> extends FactoryBase<S> {
  kind: 'processor';
  create(ctx: ProcessorContext, config: Static<S>): Processor;
}
export interface SinkFactory<S extends TSchema = TSchema> extends FactoryBase<S> {
  kind: 'sink';
  create(ctx: ComponentContext, config: Static<S>): Sink;
}
export type AnyFactory = CollectorFactory<any> | ProcessorFactory<any> | SinkFactory<any>;

/** Makes concurrent and repeated calls share one run (kafkajs's sharedPromiseTo): stop() twice is one stop. */
export function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
