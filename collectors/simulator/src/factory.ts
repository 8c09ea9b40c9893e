import type { CollectorFactory } from '@faultline/runtime';
import { createSimulator } from './collector.js';
import { SimulatorConfigSchema } from './config.js';

export const simulatorCollector: CollectorFactory<typeof SimulatorConfigSchema> = {
  kind: 'collector',
  type: 'simulator',
  stability: 'development',
  description: 'a simulated fleet of hosts (metrics, heartbeats, flapping interfaces, filling filesystems, silent hosts)',
  configSchema: SimulatorConfigSchema,
  create: createSimulator,
};
