// The lean `faultline collector host` entry's pieces that need no services: which sections of a shared pipeline
// file it checks, and the lazy builtins the bundle puts in place of tls, crypto and zlib. (The Kafka client's
// option validators are lazy in the package itself: patches/, tested in runtime/core/test/kafka-option-validators.)
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadPipelineConfig } from '@faultline/runtime';
import { collectorOnlyRegistry, selectHostCollectors } from '../lean/registry.js';
import { lazyBuiltin } from '../lean/bundle.js';
import { Gzip, gunzipSync } from 'node:zlib';

const moduleOf = (source: string) => import(`data:text/javascript,${encodeURIComponent(source)}`);

const SHARED_FILE = `
node: compute-0
bus: { type: kafka, kafka: { brokers: ['10.0.0.1:9092'] } }
collectors:
  host: { interval: 5s, heartbeat: { period: 200ms } }
  fleet: { type: simulator, hosts: 10 }
processors:
  correlator: { rules: { builtin: false } }
sinks:
  nms: { type: snmp, destinations: [] }
`;

test('a pipeline file shared with processor and sink nodes loads, and only its host collectors are selected', () => {
  const config = selectHostCollectors(loadPipelineConfig('shared.yaml', collectorOnlyRegistry(), { text: SHARED_FILE }));
  assert.equal(config.components.map((c) => c.id), ['collectors.host']);
  const host = config.components[0]!.config as { interval: string; heartbeat: { period: string }; meta_every: number };
  assert.is(host.interval, '5s');
  assert.is(host.heartbeat.period, '200ms');
  assert.is(host.meta_every, 6, 'defaults are applied to the host section');
});

test('the host section is still checked: an unknown key is an error with its line and field', () => {
  const text = 'collectors:\n  host:\n    interval: 5s\n    intervall: 1s\n';
  try {
    loadPipelineConfig('bad.yaml', collectorOnlyRegistry(), { text });
    assert.unreachable('loadPipelineConfig accepted an unknown key');
  } catch (err) {
    assert.instance(err, ConfigError);
    assert.match((err as ConfigError).message, /^bad\.yaml:4:\d+: collectors\.host\.intervall: unknown field/m);
  }
});

test('a lazy builtin wraps its functions: calls, `new` and the default export reach the real module', async () => {
  const zlib = await moduleOf(lazyBuiltin('zlib'));
  assert.is(gunzipSync(zlib.gzipSync(Buffer.from('heartbeat'))).toString(), 'heartbeat');
  assert.instance(new zlib.Gzip(), Gzip, 'a class wrapper constructs the real class');
  assert.is(zlib.default.constants.Z_BEST_SPEED, 1, 'non-functions are getters on the default export');
  assert.is(typeof zlib.default.zstdCompressSync, 'function', 'destructuring the default export does not load the module');
});

test('randomUUID without crypto: RFC 4122 version 4, random', async () => {
  const crypto = await moduleOf(lazyBuiltin('crypto'));
  const a = crypto.randomUUID() as string;
  assert.match(a, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.is.not(crypto.randomUUID(), a);
});

test.run();
