import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import { ConfigError, createRegistry, loadPipelineConfig, type CollectorFactory } from '../src/index.js';

const demo: CollectorFactory = {
  kind: 'collector', type: 'demo', stability: 'development', description: 'test collector',
  configSchema: Type.Object({ interval_ms: Type.Integer({ minimum: 1, default: 1000 }), port: Type.Integer({ minimum: 1, maximum: 65535 }) }, { additionalProperties: false }),
  create: () => ({ start: async () => {}, stop: async () => {} }),
};
const registry = createRegistry([demo]);

function issuesOf(text: string) {
  try {
    loadPipelineConfig('pipe.yaml', registry, { text, env: {} });
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  return [];
}

test('defaults are applied to the top level and to each component', () => {
  const cfg = loadPipelineConfig('pipe.yaml', registry, { text: 'node: n1\ncollectors:\n  demo: { port: 80 }\n', env: {} });
  assert.is(cfg.bus.type, 'embedded');
  assert.equal(cfg.components[0]?.config, { interval_ms: 1000, port: 80 });
  assert.is(cfg.components[0]?.id, 'collectors.demo');
});

test('a bad value is reported with its line, column and field path', () => {
  const issues = issuesOf('node: n1\ncollectors:\n  a:\n    type: demo\n    port: 70000\n');
  assert.is(issues.length, 1);
  assert.equal([issues[0]?.line, issues[0]?.column, issues[0]?.path], [5, 11, 'collectors.a.port']);
  assert.match(issues[0]!.message, 'got 70000');
});

test('every problem of a file is reported at once, unknown fields and types included', () => {
  const issues = issuesOf('bus: { type: kafak }\ncollectors:\n  a: { type: nope }\n  b: { type: demo, port: 1, colour: red }\n');
  const paths = issues.map((i) => i.path);
  assert.equal(paths, ['bus.type', 'collectors.a.type', 'collectors.b.colour']);
  assert.match(issues[1]!.message, 'known: demo');
});

test('YAML syntax errors give the line; ${env:} fills values and names what is unset', () => {
  assert.is(issuesOf('bus:\n  type: [\n')[0]?.line, 3);
  const cfg = loadPipelineConfig('p.yaml', registry, { text: 'node: ${env:N:-fallback}\n', env: {} });
  assert.is(cfg.node, 'fallback');
  assert.match(issuesOf('node: ${env:UNSET_VAR}\n')[0]!.message, 'UNSET_VAR');
});

test.run();
