// Two in-process components the benchmark wires into real pipelines: a collector that emits what the
// benchmark hands it (the moment of the emit is the start of every latency), and a sink that notes when
// each record of a topic reached it.
import { Type } from '@sinclair/typebox';
import type { CollectorFactory, Emit, SinkFactory } from '@faultline/runtime';
import type { EventOf, SchemaOfTopic, TopicName } from '@faultline/schemas';

export interface Feed {
  factory: CollectorFactory<any>;
  /** Publishes once the pipeline has started the collector; false before. */
  emit<T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>>): boolean;
}

export function createFeed(type = 'bench-feed'): Feed {
  let out: Emit | undefined;
  return {
    factory: {
      kind: 'collector', type, stability: 'development', description: 'benchmark feed', configSchema: Type.Object({}),
      create: (ctx) => ({
        start: async () => { out = ctx.emit; },
        stop: async () => { out = undefined; },
      }),
    },
    emit(topic, value) {
      out?.(topic, value);
      return out !== undefined;
    },
  };
}

export interface Recorder<T extends TopicName> {
  factory: SinkFactory<any>;
  /** Every record of the topic in arrival order, with Date.now() at arrival and the record's timestamp (when it was produced). */
  seen: { at: number; producedAt: number; value: EventOf<SchemaOfTopic<T>> }[];
}

/** A sink that notes when each record of `topic` reached it. */
export function createRecorder<T extends TopicName>(topic: T, type = `bench-recorder-${topic}`): Recorder<T> {
  const seen: Recorder<T>['seen'] = [];
  return {
    seen,
    factory: {
      kind: 'sink', type, stability: 'development', description: `notes ${topic} records`, configSchema: Type.Object({}),
      create: () => ({
        inputs: [topic],
        start: async () => {},
        stop: async () => {},
        write: async (batch) => {
          const at = Date.now();
          for (const e of batch) seen.push({ at, producedAt: e.timestamp, value: e.value as EventOf<SchemaOfTopic<T>> });
        },
      }),
    },
  };
}
