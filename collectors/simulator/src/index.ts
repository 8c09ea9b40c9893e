export { simulatorCollector } from './factory.js';
export { SimulatorConfigSchema } from './config.js';
export type { SimulatorConfig } from './config.js';
export { createFleet, prng } from './fleet.js';
export type { FleetOptions, FleetOutput } from './fleet.js';
