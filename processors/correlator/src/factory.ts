import type { ProcessorFactory } from '@faultline/runtime';
import { CorrelatorConfigSchema } from './config.js';
import { createCorrelator } from './processor.js';

export const correlatorProcessor: ProcessorFactory<typeof CorrelatorConfigSchema> = {
  kind: 'processor',
  type: 'correlator',
  stability: 'alpha',
  description: 'Turns metrics, faults and heartbeats into alarm transitions (thresholds, fm-api, inhibition, flapping, silences, heartbeat loss)',
  configSchema: CorrelatorConfigSchema,
  create: createCorrelator,
};
