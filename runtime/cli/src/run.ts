import {
  createLogger, loadPipelineConfig, runUntilSignal, type ComponentKind,
  type PipelineConfig,
} from '@faultline/runtime';
import { DEFAULT_TOPICS } from './paths.js';
import { registry } from './registry.js';

export interface RunOptions {
  /** The pipeline file, or the name shown in errors when `text` is given. */
  config: string;
  /** The pipeline file's text, when it is built in memory (`faultline simulate`). */
  text?: string;
  /** Stop by itself after this long (default: run until a signal). */
  durationMs?: number;
  /** Run only the components of this kind (and type): `faultline collector host`. */
  only?: { kind: ComponentKind; type?: string };
}

export function selectComponents(config: PipelineConfig, only?: RunOptions['only']): PipelineConfig {
  if (!only) return config;
  const components = config.components.filter((c) => c.kind === only.kind && (!only.type || c.factory.type === only.type));
  return { ...config, components };
}

/** Runs a pipeline until SIGINT/SIGTERM, then stops it cleanly (a second signal exits at once). */
export async function runPipeline(opts: RunOptions): Promise<void> {
  const log = createLogger('faultline');
  const config = selectComponents(loadPipelineConfig(opts.config, registry, opts.text === undefined ? {} : { text: opts.text }), opts.only);
  log.info('starting pipeline', { config: opts.config, node: config.node, bus: config.bus.type, components: config.components.length });
  if (config.components.length === 0) {
    log.warn(opts.only
      ? `the pipeline file configures no ${opts.only.kind}${opts.only.type ? ` of type ${opts.only.type}` : ''}`
      : 'the pipeline file configures no component yet: nothing to run');
  }
  await runUntilSignal(config, log, { topicsFile: DEFAULT_TOPICS, ...(opts.durationMs === undefined ? {} : { durationMs: opts.durationMs }) });
}
