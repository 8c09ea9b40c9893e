import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '@faultline/runtime';

export const SimulatorConfigSchema = Type.Object({
  hosts: Type.Integer({ minimum: 1, default: 100, description: 'how many hosts to simulate' }),
  series_per_host: Type.Integer({ minimum: 8, default: 500, description: 'samples in each host\'s MetricBatch' }),
  interval: DurationSchema({ default: '10s', description: 'each host sends one MetricBatch per interval, spread evenly over it' }),
  heartbeat_period: DurationSchema({ default: '1s', description: 'each host\'s heartbeat period (mtce uses 100ms; a large fleet on one machine cannot)' }),
  heartbeats: Type.Boolean({ default: true, description: 'send heartbeats at all (off: measure the metrics path alone)' }),
  host_prefix: Type.String({ default: 'sim-', description: 'host names are <prefix><index>' }),
  host_offset: Type.Integer({ minimum: 0, default: 0, description: 'index of the first host: simulators with disjoint ranges (0, 5000, ...) make one fleet' }),
  seed: Type.Integer({ default: 1, description: 'the same seed gives the same fleet and the same events' }),
  scenarios: Type.Object({
    flapping_interfaces: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'share of hosts with an interface whose carrier comes and goes' }),
    filling_filesystems: Type.Number({ minimum: 0, maximum: 1, default: 0.01, description: 'share of hosts whose /var fills up and is then cleaned' }),
    silent_hosts: Type.Integer({ minimum: 0, default: 0, description: 'hosts that stop sending anything after silent_after' }),
    silent_after: DurationSchema({ default: '60s' }),
  }, { default: {}, additionalProperties: false }),
}, { additionalProperties: false });

export type SimulatorConfig = Static<typeof SimulatorConfigSchema>;
