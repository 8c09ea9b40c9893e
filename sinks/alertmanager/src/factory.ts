import type { SinkFactory } from '@faultline/runtime';
import { AlertmanagerSinkConfigSchema } from './config.js';
import { createAlertmanagerSink } from './sink.js';

export const alertmanagerSink = {
  kind: 'sink',
  type: 'alertmanager',
  stability: 'alpha',
  description: 'Posts notified active alarms to Alertmanager (API v2), re-posts them while active and resolves them when they clear',
  configSchema: AlertmanagerSinkConfigSchema,
  create: (ctx, config) => createAlertmanagerSink(ctx, config),
} satisfies SinkFactory<typeof AlertmanagerSinkConfigSchema>;
