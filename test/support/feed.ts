// A collector for tests: emits whatever the test queues, through the real pipeline (ctx.emit → bus → sinks).
import { Type } from '@sinclair/typebox';
import type { CollectorFactory, Emit } from '@faultline/runtime';
import type { EventOf, SchemaOfTopic, TopicName } from '@faultline/schemas';

export interface Feed {
  factory: CollectorFactory<any>;
  /** Publishes events once the pipeline has started the collector. */
  emit<T extends TopicName>(topic: T, value: EventOf<SchemaOfTopic<T>>): void;
}

export function createFeed(type = 'test-feed'): Feed {
  let out: Emit | undefined;
  const queued: [TopicName, unknown][] = [];
  return {
    factory: {
      kind: 'collector', type, stability: 'development', description: 'test feed', configSchema: Type.Object({}),
      create: (ctx) => ({
        start: async () => {
          out = ctx.emit;
          for (const [topic, value] of queued.splice(0)) out(topic, value as never);
        },
        stop: async () => { out = undefined; },
      }),
    },
    emit(topic, value) {
      if (out) out(topic, value);
      else queued.push([topic, value]);
    },
  };
}
