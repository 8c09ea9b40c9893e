import { parseDuration, type ComponentContext, type Envelope, type Sink } from '@faultline/runtime';
import type { AlarmTransition } from '@faultline/schemas';
import type { Registry } from 'prom-client';
import { startAgent, type AlarmAgent } from './agent.js';
import { configProblems, type SnmpSinkConfig } from './config.js';
import { createSender, type Sender } from './destination.js';
import { encodeEvent, encodeResync } from './encode.js';
import { wants } from './filter.js';
import { snmpMetrics } from './metrics.js';
import { alarmMibOids } from './oids.js';
import { createAlarmTables } from './tables.js';

/** How long stop() waits for queued notifications and unacknowledged informs before closing anyway. */
const DRAIN_LIMIT_MS = 5000;

export function createSnmpSink(ctx: ComponentContext, config: SnmpSinkConfig): Sink {
  const problems = configProblems(config);
  if (problems.length) throw new Error(`${ctx.id}: ${problems.join('; ')}`);
  const oids = alarmMibOids(config.enterprise_oid);
  const tables = createAlarmTables(config.agent.event_table_size);
  // The pipeline's registry when the runtime gives one (the Prometheus sink and the API's /metrics expose it).
  const pipelineRegistry = (ctx as ComponentContext & { telemetry?: { registry: Registry } }).telemetry?.registry;
  const metrics = snmpMetrics(pipelineRegistry);
  let senders: Sender[] = [];
  let agent: AlarmAgent | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping: Promise<void> | undefined;

  const resync = () => {
    const n = encodeResync(oids, tables.activeCount(), tables.lastEventIndex());
    for (const s of senders) s.offer(n);
  };

  async function stop() {
    timers.forEach(clearInterval);
    for (const s of senders) s.flushSummary();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(senders.map((s) => s.drain())),
      new Promise((r) => { timer = setTimeout(r, DRAIN_LIMIT_MS); }),
    ]);
    clearTimeout(timer);
    senders.forEach((s) => s.close());
    senders = [];
    await agent?.close();
    agent = undefined;
  }

  return {
    inputs: ['alarms'],
    async start() {
      senders = config.destinations.map((d) => createSender(d, oids, ctx.id, metrics, ctx.log));
      config.destinations.forEach((d, i) => {
        const t = setInterval(() => senders[i]?.flushSummary(), parseDuration(d.rate_limit.summary_interval));
        t.unref();
        timers.push(t);
      });
      if (config.agent.enabled) {
        agent = await startAgent(config.agent, oids, tables, ctx.log);
        ctx.log.info('snmp agent listening', { address: config.agent.address, port: config.agent.port });
      }
      // A (re)started sink may have missed transitions: managers should re-read the tables.
      resync();
    },
    async write(batch: readonly Envelope[]) {
      const transitions = batch.filter((e) => e.topic === 'alarms').map((e) => e.value as AlarmTransition);
      if (!transitions.length) return;
      const ch = tables.apply(transitions);
      agent?.apply(ch);
      metrics.transitions.inc({ sink: ctx.id, outcome: 'notified' }, ch.events.length);
      metrics.transitions.inc({ sink: ctx.id, outcome: 'not_notified' }, transitions.length - ch.events.length);
      for (const rec of ch.events) {
        const n = encodeEvent(oids, rec.event, rec.index);
        config.destinations.forEach((d, i) => {
          if (wants(d.filter, rec.event)) senders[i]!.offer(n, { eventIndex: rec.index, severity: rec.event.severity });
          else metrics.filtered.inc({ sink: ctx.id, destination: d.name });
        });
      }
      if (ch.resync) resync();
    },
    stop: () => (stopping ??= stop()),
  };
}
