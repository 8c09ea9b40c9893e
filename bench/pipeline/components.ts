// Two in-process components the benchmark wires into real pipelines: a collector that emits what the
// benchmark hands it (the moment of the emit is the start of every latency), and a sink that notes when
// each alarm transition reached it.
import { Type } from '@sinclair/typebox';
import type { CollectorFactory, Emit, SinkFactory } from '@faultline/runtime';
import type { AlarmTransition, EventOf, SchemaOfTopic, TopicName } from '@faultline/schemas';

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

export interface TransitionRecorder {
  factory: SinkFactory<any>;
  /** Every transition in arrival order, with Date.now() at arrival and the record's timestamp (when it was produced). */
  seen: { at: number; producedAt: number; t: AlarmTransition }[];
}

export function createTransitionRecorder(type = 'bench-recorder'): TransitionRecorder {
  const seen: TransitionRecorder['seen'] = [];
  return {
    seen,
    factory: {
      kind: 'sink', type, stability: 'development', description: 'notes alarm transitions', configSchema: Type.Object({}),
      create: () => ({
        inputs: ['alarms'],
        start: async () => {},
        stop: async () => {},
        write: async (batch) => {
          const at = Date.now();
          for (const e of batch) seen.push({ at, producedAt: e.timestamp, t: e.value as AlarmTransition });
        },
      }),
    },
  };
}
