import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse } from 'yaml';
import type { TopicSpec } from './types.js';

/** deploy/kafka/topics.yaml: the one definition of the topics an operator installs. */
export const TopicsFileSchema = Type.Object({
  topics: Type.Array(Type.Object({
    name: Type.String({ minLength: 1 }),
    partitions: Type.Integer({ minimum: 1 }),
    config: Type.Optional(Type.Record(Type.String(), Type.String())),
  }, { additionalProperties: false }), { minItems: 1 }),
}, { additionalProperties: false });
export type TopicsFile = Static<typeof TopicsFileSchema>;

export function loadTopicSpecs(file: string): TopicSpec[] {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  const problems = [...Value.Errors(TopicsFileSchema, doc)].slice(0, 5).map((e) => `${e.path || '/'}: ${e.message}`);
  if (problems.length) throw new Error(`${file}: ${problems.join('; ')}`);
  return (doc as TopicsFile).topics.map((t) => ({ name: t.name, partitions: t.partitions, ...(t.config ? { config: t.config } : {}) }));
}
