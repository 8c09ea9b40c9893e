// Stands in for runtime/core/src/tracing/tracing.ts in the lean bundle: the OpenTelemetry SDK (+7 MB RSS) is
// required from the separately bundled tracing.cjs only when the pipeline file turns tracing on. The
// condition mirrors spanProcessor() in tracing.ts: an exporter given, or one configured.
import { createRequire } from 'node:module';
import type { createTracing as CreateTracing } from '@faultline/runtime';

export const createTracing: typeof CreateTracing = (config, opts) => {
  if (!opts.exporter && (!config || config.exporter === 'none')) return undefined;
  const real = createRequire(import.meta.url)('./tracing.cjs') as { createTracing: typeof CreateTracing };
  return real.createTracing(config, opts);
};
