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

/**
 * The series of a batch without their values: names and label sets, index-aligned with
 * MetricColumns.values. Decoders share one instance among every batch that carries the same series
 * (a host sends the same series each interval, and a fleet's hosts mostly send the same ones), so a
 * consumer may key per-series work on its identity. Treat it and its label objects as read-only.
 */
export interface SeriesDictionary {
  readonly names: readonly string[];
  readonly labels: readonly Readonly<Record<string, string>>[];
}

/** A batch's samples as columns: what the correlator reads, without one object per sample. */
export interface MetricColumns {
  readonly series: SeriesDictionary;
  readonly values: Float64Array;
}

export type MetricBatchHead = Omit<MetricBatch, 'samples'>;

const COLUMNS = Symbol('faultline.metric-columns');
type WithColumns = MetricBatch & { [COLUMNS]?: MetricColumns };

/**
 * A MetricBatch backed by columns. `samples` is built on first read (a sink that wants objects pays
 * for them; the correlator never reads them); from then on the samples are the truth and the columns
 * are dropped, so a caller that edits `samples` is never contradicted by stale columns.
 */
export function columnarBatch(head: MetricBatchHead, series: SeriesDictionary, values: Float64Array): MetricBatch {
  if (series.names.length !== values.length) throw new Error(`columnar batch: ${series.names.length} series but ${values.length} values`);
  const batch = { ...head } as WithColumns;
  const settle = (samples: Sample[]) => {
    delete batch[COLUMNS];
    Object.defineProperty(batch, 'samples', { value: samples, enumerable: true, writable: true, configurable: true });
    return samples;
  };
  Object.defineProperty(batch, 'samples', {
    enumerable: true, configurable: true,
    get: () => settle(series.names.map((name, i) => ({ name, labels: { ...series.labels[i] }, value: values[i]! }))),
    set: settle,
  });
  Object.defineProperty(batch, COLUMNS, { value: { series, values }, enumerable: false, configurable: true });
  return batch;
}

/** The columns of a columnar batch whose samples were never read; undefined for any other batch. */
export const ownColumns = (batch: MetricBatch): MetricColumns | undefined => (batch as WithColumns)[COLUMNS];

/** The batch's columns: free for a columnar batch whose samples were never read, built from `samples` otherwise. */
export function metricColumns(batch: MetricBatch): MetricColumns {
  const own = ownColumns(batch);
  if (own) return own;
  const { samples } = batch;
  const names = new Array<string>(samples.length);
  const labels = new Array<Record<string, string>>(samples.length);
  const values = new Float64Array(samples.length);
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    names[i] = s.name;
    labels[i] = s.labels;
    values[i] = s.value;
  }
  return { series: { names, labels }, values };
}
