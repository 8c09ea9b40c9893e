import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  TOPICS, alarmKey, decode, encode, isCompacted, rootEntity, type DeadLetter, type DeadLetterReason, type EventOf, type SchemaOfTopic,
  type TopicName,
} from '@faultline/schemas';
import type { BusRecord, Bus, OutboundRecord, Producer, Subscription, TopicPartition, TopicSpec } from './bus/types.js';
import type {
  Collector, ComponentContext, Emit, EmitOptions, Envelope, Lifecycle, Processor, Sink,
} from './component.js';
import type { PipelineConfig } from './config.js';
import type { Logger } from './log.js';
import { DEFAULT_PROCESSOR_RETRY, attemptWithRetry, isolateFailures } from './processor-retry.js';
import { createTracing } from './tracing/tracing.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

/** The key a topic's records get when the emitter names none (see TOPICS: host, alarm or source). */
export function defaultKey<T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>> | null): string | null {
  if (value === null) return null;
  const v = value as Record<string, any>;
  switch (TOPICS[topic].key) {
    case 'host':
      return typeof v.node === 'string' ? v.node : rootEntity(String(v.entity_instance_id ?? ''));
    case 'alarm':
      if (v.alarm) return alarmKey(v.alarm);
      if (v.kind === 'cleared_all') return `*|${v.entity_instance_id}`;
      return alarmKey(v as { alarm_id: string; entity_instance_id: string });
    case 'source':
      return v.source ? `${v.source.topic}/${v.source.partition}` : null;
    case 'given':
      return null; // the emitter names the key (correlator.shared)
  }
}

export function toOutbound<T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>> | null, opts: EmitOptions = {}): OutboundRecord {
  const key = opts.key !== undefined ? opts.key : defaultKey(topic, value);
  if (value === null) return { topic, key, value: null };
  const enc = encode(TOPICS[topic].schema, value as never, opts.traceparent);
  return { topic, key, value: enc.value, headers: enc.headers };
}

export interface DecodedBatch {
  envelopes: Envelope[];
  /** The record each envelope was decoded from (same index). */
  sources: BusRecord[];
  deadLetters: OutboundRecord[];
  /** How many records were dead-lettered for each reason. */
  reasons: Partial<Record<DeadLetterReason, number>>;
}

/** How much of a large record its dead letter keeps. */
const DEAD_LETTER_KEEP_BYTES = 64 * 1024;

/**
 * A dead letter carrying a record's bytes, where it came from and why. A large record would make a larger
 * dead letter (base64), which the broker may refuse, and the batch would then never commit: its dead letter
 * keeps the head of the bytes and says so.
 */
function deadLetterOf(r: BusRecord & { value: Buffer }, reason: DeadLetterReason, detail: string, consumer: string): OutboundRecord {
  const cut = r.value.length > DEAD_LETTER_KEEP_BYTES;
  const dl: DeadLetter = {
    reason, detail: cut ? `${detail}; value_base64 holds the first ${DEAD_LETTER_KEEP_BYTES} bytes` : detail, consumer,
    source: { topic: r.topic, partition: r.partition, offset: r.offset },
    value_base64: (cut ? r.value.subarray(0, DEAD_LETTER_KEEP_BYTES) : r.value).toString('base64'), headers: r.headers, at: Date.now(),
  };
  if (r.key !== null) dl.key_base64 = Buffer.from(r.key).toString('base64');
  return toOutbound('deadletter', dl);
}

