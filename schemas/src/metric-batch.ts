import { Type, type Static } from '@sinclair/typebox';
import { EpochMsSchema, LabelsSchema } from './common.js';

export const SampleSchema = Type.Object({
  /** Prometheus-style name with the unit suffix: node_cpu_seconds_total, node_memory_available_bytes. */
  name: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }),
  labels: LabelsSchema,
  value: Type.Number(),
});

export const MetricMetaSchema = Type.Object({
  type: Type.Union([Type.Literal('counter'), Type.Literal('gauge')]),
  unit: Type.String({ description: 'base unit: seconds, bytes, celsius, ratio, ...; empty when unitless' }),
  help: Type.String(),
});

export const MetricBatchSchema = Type.Object({
  node: Type.String({ minLength: 1 }),
  collector: Type.String({ minLength: 1 }),
  ts: EpochMsSchema,
  interval_ms: Type.Integer({ minimum: 1 }),
  samples: Type.Array(SampleSchema),
  /** Type, unit and help per metric name, so sinks can pass metrics on without a catalog of their own. */
  meta: Type.Optional(Type.Record(Type.String(), MetricMetaSchema)),
});

export type Sample = Static<typeof SampleSchema>;
export type MetricMeta = Static<typeof MetricMetaSchema>;
export type MetricBatch = Static<typeof MetricBatchSchema>;
