import { resolve } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import type { Logger } from '../log.js';
import type { Telemetry } from '../telemetry.js';
import { KafkaConfigSchema, type BusConfig, type KafkaConfig } from './config.js';
import { createEmbeddedBus } from './embedded.js';
import { createKafkaBus } from './kafka.js';
import type { Bus } from './types.js';

/** The `bus.kafka` section with every default applied (also when the file has none). */
export const kafkaConfigOf = (config: BusConfig): KafkaConfig =>
  Value.Default(KafkaConfigSchema, Value.Clone(config.kafka ?? {})) as KafkaConfig;

/** The bus a pipeline file asks for: Kafka, or the embedded one journaled under `<dataDir>/bus`. */
export function createBus(config: BusConfig, dataDir: string, opts: { telemetry?: Telemetry; log?: Logger } = {}): Bus {
  if (config.type === 'kafka') return createKafkaBus(kafkaConfigOf(config), opts);
  return createEmbeddedBus({ dir: resolve(dataDir, 'bus'), ...(opts.telemetry ? { telemetry: opts.telemetry } : {}) });
}
