export { recordAttributes } from './attributes.js';
export { TracingConfigSchema } from './config.js';
export type { TracingConfig } from './config.js';
export { FileSpanExporter, toSpanLine } from './file-exporter.js';
export type { SpanLine } from './file-exporter.js';
export { formatTraceparent, parseTraceparent } from './traceparent.js';
export { createTracing } from './tracing.js';
export type { Tracing, TracingOptions } from './tracing.js';
