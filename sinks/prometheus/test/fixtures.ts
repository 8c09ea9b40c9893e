import type { MetricBatch } from '@faultline/schemas';

export function batch(node: string, samples: MetricBatch['samples'], meta?: MetricBatch['meta']): MetricBatch {
  const b: MetricBatch = { node, collector: 'host', ts: 1_700_000_000_000, interval_ms: 1000, samples };
  if (meta) b.meta = meta;
  return b;
}
