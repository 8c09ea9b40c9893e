import { parseDuration, type ComponentContext, type Envelope, type Sink } from '@faultline/runtime';
import type { AlarmTransition } from '@faultline/schemas';
import type { Registry } from 'prom-client';
import { startAgent, type AlarmAgent } from './agent.js';
import { configProblems, type Destination, type SnmpSinkConfig } from './config.js';
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
  let senders: { dest: Destination; sender: Sender }[] = [];
  let agent: AlarmAgent | undefined;
  const timers: NodeJS.Timeout[] = [];
  let stopping: Promise<void> | undefined;

  const resync = () => {
    const n = encodeResync(oids, tables.activeCount(), tables.lastEventIndex());
    for (const { sender } of senders) sender.offer(n);
  };

  async function stop() {
    timers.forEach(clearInterval);
    for (const { sender } of senders) sender.flushSummary();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(senders.map(({ sender }) => sender.drain())),
      new Promise((r) => { timer = setTimeout(r, DRAIN_LIMIT_MS); }),
    ]);
    clearTimeout(timer);
    senders.forEach(({ sender }) => sender.close());
    senders = [];
    await agent?.close();
    agent = undefined;
  }

  return {
    inputs: ['alarms'],
    async start() {
      senders = config.destinations.map((dest) => ({ dest, sender: createSender(dest, oids, ctx.id, metrics, ctx.log) }));
      for (const { dest, sender } of senders) {
        const t = setInterval(() => sender.flushSummary(), parseDuration(dest.rate_limit.summary_interval));
        t.unref();
        timers.push(t);
      }
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
        for (const { dest, sender } of senders) {
          if (wants(dest.filter, rec.event)) sender.offer(n, { eventIndex: rec.index, severity: rec.event.severity });
          else metrics.filtered.inc({ sink: ctx.id, destination: dest.name });
        }
      }
      if (ch.resync) resync();
    },
    stop: () => (stopping ??= stop()),
  };
}
