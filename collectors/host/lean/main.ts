// `faultline collector host`, lean: the host collector and the bus, and nothing else of the faultline CLI.
// bundle.ts bundles this file (esbuild) and bin/faultline-collector-host runs the bundle with the collector's
// memory flags. The full CLI (runtime/cli) loads every component type, commander, tsx and the OpenTelemetry
// SDK, ~180 MB RSS for a process whose job is to read /proc every few seconds on every node.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ConfigError, createLogger, loadPipelineConfig, runUntilSignal,
} from '@faultline/runtime';
import { collectorOnlyRegistry, selectHostCollectors } from './registry.js';

const USAGE = `Usage: faultline collector host [-c <file>]

Runs the host collectors of the pipeline file (its collectors of type host) on this node: host metrics,
hardware faults and heartbeats, onto the pipeline's bus (Kafka, with the edge spool). Only the collectors
section is checked here; \`faultline config check <file>\` checks the whole file.

Options:
  -c, --config <file>  pipeline file (YAML) (default: deploy/pipelines/simplex.yaml)
  -h, --help           display this help`;

/** The repository (or install) root: the first directory up from here that holds deploy/kafka/topics.yaml. */
function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'deploy/kafka/topics.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no deploy/kafka/topics.yaml above ${from}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const root = findRoot(dirname(fileURLToPath(import.meta.url)));
  const file = values.config ?? resolve(root, 'deploy/pipelines/simplex.yaml');
  const log = createLogger('faultline');
  const config = selectHostCollectors(loadPipelineConfig(file, collectorOnlyRegistry()));
  log.info('starting pipeline', { config: file, node: config.node, bus: config.bus.type, components: config.components.length });
  if (config.components.length === 0) log.warn('the pipeline file configures no collector of type host');
  await runUntilSignal(config, log, { topicsFile: resolve(root, 'deploy/kafka/topics.yaml') });
}

// No top-level await: the bundle is CommonJS, whose require() of a builtin leaves its lazy parts unloaded (an ES
// module's import of node:fs or node:util builds the whole namespace: fs/promises, readline, worker_threads).
main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`faultline: the pipeline file has ${err.issues.length} problem${err.issues.length > 1 ? 's' : ''}:\n${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`faultline: ${(err as Error).message}\n`);
  if (process.env.FAULTLINE_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