/** Decodes a batch; what does not decode becomes a dead letter carrying the original bytes and the reason. */
export function decodeBatch(records: readonly BusRecord[], consumer: string): DecodedBatch {
  const envelopes: Envelope[] = [];
  const sources: BusRecord[] = [];
  const deadLetters: OutboundRecord[] = [];
  const reasons: DecodedBatch['reasons'] = {};
  for (const r of records) {
    if (!(r.topic in TOPICS)) continue;
    const topic = r.topic as TopicName;
    if (r.value === null) continue; // a tombstone: compacted-topic housekeeping, not an event
    const d = decode(TOPICS[topic].schema, r.headers, r.value);
    if (d.ok) {
      const env: Envelope = { topic, key: r.key, value: d.value as never, partition: r.partition, offset: r.offset, timestamp: r.timestamp };
      if (d.traceparent) env.traceparent = d.traceparent;
      envelopes.push(env);
      sources.push(r);
      continue;
    }
    deadLetters.push(deadLetterOf({ ...r, value: r.value }, d.reason, d.detail, consumer));
    reasons[d.reason] = (reasons[d.reason] ?? 0) + 1;
  }
  return { envelopes, sources, deadLetters, reasons };
}

export interface RunningPipeline {
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** Topics to create when missing (deploy/kafka/topics.yaml); default: every topic of TOPICS, one partition. */
  topics?: readonly TopicSpec[];
  /** Bound of each collector's edge spool (Kafka only). */
  spool?: { maxBytes: number; clearAfterMs: number };
  /** A span exporter to use instead of the pipeline file's `tracing` (an InMemorySpanExporter in tests). */
  spanExporter?: SpanExporter;
}

/**
 * Wires the configured components to the bus by topic name and starts them downstream first
 * (sinks, then processors, then collectors), so nothing is produced before its readers exist;
 * stops them upstream first, so consumers drain what was produced before the sinks close.
 */
