import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { TOPICS, isCompacted, type TopicName } from '@faultline/schemas';
import { loadTopicSpecs } from '../src/index.js';

const FILE = resolve(import.meta.dirname, '../../../deploy/kafka/topics.yaml');

test('deploy/kafka/topics.yaml defines exactly the topics of schemas\' TOPICS', () => {
  const names = loadTopicSpecs(FILE).map((t) => t.name).sort();
  assert.equal(names, Object.keys(TOPICS).sort());
});

test('the topics TOPICS marks compacted (alarms.active, correlator.state) are compacted, the others not', () => {
  for (const t of loadTopicSpecs(FILE)) {
    const compacted = t.config?.['cleanup.policy']?.includes('compact') ?? false;
    assert.is(compacted, isCompacted(t.name as TopicName), `${t.name}: cleanup.policy`);
  }
  assert.ok(isCompacted('alarms.active'));
});

test('host-keyed topics have several partitions so hosts spread across consumers', () => {
  const specs = new Map(loadTopicSpecs(FILE).map((t) => [t.name, t]));
  for (const [name, def] of Object.entries(TOPICS)) {
    if (def.key === 'host') assert.ok(specs.get(name)!.partitions > 1, `${name} has ${specs.get(name)!.partitions} partition(s)`);
  }
});

test('a topics file with a mistake is refused with the field named', () => {
  assert.throws(() => loadTopicSpecs(resolve(import.meta.dirname, 'fixtures/topics-bad.yaml')), /partitions/);
});

test.run();
