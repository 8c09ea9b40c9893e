export { once } from './component.js';
export type {
  AnyFactory, Collector, CollectorContext, CollectorFactory, ComponentContext, ComponentKind, Emit, EmitOptions,
  Envelope, Lifecycle, Processor, ProcessorContext, ProcessorFactory, Sink, SinkFactory, Stability,
} from './component.js';
export { createLogger, silentLogger } from './log.js';
export type { Level, Logger, LoggerOptions } from './log.js';
export { DurationSchema, parseDuration } from './duration.js';
export { ConfigError, PipelineFileSchema, formatIssue, loadPipelineConfig } from './config.js';
export type { ComponentEntry, ConfigIssue, LoadOptions, PipelineConfig } from './config.js';
export { createRegistry } from './registry.js';
export type { Registry } from './registry.js';
export { BusConfigSchema, KafkaConfigSchema } from './bus/config.js';
export type { BusConfig, KafkaConfig } from './bus/config.js';
export type {
  Bus, BusRecord, ConsumeOptions, OutboundRecord, Producer, Subscription, TopicPartition, TopicSpec,
} from './bus/types.js';
export { createEmbeddedBus } from './bus/embedded.js';
export { decodeBatch, defaultKey, startPipeline, toOutbound } from './pipeline.js';
export type { DecodedBatch, RunningPipeline } from './pipeline.js';
