import type { CollectorFactory } from '@faultline/runtime';
import { HostCollectorConfigSchema } from './config.js';
import { createHostCollector } from './collector.js';

export const hostCollector: CollectorFactory<typeof HostCollectorConfigSchema> = {
  kind: 'collector',
  type: 'host',
  stability: 'alpha',
  description: 'host metrics from /proc and /sys, hardware faults and heartbeats (runs on every node)',
  configSchema: HostCollectorConfigSchema,
  create: createHostCollector,
};
