import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'uvu';
import type { TSchema } from '@sinclair/typebox';
import * as assert from 'uvu/assert';
import { ConfigError, createRegistry, loadPipelineConfig } from '@faultline/runtime';
import { SnmpSinkConfigSchema, V3UserSchema, configProblems, snmpSink, type SnmpSinkConfig } from '../src/index.js';

const registry = createRegistry([snmpSink]);
const load = (yaml: string) => loadPipelineConfig('p.yaml', registry, { text: `sinks:\n${yaml}`, env: {} }).components[0]!.config as SnmpSinkConfig;

test('defaults: placeholder enterprise arc, dev agent on 127.0.0.1:11161, no destinations', () => {
  const c = load('  snmp: {}\n');
  assert.is(c.enterprise_oid, '1.3.6.1.4.1.32473');
  assert.equal([c.agent.enabled, c.agent.address, c.agent.port, c.agent.event_table_size], [true, '127.0.0.1', 11161, 1000]);
  assert.equal(c.destinations, []);
  assert.equal(configProblems(c), []);
});

test('a destination gets its defaults: v2c trap to 162, rate limit, filter', () => {
  const c = load('  snmp:\n    destinations:\n      - { name: nms, host: 10.0.0.5 }\n');
  const d = c.destinations[0]!;
  assert.equal([d.port, d.version, d.mode, d.queue_size], [162, 'v2c', 'trap', 10_000]);
  assert.equal([d.inform.retries, d.inform.timeout, d.inform.backoff], [3, '2s', 2]);
  assert.equal([d.rate_limit.per_second, d.rate_limit.burst, d.filter.min_severity], [50, 200, 'warning']);
});

test('cross-field problems name the YAML key', () => {
  const c = load([
    '  snmp:',
    '    enterprise_oid: 1.3.6.1.4.1.731',
    '    destinations:',
    '      - { name: a, host: h, version: v3 }',
    '      - { name: a, host: h, version: v3, user: { name: u, auth_key: short } }',
    '      - { name: b, host: h, version: v3, mode: inform, user: { name: u, level: authNoPriv, auth_key: long-enough } }',
  ].join('\n') + '\n');
  assert.equal(configProblems(c), [
    'enterprise_oid: 731 is Wind River\'s enterprise number, not ours',
    'destinations[0].user: v3 needs a user',
    'destinations[0].engine_id: v3 traps need the sender engine id the manager is configured with',
    'destinations[1].name: "a" is used by another destination',
    'destinations[1].user.auth_key: authPriv needs an auth_key of at least 8 characters',
    'destinations[1].user.priv_key: authPriv needs a priv_key of at least 8 characters',
    'destinations[1].engine_id: v3 traps need the sender engine id the manager is configured with',
  ]);
  assert.throws(() => snmpSink.create({ id: 'sinks.snmp', node: 'n', dataDir: '/tmp', log: console as never }, c), /731/);
});

test('an unknown field or a bad enum is reported with its line', () => {
  try {
    load('  snmp:\n    destinations:\n      - { name: a, host: h, mode: shout, colour: red }\n');
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.instance(err, ConfigError);
    const issues = (err as ConfigError).issues.map((i) => `${i.line}:${i.path}`);
    assert.ok(issues.includes('4:sinks.snmp.destinations.0.mode'), issues.join(' '));
    assert.ok(issues.some((i) => i.startsWith('4:sinks.snmp.destinations.0')), issues.join(' '));
  }
});

test('the README documents every config key', () => {
  const readme = readFileSync(resolve(import.meta.dirname, '../README.md'), 'utf8');
  const keys: string[] = [];
  const walk = (schema: TSchema, path: string) => {
    const isUser = (s: TSchema) => Boolean((s.properties as Record<string, unknown> | undefined)?.auth_key); // in prose
    if (schema.type === 'array' && schema.items?.type === 'object' && !isUser(schema.items)) return walk(schema.items as TSchema, `${path}[]`);
    if (schema.type !== 'object' || isUser(schema) || !schema.properties) return void keys.push(path);
    for (const [k, v] of Object.entries(schema.properties as Record<string, TSchema>)) walk(v, path ? `${path}.${k}` : k);
  };
  walk(SnmpSinkConfigSchema, '');
  const missing = keys.filter((k) => !readme.includes(`\`${k}\``));
  assert.equal(missing, []);
  for (const k of Object.keys(V3UserSchema.properties)) assert.ok(readme.includes(`\`${k}\``), `user.${k}`);
});

test.run();
