// deploy/alertmanager/alertmanager.yml, checked by amtool: the config is valid, and the alerts the
// Alertmanager sink builds (every severity) and the alerts of deploy/prometheus/rules reach the receivers
// the file says they do (`amtool config routes test`, the routing code of Alertmanager itself); a private
// Alertmanager running the file applies its inhibition rule to alerts the sink's client posts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { FAULTLINE_ALERT_NAMES, alertOf, createAlertmanagerClient } from '@faultline/sink-alertmanager';
import type { Severity } from '@faultline/schemas';
import { ROOT, freePort, waitFor } from '../support/index.js';
import { alarm } from '../support/alarms.js';

const run = promisify(execFile);
const CONFIG = join(ROOT, 'deploy/alertmanager/alertmanager.yml');

/** The receivers Alertmanager's routing tree gives this label set. */
async function receivers(labels: Record<string, string>): Promise<string[]> {
  const matchers = Object.entries(labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  const { stdout } = await run('amtool', ['config', 'routes', 'test', `--config.file=${CONFIG}`, ...matchers]);
  return stdout.trim().split(/[\n,]/).map((s) => s.trim()).filter(Boolean);
}

test('amtool check-config accepts deploy/alertmanager/alertmanager.yml', async () => {
  const { stdout } = await run('amtool', ['check-config', CONFIG]);
  assert.match(stdout, /SUCCESS/);
});

test('faultline alarms, as the sink labels them, are routed by severity', async () => {
  const expected: Record<Severity, string> = { critical: 'pager', major: 'noc', minor: 'noc', warning: 'ticket' };
  for (const [severity, receiver] of Object.entries(expected) as [Severity, string][]) {
    const { labels } = alertOf(alarm({ severity, entity_instance_id: 'host=compute-0.filesystem=/var' }), { names: FAULTLINE_ALERT_NAMES, staticLabels: { cluster: 'edge-1' } });
    assert.equal(await receivers(labels), [receiver], severity);
  }
});

test('the pipeline alerts of deploy/prometheus/rules go to the faultline operators', async () => {
  const rules = parse(readFileSync(join(ROOT, 'deploy/prometheus/rules/faultline-pipeline.yml'), 'utf8')) as {
    groups: { rules: { alert?: string; labels?: Record<string, string> }[] }[];
  };
  const alerts = rules.groups.flatMap((g) => g.rules).filter((r) => r.alert);
  assert.ok(alerts.length >= 5);
  for (const r of alerts) assert.equal(await receivers({ alertname: r.alert!, ...r.labels, instance: 'edge-1:9464' }), ['faultline-operators'], r.alert);
});

test('while a host\'s heartbeat is lost, its other alarms are inhibited by a private Alertmanager running the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-am-routes-'));
  const port = await freePort();
  const am = spawn('prometheus-alertmanager', [
    `--config.file=${CONFIG}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address=',
  ], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('the private Alertmanager', async () => ((await fetch(`${url}/-/ready`)).ok ? true : undefined), 20_000);
    const opts = { names: FAULTLINE_ALERT_NAMES, staticLabels: {} };
    const ends = new Date(Date.now() + 60_000).toISOString();
    const heartbeat = { ...alertOf(alarm({ alarm_id: '710.001', entity_instance_id: 'host=compute-9', severity: 'critical' }), opts), endsAt: ends };
    const disk = { ...alertOf(alarm({ alarm_id: '700.104', entity_instance_id: 'host=compute-9.filesystem=/var' }), opts), endsAt: ends };
    const other = { ...alertOf(alarm({ alarm_id: '700.104', entity_instance_id: 'host=compute-8.filesystem=/var' }), opts), endsAt: ends };
    await createAlertmanagerClient(url, 5000, 100).post([heartbeat, disk, other]);
    const alerts = await waitFor('inhibition applied', async () => {
      const xs = (await (await fetch(`${url}/api/v2/alerts`)).json()) as { labels: Record<string, string>; status: { state: string; inhibitedBy: string[] } }[];
      return xs.length === 3 && xs.some((x) => x.status.inhibitedBy.length) ? xs : undefined;
    }, 20_000);
    const state = (node: string, name: string) => alerts.find((x) => x.labels.node === node && x.labels.alertname === name)!.status.state;
    assert.is(state('compute-9', 'HostFilesystemUsageHigh'), 'suppressed');
    assert.is(state('compute-9', 'HostHeartbeatLost'), 'active');
    assert.is(state('compute-8', 'HostFilesystemUsageHigh'), 'active');
  } finally {
    if (am.exitCode === null) {
      const exited = new Promise((r) => am.once('exit', r));
      am.kill();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
