import type { SchemaName } from './codec.js';

/**
 * The logical topics, what each carries and how it is keyed. Partition counts and topic configs live
 * in deploy/kafka/topics.yaml (what an operator installs); a test checks the two agree.
 */
export const TOPICS = {
  metrics: { schema: 'metric_batch', key: 'host' },
  faults: { schema: 'fault_event', key: 'host' },
  heartbeats: { schema: 'heartbeat', key: 'host' },
  alarms: { schema: 'alarm_transition', key: 'alarm' },
  'alarms.active': { schema: 'active_alarm', key: 'alarm', compacted: true },
  remediations: { schema: 'remediation_result', key: 'alarm' },
  deadletter: { schema: 'dead_letter', key: 'source' },
  /** The correlator's per-host state beside alarms.active: restored by whoever owns the host's partition. */
  'correlator.state': { schema: 'engine_state', key: 'host', compacted: true },
  /** Parent relations (node → pod, hypervisor → instance) for topology inhibition in the correlator. */
  inventory: { schema: 'inventory', key: 'host' },
  /** Operator actions and silent-host counts every correlator member follows; the writer names each key. */
  'correlator.shared': { schema: 'correlator_shared', key: 'given', compacted: true },
} as const satisfies Record<string, { schema: SchemaName; key: 'host' | 'alarm' | 'source' | 'given'; compacted?: true }>;

/** Compacted topics keep the last value per key (a null value deletes it): state, not history. */
export const isCompacted = (topic: TopicName): boolean => 'compacted' in TOPICS[topic];

export type TopicName = keyof typeof TOPICS;
export type SchemaOfTopic<T extends TopicName> = (typeof TOPICS)[T]['schema'];

export const isTopicName = (s: string): s is TopicName => Object.hasOwn(TOPICS, s);

/** The root entity of a path (`host=compute-0.port=eth0` → `compute-0`): the key that keeps a host on one partition. */
export function rootEntity(entityInstanceId: string): string {
  const first = entityInstanceId.split('.', 1)[0] ?? '';
  const eq = first.indexOf('=');
  return eq < 0 ? first : first.slice(eq + 1);
}
