import { createBus, kafkaConfigOf } from './bus/index.js';
import { loadTopicSpecs } from './bus/topics.js';
import type { PipelineConfig } from './config.js';
import type { Logger } from './log.js';
import { startPipeline } from './pipeline.js';

export interface RunUntilSignalOptions {
  /** deploy/kafka/topics.yaml: the topics a Kafka bus creates when they are missing. */
  topicsFile: string;
  /** Stop by itself after this long (default: run until a signal). */
  durationMs?: number;
}

/**
 * Runs a loaded pipeline until SIGINT or SIGTERM (or `durationMs`), then stops it cleanly; a second
 * signal exits at once. Shared by `faultline run` and the lean host collector, so both stop alike.
 */
export async function runUntilSignal(config: PipelineConfig, log: Logger, opts: RunUntilSignalOptions): Promise<void> {
  const spool = kafkaConfigOf(config.bus).spool;
  const pipeline = await startPipeline(config, createBus(config.bus, config.dataDir, { log: log.child('bus') }), log, {
    topics: loadTopicSpecs(opts.topicsFile),
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
