import { Command } from 'commander';
import { createKafkaTopics, kafkaConfigOf, listKafkaTopics, loadPipelineConfig, loadTopicSpecs } from '@faultline/runtime';
import { DEFAULT_PIPELINE, DEFAULT_TOPICS } from '../paths.js';
import { registry } from '../registry.js';

interface TopicsOptions { config: string; topics: string }

/** The Kafka settings of a pipeline file; the embedded bus has no topics to manage. */
function kafkaOf(opts: TopicsOptions) {
  const cfg = loadPipelineConfig(opts.config, registry);
  if (cfg.bus.type !== 'kafka') {
    throw new Error(`${opts.config} uses the ${cfg.bus.type} bus: its topics live in the process, there is nothing to create (use a file with bus.type: kafka)`);
  }
  return kafkaConfigOf(cfg.bus);
}

const fmt = (config: Record<string, string>) => Object.entries(config).map(([k, v]) => `${k}=${v}`).join(' ');

/** `faultline topics create|list`: install and inspect the topics of deploy/kafka/topics.yaml. */
export function topicsCommand(): Command {
  const cmd = new Command('topics').description('create and list the Kafka topics faultline uses (deploy/kafka/topics.yaml)');
  const options = (c: Command) => c
    .option('-c, --config <file>', 'pipeline file whose bus.kafka section says how to reach the brokers', DEFAULT_PIPELINE)
    .option('--topics <file>', 'topic definitions (name, partitions, config)', DEFAULT_TOPICS);

  options(cmd.command('create').description('create the topics that are missing; existing ones are left as they are'))
    .addHelpText('after', '\nExample:\n  faultline topics create -c deploy/faultline.example.yaml')
    .action(async (o: TopicsOptions) => {
      const specs = loadTopicSpecs(o.topics);
      const created = await createKafkaTopics(kafkaOf(o), specs);
      for (const s of specs) {
        process.stdout.write(`${created.includes(s.name) ? 'created' : 'exists '} ${s.name} (${s.partitions} partitions${s.config ? `, ${fmt(s.config)}` : ''})\n`);
      }
    });

  options(cmd.command('list').description('list the topics on the cluster: partitions, own settings, and whether topics.yaml defines them'))
    .action(async (o: TopicsOptions) => {
      const defined = new Map(loadTopicSpecs(o.topics).map((s) => [s.name, s]));
      const onCluster = await listKafkaTopics(kafkaOf(o));
      for (const t of onCluster) {
        const spec = defined.get(t.name);
        const drift = !spec ? [] : [
          ...(spec.partitions !== t.partitions ? [`${spec.partitions} partitions`] : []),
          ...Object.entries(spec.config ?? {}).filter(([k, v]) => t.config[k] !== v).map(([k, v]) => `${k}=${v}`),
        ];
        // `topics create` leaves existing topics alone: drift (e.g. a topic auto-created with broker defaults) is shown here.
        const note = !spec ? '' : drift.length ? `  (topics.yaml says ${drift.join(' ')})` : '  (as in topics.yaml)';
        process.stdout.write(`${t.name}\t${t.partitions}\t${fmt(t.config) || '-'}${note}\n`);
      }
      const missing = [...defined.keys()].filter((n) => !onCluster.some((t) => t.name === n));
      if (missing.length) process.stdout.write(`missing (run \`faultline topics create\`): ${missing.join(', ')}\n`);
    });
  return cmd;
}
