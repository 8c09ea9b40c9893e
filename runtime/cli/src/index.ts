export { buildProgram } from './program.js';
export { registry } from './registry.js';
export { runPipeline, selectComponents } from './run.js';
export type { RunOptions } from './run.js';
