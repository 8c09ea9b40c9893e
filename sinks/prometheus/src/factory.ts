import type { SinkFactory } from '@faultline/runtime';
import { PrometheusSinkConfigSchema } from './config.js';
import { createPrometheusSink } from './sink.js';

export const prometheusSink = {
  kind: 'sink',
  type: 'prometheus',
  stability: 'alpha',
  description: 'Prometheus exposition endpoint: host metrics, alarm state as series, and the pipeline\'s own metrics',
  configSchema: PrometheusSinkConfigSchema,
  create: (ctx, config) => createPrometheusSink(ctx, config, {
    pipelineRegistries: () => (ctx.telemetry ? [ctx.telemetry.registry] : []),
  }),
} satisfies SinkFactory<typeof PrometheusSinkConfigSchema>;
