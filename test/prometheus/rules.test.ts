// deploy/prometheus: promtool checks the config and the rules and runs their unit tests
// (deploy/prometheus/tests/*.yml); then a private Prometheus loads the rules and evaluates them over
// a real pipeline's exposition, which shows the rules name the metrics the pipeline really exposes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, freePort, waitFor } from '../support/index.js';
import { alarm, transition } from '../support/alarms.js';
import { hostBatch, startPrometheusSinkPipeline } from '../support/prometheus.js';

const run = promisify(execFile);
const DIR = join(ROOT, 'deploy/prometheus');
const RULES = readdirSync(join(DIR, 'rules')).filter((f) => f.endsWith('.yml')).map((f) => join(DIR, 'rules', f));
const TESTS = readdirSync(join(DIR, 'tests')).filter((f) => f.endsWith('.yml')).map((f) => join(DIR, 'tests', f));

test('promtool check config and check rules accept deploy/prometheus', async () => {
  assert.ok(RULES.length >= 1 && TESTS.length >= 1);
  const config = await run('promtool', ['check', 'config', join(DIR, 'prometheus.yml')]);
  assert.match(config.stdout, /SUCCESS: .*prometheus\.yml is valid/);
  const rules = await run('promtool', ['check', 'rules', ...RULES]);
  assert.match(rules.stdout, /SUCCESS: \d+ rules found/);
});

test('promtool test rules: every unit test of the rules passes', async () => {
  const { stdout } = await run('promtool', ['test', 'rules', ...TESTS], { cwd: DIR });
  assert.match(stdout, /SUCCESS/);
  assert.not.match(stdout, /FAILED/);
});

test('a Prometheus with the rules evaluates the recording rules over a real pipeline\'s exposition', async () => {
  const dev = mkdtempSync(join(tmpdir(), 'fl-prom-rules-'));
  const [port, nowhere] = [await freePort(), await freePort()];
  // Its own Prometheus: the rules' alerts go to a port nobody listens on, not to the shared Alertmanager.
  const env = { ...process.env, FAULTLINE_DEV_DIR: dev, FAULTLINE_PROMETHEUS_PORT: String(port), FAULTLINE_ALERTMANAGER_PORT: String(nowhere) };
  const svc = (action: string) => run(join(ROOT, 'deploy/dev/svc'), ['prometheus', action], { cwd: ROOT, env, timeout: 60_000 });
  mkdirSync(join(dev, 'prometheus/rules'), { recursive: true });
  for (const f of RULES) copyFileSync(f, join(dev, 'prometheus/rules', f.split('/').pop()!));
  await svc('start');
  const p = await startPrometheusSinkPipeline({ job: 'faultline-rules-test', targetsDir: join(dev, 'prometheus/targets') });
  const api = async (path: string, params: Record<string, string> = {}) => {
    const body = await (await fetch(`http://127.0.0.1:${port}${path}?${new URLSearchParams(params)}`)).json() as { status: string; data: any };
    if (body.status !== 'success') throw new Error(JSON.stringify(body));
    return body.data;
  };
  let tick = 0;
  const timer = setInterval(() => {
    p.feed.emit('metrics', hostBatch('rules-0', ++tick));
    // Not a metric batch: dead-lettered by the sink's consumer, so the dead-letter counter grows.
    p.feed.emit('metrics', { node: 'rules-0' } as never);
  }, 250);
  try {
    const groups = (await api('/api/v1/rules')).groups as { rules: { name: string; health: string; lastError?: string }[] }[];
    const rules = groups.flatMap((g) => g.rules);
    assert.ok(rules.length >= 12, `${rules.length} rules loaded`);
    p.feed.emit('alarms', transition('raised', alarm({ severity: 'critical' }), 1));
    for (const expr of [
      'faultline:active_alarms:sum{severity="critical"} == 1',
      'faultline:bus_consumer_lag_records:max{topic="metrics"}',
      'faultline:bus_records_consumed:rate5m{topic="metrics"} > 0',
      'faultline:dead_letters:rate5m{reason="schema_violation"} > 0',
      'faultline_collector_last_report_timestamp_seconds{node="rules-0"} > 0',
    ]) {
      await waitFor(`${expr} in the private Prometheus`, async () => ((await api('/api/v1/query', { query: expr })).result.length ? true : undefined), 20_000);
    }
    const rulesNow = ((await api('/api/v1/rules')).groups as typeof groups).flatMap((g) => g.rules);
    assert.equal(rulesNow.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`), []);
  } finally {
    clearInterval(timer);
    await p.stop();
    await svc('stop');
    rmSync(dev, { recursive: true, force: true });
  }
});

test.run();