export async function startPipeline(config: PipelineConfig, bus: Bus, log: Logger, opts: PipelineOptions = {}): Promise<RunningPipeline> {
  const running: { component: Lifecycle; sub?: Subscription }[] = [];
  const retry = config.processorRetry ?? DEFAULT_PROCESSOR_RETRY;
  let stopping: Promise<void> | undefined;
  /** Aborted when the pipeline starts to stop: cuts a retry's wait short and leaves the batch to the bus. */
  const stopSignal = new AbortController();
  const producers: Producer[] = [];
  const pending = new Set<Promise<void>>();
  const tracing = createTracing(config.tracing, {
    node: config.node, dataDir: config.dataDir, ...(opts.spanExporter && { exporter: opts.spanExporter }),
  });
  /**
   * With tracing on, a published record gets a span (a child of the trace it came with) and carries the
   * span's traceparent on. A collector's record starts a trace; so does a processor's alarm transition
   * that has no traced cause (heartbeat loss, thresholds). Without tracing, opts pass through untouched.
   */
  const traced = (id: string, root: (topic: TopicName) => boolean, startTime?: number) =>
    <T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>> | null, emitOpts: EmitOptions = {}): [EventOf<SchemaOfTopic<T>> | null, EmitOptions] => {
      if (!tracing || value === null) return [value, emitOpts];
      const traceparent = tracing.published(id, topic, value, emitOpts.traceparent, root(topic), startTime);
      if (!traceparent || traceparent === emitOpts.traceparent) return [value, emitOpts];
      // Transitions and remediation results also carry the trace in their value (stored by the sinks, copied
      // by the remediator): it names the new span there too, so the value and the header agree.
      const v = value as { traceparent?: string };
      const inValue = v.traceparent !== undefined && v.traceparent === emitOpts.traceparent;
      return [inValue ? { ...value, traceparent } : value, { ...emitOpts, traceparent }];
    };
  const collectorRoot = () => true;
  const processorRoot = (topic: TopicName) => topic === 'alarms';
  const ctxFor = (id: string): ComponentContext => {
    const dataDir = resolve(config.dataDir, id);
    mkdirSync(dataDir, { recursive: true });
    return { id, node: config.node, log: log.child(id), dataDir, telemetry: bus.telemetry };
  };
  /**
   * An emit outside consume-transform-produce, with its own producer. A collector's spools to its
   * data dir while the broker is unreachable (the edge spool); a processor's does not.
   */
  const publisherFor = (ctx: ComponentContext, spool: boolean): Emit => {
    const producer = bus.producer(spool
      ? { spool: { name: ctx.id, dir: resolve(ctx.dataDir, 'spool'), node: config.node, ...opts.spool } }
      : {});
    producers.push(producer);
    const trace = traced(ctx.id, spool ? collectorRoot : processorRoot);
    return (topic, value, emitOpts) => {
      const p = producer.send([tracing ? toOutbound(topic, ...trace(topic, value, emitOpts)) : toOutbound(topic, value, emitOpts)])
        .catch((err: Error) => log.error('publish failed', { topic, error: err.message }))
        .finally(() => pending.delete(p));
      pending.add(p);
    };
  };
  const consume = (
    id: string, component: Processor | Sink, onEnvelopes: (e: Envelope[], out: OutboundRecord[], sources: BusRecord[]) => Promise<void>,
  ) =>
    bus.subscribe({
      group: `faultline.${id}`,
      topics: component.inputs,
      ...('handle' in component && component.onAssign && {
        onAssign: (parts: readonly TopicPartition[]) => component.onAssign!(parts, (topic, opts) => bus.readAll(topic, opts)),
      }),
      ...('handle' in component && component.onRevoke && { onRevoke: component.onRevoke.bind(component) }),
      onBatch: async (records) => {
        const { envelopes, sources, deadLetters, reasons } = decodeBatch(records, id);
        if (deadLetters.length) log.warn('dead-lettered records', { component: id, reasons });
        for (const [reason, n] of Object.entries(reasons)) bus.telemetry.deadLetters.inc({ component: id, reason }, n);
        const out: OutboundRecord[] = [...deadLetters];
        if (envelopes.length) await onEnvelopes(envelopes, out, sources);
        return out;
      },
    });

  /**
   * One attempt of handle() on some envelopes: what it emits through `out` is buffered and returned, and dropped when
   * it throws, so only an attempt that succeeds publishes (with the batch's offsets: consume-transform-produce).
   */
  const attemptOf = (id: string, proc: Processor) => async (envelopes: readonly Envelope[]): Promise<OutboundRecord[]> => {
    const produced: OutboundRecord[] = [];
    // A transition's span starts with the batch that caused it, so its length is the handling time.
    const trace = tracing && traced(id, processorRoot, Date.now());
    await proc.handle(envelopes, (topic, value, emitOpts) => {
      produced.push(trace ? toOutbound(topic, ...trace(topic, value, emitOpts)) : toOutbound(topic, value, emitOpts));
    });
    return produced;
  };
  /**
   * Hands a batch to a processor, retried with backoff (processor_retry). A batch that keeps failing is split to
   * find the records it fails on (isolateFailures): the good records' outputs are published, and only the records
   * that fail alone (or, when the failure looks systemic, the parts left whole) go to deadletter, so a poison
   * record neither blocks its partition forever nor takes its batch-mates with it.
   */
  const handleWithRetry = async (id: string, proc: Processor, envelopes: Envelope[], out: OutboundRecord[], sources: BusRecord[]) => {
    const attempt = attemptOf(id, proc);
    let produced: OutboundRecord[] = [];
    const failed = await attemptWithRetry(retry, async () => { produced = await attempt(envelopes); }, {
      onRetry: (err, n, waitMs) => {
        bus.telemetry.processorRetries.inc({ component: id });
        log.warn('processor failed on a batch; retrying', { component: id, attempt: n, waitMs, error: err.message });
      },
      stopping: stopSignal.signal,
    });
    if (!failed) { for (const r of produced) out.push(r); return; }
    log.warn('processor failed on a batch after every retry; splitting it to find the records it fails on', {
      component: id, records: envelopes.length, attempts: retry.maxAttempts, error: failed.message,
    });
    const indices = envelopes.map((_, i) => i);
    const isolation = await isolateFailures(indices, failed, (part) => attempt(part.map((i) => envelopes[i]!)), stopSignal.signal);
    for (const r of isolation.outputs) out.push(r);
    if (!isolation.failures.length) {
      log.warn('every part of the batch succeeded when handled apart: nothing dead-lettered', { component: id, calls: isolation.calls });
      return;
    }
    let deadLettered = 0;
    for (const f of isolation.failures) {
      const detail = f.isolated
        ? `${id} handle() failed on this record alone, after ${retry.maxAttempts} attempts on its batch of ${envelopes.length}: ${f.error.message}`
        : `${id} handle() failed ${retry.maxAttempts} times on its batch of ${envelopes.length}, then on every part tried since `
          + `several records failed alone: the failure looks systemic, so this part of ${f.items.length} records was not split further: ${f.error.message}`;
      for (const i of f.items) {
        const r = sources[i]!;
        if (r.value) { out.push(deadLetterOf({ ...r, value: r.value }, 'processing_error', detail, id)); deadLettered++; }
      }
    }
    bus.telemetry.deadLetters.inc({ component: id, reason: 'processing_error' }, deadLettered);
    log.error('processor gave up on records: they went to deadletter', {
      component: id, records: envelopes.length, deadLettered, handled: envelopes.length - deadLettered, calls: isolation.calls,
      systemic: isolation.failures.some((f) => !f.isolated), error: isolation.failures[0]!.error.message,
    });
  };

  const order = { sink: 0, processor: 1, collector: 2 } as const;
  const entries = [...config.components].sort((a, b) => order[a.kind] - order[b.kind]);
  await bus.start();
  const topics = opts.topics ?? (Object.keys(TOPICS) as TopicName[]).map((name) => ({
    name, partitions: 1, ...(isCompacted(name) && { config: { 'cleanup.policy': 'compact' } }),
  }));
  try {
    await bus.ensureTopics(topics);
  } catch (err) {
    // Collectors at the edge start without the broker: their spools hold what they emit meanwhile.
    if (entries.some((e) => e.kind !== 'collector')) throw err;
    log.warn('could not check the topics; collectors spool until the broker answers', { error: (err as Error).message });
  }
  try {
    for (const entry of entries) {
      const ctx = ctxFor(entry.id);
      const f = entry.factory;
      if (f.kind === 'sink') {
        const sink = f.create(ctx, entry.config);
        await sink.start();
        const write = tracing
          ? async (e: Envelope[]) => {
            const done = tracing.writing(entry.id, e);
            try { await sink.write(e); } catch (err) { done(err as Error); throw err; }
            done();
          }
          : (e: Envelope[]) => sink.write(e);
        running.push({ component: sink, sub: await consume(entry.id, sink, write) });
      } else if (f.kind === 'processor') {
        const follow = bus.follow?.bind(bus);
        const proc = f.create({ ...ctx, emit: publisherFor(ctx, false), ...(follow && { follow }) }, entry.config);
        await proc.start();
        running.push({
          component: proc,
          sub: await consume(entry.id, proc, (e, out, sources) => handleWithRetry(entry.id, proc, e, out, sources)),
        });
      } else {
        const collector: Collector = f.create({ ...ctx, emit: publisherFor(ctx, true) }, entry.config);
        await collector.start();
        running.push({ component: collector });
      }
      log.info(`started ${entry.kind} ${entry.id}`, { type: f.type });
    }
  } catch (err) {
    await stopAll();
    throw err;
  }

  /** Upstream first: collectors stop and their last records are sent; then each consumer drains and stops. */
  async function stopAll() {
    for (const { component, sub } of running.reverse()) {
      if (sub) {
        await Promise.all(pending);
        await sub.stop();
      }
      await component.stop().catch((e: Error) => log.error('stop failed', { error: e.message }));
    }
    await Promise.all(pending);
    await Promise.all(producers.map((p) => p.close()));
    await bus.stop();
    await tracing?.shutdown().catch((e: Error) => log.error('tracing shutdown failed', { error: e.message }));
  }

  return { stop: () => (stopping ??= (stopSignal.abort(), stopAll())) };
}
