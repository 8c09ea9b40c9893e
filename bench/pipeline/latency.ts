// Fault → trap latency: a fault `set` emitted by a collector, through the bus, the correlator, the alarms
// topic and the SNMP sink, to its line in snmptrapd's log. Baseline: the same alarm's transition handed
// straight to the SNMP sink's write().
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Value } from '@sinclair/typebox/value';
import {
  createBus, createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, silentLogger, startPipeline, type Envelope,
} from '@faultline/runtime';
import type { Alarm, AlarmTransition, FaultEvent } from '@faultline/schemas';
import { correlatorProcessor } from '@faultline/processor-correlator';
import { SnmpSinkConfigSchema, createSnmpSink, snmpSink, type SnmpSinkConfig } from '@faultline/sink-snmp';
import { createFeed, createRecorder } from './components.js';
import { entityKeys, quantiles, tailTrapLog, type Quantiles } from './trap-log.js';

export interface LatencyOptions {
  trapLog: string;
  trapd: { host: string; port: number; community: string };
  kafkaBrokers: string[];
  count: number;
  rate: number;
}

const destination = (o: LatencyOptions) => ({ name: 'trapd', host: o.trapd.host, port: o.trapd.port, version: 'v2c', community: o.trapd.community });

/** Emits `count` faults (or whatever `send` does) at `rate`/s, one entity each, and times their traps. */
async function paced(o: LatencyOptions, marker: string, send: (entity: string) => void): Promise<Quantiles> {
  const tail = tailTrapLog(o.trapLog, entityKeys(marker));
  const entities = Array.from({ length: o.count }, (_, i) => `${marker}.interface=if${i}`);
  const sentAt = new Map<string, number>();
  const gap = 1000 / o.rate;
  const start = performance.now();
  for (const [i, entity] of entities.entries()) {
    const wait = start + i * gap - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sentAt.set(entity, performance.now());
    send(entity);
  }
  await tail.until(entities, 3000);
  tail.close();
  return quantiles(sentAt, tail.seen);
}

const fault = (entity: string): FaultEvent => ({
  op: 'set', alarm_id: '700.110', entity_instance_id: entity, severity: 'major', reason_text: 'carrier lost', ts: Date.now(),
});

/**
 * Median ms from the emit to: a consumer of the faults topic (what the correlator waits for its input),
 * the correlator's transition record (its bus timestamp: when it was produced), a consumer of the alarms topic.
 */
export interface Hops { toFaultsConsumer: number; toCorrelator: number; toAlarmsConsumer: number }

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * The whole pipeline in this process: feed → bus → correlator → alarms → SNMP sink → snmptrapd. A second
 * sink on the faults topic and one on the alarms topic note when each record arrived: the latency by hop.
 */
export async function pipelineLatency(o: LatencyOptions, busType: 'embedded' | 'kafka'): Promise<Quantiles & { hops: Hops }> {
  const run = randomUUID().slice(0, 8);
  const node = `plb-${busType}-${run}`;
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-pipeline-'));
  const feed = createFeed();
  const alarms = createRecorder('alarms');
  const faults = createRecorder('faults');
  // Unique instance names: on the shared broker each run gets its own consumer groups.
  const text = JSON.stringify({
    node, data_dir: dir,
    bus: busType === 'kafka' ? { type: 'kafka', kafka: { brokers: o.kafkaBrokers, client_id: `bench-${run}` } } : { type: 'embedded' },
    collectors: { [`feed_${run}`]: { type: feed.factory.type } },
    processors: { [`correlator_${run}`]: { type: 'correlator', api: { enabled: false } } },
    sinks: {
      [`snmp_${run}`]: { type: 'snmp', agent: { enabled: false }, destinations: [destination(o)] },
      [`alarms_${run}`]: { type: alarms.factory.type },
      [`faults_${run}`]: { type: faults.factory.type },
    },
  });
  const registry = createRegistry([correlatorProcessor, snmpSink, feed.factory, alarms.factory, faults.factory]);
  const config = loadPipelineConfig(`bench-${busType}.yaml`, registry, { text });
  const log = createLogger('bench', { level: 'error' });
  const bus = busType === 'kafka' ? createBus(config.bus, dir, { log }) : createEmbeddedBus();
  const p = await startPipeline(config, bus, log);
  try {
    // A fresh group on the shared broker first reads what the topics already hold: wait until one probe
    // fault has come through, so the timed faults do not queue behind that backlog.
    await paced({ ...o, count: 1, rate: 1 }, `host=${node}-warmup`, (e) => feed.emit('faults', fault(e)));
    const emittedAt = new Map<string, number>();
    const q = await paced(o, `host=${node}`, (e) => {
      const f = fault(e);
      emittedAt.set(e, f.ts);
      feed.emit('faults', f);
    });
    const raised = alarms.seen.flatMap(({ at, producedAt, value: t }) => {
      const emitted = t.kind === 'raised' ? emittedAt.get(t.alarm.entity_instance_id) : undefined;
      return emitted === undefined ? [] : [{ toCorrelator: producedAt - emitted, toAlarmsConsumer: at - emitted }];
    });
    const faultsIn = faults.seen.flatMap(({ at, value: f }) => {
      const emitted = emittedAt.get(f.entity_instance_id);
      return emitted === undefined ? [] : [at - emitted];
    });
    const hops = {
      toFaultsConsumer: median(faultsIn),
      toCorrelator: median(raised.map((r) => r.toCorrelator)),
      toAlarmsConsumer: median(raised.map((r) => r.toAlarmsConsumer)),
    };
    return { ...q, hops };
  } finally {
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Baseline: the raised transition of the same alarm, handed to the SNMP sink's write() (as the pipeline would). */
export async function sinkOnlyLatency(o: LatencyOptions): Promise<Quantiles> {
  const run = randomUUID().slice(0, 8);
  const config = Value.Default(SnmpSinkConfigSchema, { agent: { enabled: false }, destinations: [destination(o)] }) as SnmpSinkConfig;
  const sink = createSnmpSink({ id: `sinks.snmp_${run}`, node: 'bench', log: silentLogger, dataDir: tmpdir() }, config);
  await sink.start();
  let seq = 0;
  const transition = (entity: string): AlarmTransition => {
    const now = Date.now();
    const alarm: Alarm = {
      uuid: randomUUID(), alarm_id: '700.110', entity_type_id: 'host.interface', entity_instance_id: entity, severity: 'major',
      reason_text: 'carrier lost', alarm_type: 'communication', probable_cause: 'loss-of-signal',
      proposed_repair_action: 'Check the cable', service_affecting: true, suppression_allowed: true, state: 'active',
      raised_at: now, updated_at: now, inhibited: false, suppressed: false, silenced_by: [], flapping: false, source: 'bench', labels: {},
    };
    return { uuid: randomUUID(), at: now, kind: 'raised', seq: ++seq, alarm };
  };
  const envelope = (t: AlarmTransition): Envelope => ({ topic: 'alarms', key: null, value: t, partition: 0, offset: String(seq), timestamp: 0 } as Envelope);
  try {
    return await paced(o, `host=plb-sink-${run}`, (e) => void sink.write([envelope(transition(e))]));
  } finally {
    await sink.stop();
  }
}
