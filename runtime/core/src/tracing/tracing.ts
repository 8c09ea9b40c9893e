import { resolve } from 'node:path';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { TopicName } from '@faultline/schemas';
import { recordAttributes } from './attributes.js';
import type { TracingConfig } from './config.js';
import { FileSpanExporter } from './file-exporter.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

/** What the pipeline traces: the records components publish and the records sinks write. */
export interface Tracing {
  /**
   * A span for one record a component publishes, a child of the trace the record came with (its
   * `parent` traceparent) or, with `root`, the start of a new trace. Returns the traceparent the record
   * carries on (the new span's), or `parent` unchanged when no span was made.
   */
  published(component: string, topic: TopicName, value: unknown, parent: string | undefined, root: boolean, startTime?: number): string | undefined;
  /** Starts a span per traced record a sink writes; the returned function ends them when the write settles. */
  writing(component: string, records: readonly { topic: TopicName; value: unknown; traceparent?: string }[]): (error?: Error) => void;
  /** Flushes what is buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  node: string;
  dataDir: string;
  /** An exporter to use instead of the configured one (an InMemorySpanExporter in tests). */
  exporter?: SpanExporter;
}

/** The pipeline's tracer, or undefined when tracing is off (no config or exporter `none`, and no exporter given). */
export function createTracing(config: TracingConfig | undefined, opts: TracingOptions): Tracing | undefined {
  const processor = spanProcessor(config, opts);
  if (!processor) return undefined;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': config?.service_name ?? 'faultline', 'host.name': opts.node }),
    spanProcessors: [processor],
  });
  return tracingWith(provider.getTracer('faultline'), () => provider.shutdown());
}

function spanProcessor(config: TracingConfig | undefined, opts: TracingOptions): SpanProcessor | undefined {
  // SDK 3.x takes the exporter inside an options object (passing it bare throws at shutdown).
  if (opts.exporter) return new SimpleSpanProcessor({ exporter: opts.exporter });
  if (!config) return undefined;
  switch (config.exporter) {
    case 'none': return undefined;
    case 'file': return new SimpleSpanProcessor({ exporter: new FileSpanExporter(resolve(opts.dataDir, config.file)) });
    case 'otlp': return new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: config.otlp.url, headers: config.otlp.headers }) });
  }
}

function tracingWith(tracer: Tracer, shutdown: () => Promise<void>): Tracing {
  /** The context to start a child in: the record's remote parent, or a fresh root. */
  const parentContext = (traceparent: string | undefined) => {
    const sc = parseTraceparent(traceparent);
    return sc ? trace.setSpanContext(ROOT_CONTEXT, sc) : undefined;
  };
  return {
    published(component, topic, value, parent, root, startTime) {
      const ctx = parentContext(parent);
      if (!ctx && !root) return parent;
      const span = tracer.startSpan(`${component} publish ${topic}`, {
        kind: SpanKind.PRODUCER, attributes: { 'faultline.component': component, ...recordAttributes(topic, value) },
        ...(startTime !== undefined && { startTime }),
      }, ctx ?? ROOT_CONTEXT);
      span.end();
      return formatTraceparent(span.spanContext());
    },
    writing(component, records) {
      const spans: Span[] = [];
      for (const r of records) {
        const ctx = parentContext(r.traceparent);
        if (!ctx) continue;
        spans.push(tracer.startSpan(`${component} write ${r.topic}`, {
          kind: SpanKind.CONSUMER, attributes: { 'faultline.component': component, ...recordAttributes(r.topic, r.value) },
        }, ctx));
      }
      return (error) => {
        for (const s of spans) {
          if (error) s.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
          s.end();
        }
      };
    },
    shutdown,
  };
}
