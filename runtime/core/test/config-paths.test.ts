import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Type } from '@sinclair/typebox';
import { PathSchema, createRegistry, loadPipelineConfig, type CollectorFactory } from '../src/index.js';

const Action = Type.Union([
  Type.Object({ type: Type.Literal('command'), cwd: Type.Optional(PathSchema()) }),
  Type.Object({ type: Type.Literal('webhook'), cwd: Type.Optional(Type.String()) }),
]);
const demo: CollectorFactory = {
  kind: 'collector', type: 'demo', stability: 'development', description: 'a collector with paths in its config',
  configSchema: Type.Object({
    rules_file: Type.Optional(PathSchema()),
    files: Type.Array(PathSchema(), { default: [] }),
    migrations_dir: PathSchema({ default: '' }),
    name: Type.String({ default: 'not/a/path' }),
    actions: Type.Array(Action, { default: [] }),
    by_site: Type.Record(Type.String(), PathSchema(), { default: {} }),
  }, { additionalProperties: false }),
  create: () => ({ start: async () => {}, stop: async () => {} }),
};
const registry = createRegistry([demo]);
const load = (text: string, file = '/etc/faultline/pipelines/p.yaml') => loadPipelineConfig(file, registry, { text, env: { RULES: 'env/rules.yaml' } });
const configOf = (text: string) => load(`collectors:\n  demo:\n${text}`).components[0]!.config as Record<string, unknown>;

test('relative paths in a component resolve against the pipeline file\'s directory, not the cwd', () => {
  const c = configOf('    rules_file: ../rules/r.yaml\n    files: [a.yaml, /abs/b.yaml, ./c/d.yaml]\n    name: x/y\n');
  assert.is(c.rules_file, '/etc/faultline/rules/r.yaml');
  assert.equal(c.files, ['/etc/faultline/pipelines/a.yaml', '/abs/b.yaml', '/etc/faultline/pipelines/c/d.yaml']);
  assert.is(c.name, 'x/y', 'a string that is not a path is left alone');
});

test('paths inside unions and records resolve by the member that describes them; ${env:} values too', () => {
  const c = configOf('    rules_file: ${env:RULES}\n    actions:\n      - { type: command, cwd: work }\n      - { type: webhook, cwd: work }\n    by_site:\n      lab: site/lab.yaml\n');
  assert.is(c.rules_file, '/etc/faultline/pipelines/env/rules.yaml');
  assert.equal(c.actions, [{ type: 'command', cwd: '/etc/faultline/pipelines/work' }, { type: 'webhook', cwd: 'work' }]);
  assert.equal(c.by_site, { lab: '/etc/faultline/pipelines/site/lab.yaml' });
});

test('defaults stay as they are: data_dir relative to the cwd, an empty path still empty', () => {
  const cfg = load('collectors:\n  demo: {}\n');
  assert.is(cfg.dataDir, '.dev/faultline');
  assert.is((cfg.components[0]!.config as { migrations_dir: string }).migrations_dir, '');
  assert.is(load('data_dir: state\n').dataDir, '/etc/faultline/pipelines/state');
});

test('the bus\'s TLS files resolve against the file too', () => {
  const cfg = load('bus:\n  type: kafka\n  kafka:\n    brokers: [k:9093]\n    tls: { ca_file: tls/ca.pem, cert_file: /etc/pki/c.pem }\n');
  assert.equal(cfg.bus.kafka?.tls, { ca_file: '/etc/faultline/pipelines/tls/ca.pem', cert_file: '/etc/pki/c.pem', reject_unauthorized: true });
});

test('a path of the wrong type is still reported by validation, at its line', () => {
  try {
    configOf('    files: [1]\n');
    assert.unreachable('a number is not a path');
  } catch (err) {
    assert.match(String(err), 'p.yaml:3:13: collectors.demo.files.0');
  }
});

test.run();
