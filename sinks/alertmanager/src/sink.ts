import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDuration, type ComponentContext, type Envelope, type Sink } from '@faultline/runtime';
import type { AlarmTransition } from '@faultline/schemas';
import { FAULTLINE_ALERT_NAMES } from './alert-names.js';
import { AlertsRejectedError, createAlertmanagerClient } from './client.js';
import type { AlertmanagerSinkConfig } from './config.js';
import { createAlertState, type StateSnapshot } from './state.js';

/**
 * Keeps Alertmanager's view equal to faultline's notified alarms. write() posts what changed and
 * resolves only once Alertmanager took it (a throw makes the runtime deliver the batch again; the
 * replay changes no state, and what is owed is posted again). A timer re-posts the firing alerts
 * before their endsAt. The alarm table is saved in dataDir after each batch, so a restarted sink
 * goes on re-posting the alarms raised before the restart and can resolve them.
 */
export function createAlertmanagerSink(ctx: ComponentContext, config: AlertmanagerSinkConfig): Sink {
  const repostMs = parseDuration(config.repost_interval);
  const ttlMs = parseDuration(config.alert_ttl);
  if (ttlMs <= repostMs) throw new Error(`${ctx.id}.alert_ttl (${config.alert_ttl}) must exceed repost_interval (${config.repost_interval})`);
  const client = createAlertmanagerClient(config.url, parseDuration(config.timeout), config.max_alerts_per_request);
  const state = createAlertState({
    names: { ...FAULTLINE_ALERT_NAMES, ...config.alert_names },
    staticLabels: config.labels,
    ...(config.generator_url ? { generatorUrl: config.generator_url } : {}),
  });
  const file = join(ctx.dataDir, 'alertmanager-state.json');
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();

  /** One flush at a time: the timer and write() never post interleaved. */
  const flush = (all: boolean) => {
    const run = chain.then(async () => {
      const alerts = state.due(Date.now(), ttlMs, all);
      if (!alerts.length) return;
      try {
        await client.post(alerts);
      } catch (err) {
        // Refused as invalid: retrying would stall this sink's input forever. Dropped and logged;
        // Alertmanager then resolves any of them it holds after alert_ttl.
        if (!(err instanceof AlertsRejectedError)) throw err;
        ctx.log.error('Alertmanager refused alerts; dropping them', { error: err.message, alerts: alerts.length });
      }
      state.sent(alerts);
    });
    chain = run.catch(() => {});
    return run;
  };

  function save() {
    mkdirSync(ctx.dataDir, { recursive: true });
    writeFileSync(`${file}.tmp`, JSON.stringify(state.snapshot()));
    renameSync(`${file}.tmp`, file);
  }

  return {
    inputs: ['alarms'],

    async start() {
      try {
        state.restore(JSON.parse(readFileSync(file, 'utf8')) as StateSnapshot);
        ctx.log.info('restored alarm state', { firing: state.firingCount });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      timer = setInterval(() => {
        flush(true).catch((err: Error) => ctx.log.warn('re-posting alerts failed; retrying at the next interval', { error: err.message }));
      }, repostMs);
      timer.unref();
      await flush(true).catch((err: Error) => ctx.log.warn('Alertmanager is not reachable yet', { error: err.message }));
    },

    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await chain;
    },

    async write(batch: readonly Envelope[]) {
      const at = Date.now();
      for (const e of batch) if (e.topic === 'alarms') state.apply(e.value as AlarmTransition, at);
      save();
      await flush(false);
    },
  };
}
