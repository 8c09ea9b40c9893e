import { TraceFlags, type SpanContext } from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';

/** The W3C `traceparent` header value of a span context (version 00). */
export function formatTraceparent(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED) ? '01' : '00'}`;
}

/** The remote span context a record's `traceparent` header names, or undefined when absent or malformed. */
export function parseTraceparent(value: string | undefined): SpanContext | undefined {
  if (!value) return undefined;
  return parseTraceParent(value) ?? undefined;
}
