import type { ProcessorFactory } from '@faultline/runtime';
import { RemediatorConfigSchema } from './config.js';
import { createRemediator } from './remediator.js';

export const remediatorProcessor: ProcessorFactory<typeof RemediatorConfigSchema> = {
  kind: 'processor',
  type: 'remediator',
  stability: 'alpha',
  description: 'acts on alarms: rules → ordered steps (webhook, command) under safety limits, with approval, verification and an audit trail',
  configSchema: RemediatorConfigSchema,
  create: (ctx, config) => createRemediator(ctx, config),
};
