import {
  createBus, createLogger, kafkaConfigOf, loadPipelineConfig, loadTopicSpecs, startPipeline, type ComponentKind,
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
  const spool = kafkaConfigOf(config.bus).spool;
  const pipeline = await startPipeline(config, createBus(config.bus, config.dataDir, { log: log.child('bus') }), log, {
    topics: loadTopicSpecs(DEFAULT_TOPICS),
    spool: { maxBytes: spool.max_bytes, clearAfterMs: spool.clear_after_ms },
  });
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      if (++signals > 1) process.exit(130);
      log.info(`${sig}: stopping (send it again to exit at once)`);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    if (config.components.length === 0) resolve();
    // Holds the event loop open: a pipeline of only sinks on the embedded bus has no other handle,
    // and Node would end the process with "unsettled top-level await" instead of waiting for a signal.
    const hold = setTimeout(resolve, opts.durationMs ?? 2 ** 31 - 1);
    process.once('SIGINT', () => clearTimeout(hold)).once('SIGTERM', () => clearTimeout(hold));
  });
  await pipeline.stop();
  log.info('stopped');
}
