export { once } from './component.js';
export type {
  AnyFactory, Collector, CollectorContext, CollectorFactory, ComponentContext, ComponentKind, Emit, EmitOptions,
  Envelope, Lifecycle, Processor, ProcessorContext, ProcessorFactory, Sink, SinkFactory, Stability,
} from './component.js';
export { createLogger, silentLogger } from './log.js';
export type { Level, Logger, LoggerOptions } from './log.js';
export { DurationSchema, parseDuration } from './duration.js';
export { PathSchema, resolveConfigPaths } from './config-paths.js';
export { ConfigError, PipelineFileSchema, formatIssue, loadPipelineConfig } from './config.js';
export type { ComponentEntry, ConfigIssue, LoadOptions, PipelineConfig } from './config.js';
export { createRegistry } from './registry.js';
export type { Registry } from './registry.js';
export { BusConfigSchema, KafkaConfigSchema } from './bus/config.js';
export type { BusConfig, KafkaConfig } from './bus/config.js';
export type {
  Bus, BusRecord, ConsumeOptions, Follower, FollowOptions, OutboundRecord, Producer, ProducerOptions, SpoolOptions, Subscription, TopicPartition,
  ReadAllOptions, TopicSpec,
} from './bus/types.js';
export { createBus, kafkaConfigOf } from './bus/index.js';
export { createEmbeddedBus } from './bus/embedded.js';
export type { EmbeddedBusOptions } from './bus/embedded.js';
export { createKafkaBus } from './bus/kafka.js';
export { connectionOptions } from './bus/kafka-connection.js';
export type { KafkaBusOptions } from './bus/kafka.js';
export { createKafkaTopics, listKafkaTopics } from './bus/kafka-admin.js';
export type { TopicState } from './bus/kafka-admin.js';
export { SPOOL_FAULT_ID, createSpool } from './bus/spool.js';
export type { Spool } from './bus/spool.js';
export { TopicsFileSchema, loadTopicSpecs } from './bus/topics.js';
export { createTelemetry } from './telemetry.js';
export type { Telemetry } from './telemetry.js';
export { decodeBatch, defaultKey, startPipeline, toOutbound } from './pipeline.js';
export type { DecodedBatch, PipelineOptions, RunningPipeline } from './pipeline.js';
export { runUntilSignal } from './run-until-signal.js';
export type { RunUntilSignalOptions } from './run-until-signal.js';
export {
  FileSpanExporter, TracingConfigSchema, createTracing, formatTraceparent, parseTraceparent, recordAttributes, toSpanLine,
} from './tracing/index.js';
export type { SpanLine, Tracing, TracingConfig, TracingOptions } from './tracing/index.js';
