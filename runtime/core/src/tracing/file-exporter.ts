import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { hrTimeToMicroseconds, ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/** One exported span as a line of the span file: enough to rebuild and check a trace across processes. */
export interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  service: string;
  startUs: number;
  endUs: number;
  status: number;
  attributes: Record<string, unknown>;
}

export function toSpanLine(span: ReadableSpan): SpanLine {
  const sc = span.spanContext();
  const line: SpanLine = {
    traceId: sc.traceId, spanId: sc.spanId, name: span.name, kind: span.kind,
    service: String(span.resource.attributes['service.name'] ?? ''),
    startUs: hrTimeToMicroseconds(span.startTime), endUs: hrTimeToMicroseconds(span.endTime),
    status: span.status.code, attributes: { ...span.attributes },
  };
  if (span.parentSpanContext) line.parentSpanId = span.parentSpanContext.spanId;
  return line;
}

/**
 * Appends each span as one JSON line. The SDK has only console and in-memory exporters; a file per
 * process is what lets a test (or an operator without a collector) merge the spans of separate
 * processes into traces. Synchronous append: a span is on disk when export returns, even if the
 * process is killed right after.
 */
export class FileSpanExporter implements SpanExporter {
  constructor(private readonly file: string) {
    mkdirSync(dirname(file), { recursive: true });
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    try {
      appendFileSync(this.file, spans.map((s) => JSON.stringify(toSpanLine(s)) + '\n').join(''));
      done({ code: ExportResultCode.SUCCESS });
    } catch (error) {
      done({ code: ExportResultCode.FAILED, error: error as Error });
    }
  }

  async shutdown(): Promise<void> {}
}
