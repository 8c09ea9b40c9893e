import { Admin } from '@platformatic/kafka';
import type { KafkaConfig } from './config.js';
import { connectionOptions } from './kafka-connection.js';
import type { TopicSpec } from './types.js';

export interface TopicState {
  name: string;
  partitions: number;
  /** Settings set on the topic itself (not broker defaults). */
  config: Record<string, string>;
}

const TOPIC_RESOURCE = 2; // ConfigResourceTypes.TOPIC
const DYNAMIC_TOPIC_CONFIG = 1; // ConfigSources.TOPIC_CONFIG: set on the topic, not inherited

async function withAdmin<T>(config: KafkaConfig, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({ ...connectionOptions(config), clientId: `${config.client_id}-admin` });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/** Creates the topics that are missing; existing ones are left as they are. Returns the names created. */
export function createKafkaTopics(config: KafkaConfig, topics: readonly TopicSpec[]): Promise<string[]> {
  return withAdmin(config, async (admin) => {
    const existing = new Set(await admin.listTopics());
    const created: string[] = [];
    for (const t of topics.filter((t) => !existing.has(t.name))) {
      try {
        await admin.createTopics({
          topics: [t.name], partitions: t.partitions, replicas: -1,
          configs: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
        });
        created.push(t.name);
      } catch (err) {
        // Another process may have created it meanwhile: that is what we wanted.
        if (!(await admin.listTopics()).includes(t.name)) throw err;
      }
    }
    return created;
  });
}

/** The topics on the cluster (internal ones left out), with partition counts and their own settings. */
export function listKafkaTopics(config: KafkaConfig, names?: readonly string[]): Promise<TopicState[]> {
  return withAdmin(config, async (admin) => {
    const all = (await admin.listTopics()).filter((n) => !n.startsWith('__') && (!names || names.includes(n))).sort();
    if (!all.length) return [];
    const meta = await admin.metadata({ topics: all });
    const configs = await admin.describeConfigs({ resources: all.map((resourceName) => ({ resourceType: TOPIC_RESOURCE, resourceName })) });
    return all.map((name) => {
      const own = configs.find((c) => c.resourceName === name)?.configs.filter((c) => c.configSource === DYNAMIC_TOPIC_CONFIG) ?? [];
      return {
        name,
        partitions: meta.topics.get(name)?.partitionsCount ?? 0,
        config: Object.fromEntries(own.map((c) => [c.name, c.value ?? ''])),
      };
    });
  });
}
