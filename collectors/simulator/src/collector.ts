import { once, parseDuration, type Collector, type CollectorContext } from '@faultline/runtime';
import type { SimulatorConfig } from './config.js';
import { createFleet } from './fleet.js';

/** Steps the simulated fleet every TICK_MS and emits what is due; logs its rate every ten seconds. */
const TICK_MS = 50;

export function createSimulator(ctx: CollectorContext, config: SimulatorConfig): Collector {
  let timer: NodeJS.Timeout | undefined;
  let report: NodeJS.Timeout | undefined;
  const counts = { batches: 0, samples: 0, heartbeats: 0, faults: 0 };
  return {
    async start() {
      const fleet = createFleet({
        hosts: config.hosts, hostOffset: config.host_offset, seriesPerHost: config.series_per_host, intervalMs: parseDuration(config.interval),
        heartbeatPeriodMs: config.heartbeats ? parseDuration(config.heartbeat_period) : 0, hostPrefix: config.host_prefix, seed: config.seed,
        flappingShare: config.scenarios.flapping_interfaces, fillingShare: config.scenarios.filling_filesystems,
        silentHosts: config.scenarios.silent_hosts, silentAfterMs: parseDuration(config.scenarios.silent_after),
      }, Date.now());
      ctx.log.info('simulating a fleet', {
        hosts: config.hosts, first_host: `${config.host_prefix}${config.host_offset}`, series_per_host: config.series_per_host,
        interval: config.interval, heartbeat_period: config.heartbeats ? config.heartbeat_period : 'off',
      });
      timer = setInterval(() => {
        const out = fleet.step(Date.now());
        for (const b of out.batches) { ctx.emit('metrics', b); counts.samples += b.samples.length; }
        for (const h of out.heartbeats) ctx.emit('heartbeats', h);
        for (const f of out.faults) ctx.emit('faults', f);
        counts.batches += out.batches.length; counts.heartbeats += out.heartbeats.length; counts.faults += out.faults.length;
      }, TICK_MS);
      let last = { ...counts, at: Date.now() };
      report = setInterval(() => {
        const secs = (Date.now() - last.at) / 1000;
        ctx.log.info('simulated', {
          batches_per_s: Math.round((counts.batches - last.batches) / secs),
          samples_per_s: Math.round((counts.samples - last.samples) / secs),
          heartbeats_per_s: Math.round((counts.heartbeats - last.heartbeats) / secs),
          faults: counts.faults,
        });
        last = { ...counts, at: Date.now() };
      }, 10_000);
    },
    stop: once(async () => {
      clearInterval(timer);
      clearInterval(report);
    }),
  };
}
