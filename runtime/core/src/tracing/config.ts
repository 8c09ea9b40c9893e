import { Type, type Static } from '@sinclair/typebox';

/** The pipeline file's `tracing:` section. Off by default: no tracer, no span objects on the hot path. */
export const TracingConfigSchema = Type.Object({
  exporter: Type.Union([Type.Literal('none'), Type.Literal('file'), Type.Literal('otlp')], {
    default: 'none',
    description: 'none: no spans at all; file: one JSON line per span in `file`; otlp: OTLP/HTTP (JSON) to `otlp.url`',
  }),
  file: Type.String({ default: 'traces.jsonl', description: 'span file of the file exporter; relative to data_dir' }),
  otlp: Type.Object({
    url: Type.String({ default: 'http://127.0.0.1:4318/v1/traces', description: 'OTLP/HTTP traces endpoint (a collector, Jaeger, Tempo)' }),
    headers: Type.Record(Type.String(), Type.String(), { default: {}, description: 'extra HTTP headers, e.g. an authorization token via ${env:NAME}' }),
  }, { additionalProperties: false, default: {} }),
  service_name: Type.String({ minLength: 1, default: 'faultline', description: 'the service.name resource attribute of every span' }),
}, { additionalProperties: false, default: {} });

export type TracingConfig = Static<typeof TracingConfigSchema>;
