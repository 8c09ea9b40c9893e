// The Alertmanager sink in a real pipeline against the real Alertmanager: alerts posted, listed through
// GET /api/v2/alerts, resolved; an outage of a private Alertmanager; a restart of the sink.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline, type RunningPipeline } from '@faultline/runtime';
import { AlertsRejectedError, alertmanagerSink, createAlertmanagerClient } from '@faultline/sink-alertmanager';
import { ROOT, SERVICES, ensureServices, freePort, waitFor } from '../support/index.js';
import { alarm, transition } from '../support/alarms.js';
import { createFeed, type Feed } from '../support/feed.js';

const run = promisify(execFile);
await ensureServices('alertmanager');
const RUN = randomUUID();
const tmp = mkdtempSync(join(tmpdir(), 'fl-am-'));

interface GettableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  status: { state: string };
}

/** A pipeline: test feed → the Alertmanager sink, with this run's label on every alert. */
async function pipeline(url: string, dataDir: string): Promise<{ feed: Feed; p: RunningPipeline }> {
  const feed = createFeed();
  const text = JSON.stringify({
    node: 'am-test', data_dir: dataDir, bus: { type: 'embedded' },
    collectors: { feed: { type: feed.factory.type } },
    sinks: { alertmanager: { type: 'alertmanager', url, repost_interval: '1s', alert_ttl: '1m', labels: { test_run: RUN } } },
  });
  const config = loadPipelineConfig('am.yaml', createRegistry([alertmanagerSink, feed.factory]), { text });
  return { feed, p: await startPipeline(config, createEmbeddedBus(), createLogger('test', { level: 'error' })) };
}

/** This run's alerts Alertmanager still has firing (silenced and inhibited included). */
async function firing(url: string = SERVICES.alertmanager.url): Promise<GettableAlert[]> {
  const q = new URLSearchParams({ filter: `test_run="${RUN}"`, active: 'true', silenced: 'true', inhibited: 'true' });
  const res = await fetch(`${url}/api/v2/alerts?${q}`);
  if (!res.ok) throw new Error(`GET /api/v2/alerts: ${res.status}`);
  return (await res.json()) as GettableAlert[];
}

const firingWhere = (what: string, pred: (alerts: GettableAlert[]) => boolean, url?: string) =>
  waitFor(what, async () => {
    const alerts = await firing(url);
    return pred(alerts) ? alerts : undefined;
  }, 15_000);

const main = await pipeline(SERVICES.alertmanager.url, join(tmp, 'main'));
test.after(async () => {
  await main.p.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('a raised alarm is listed by Alertmanager with its labels and annotations; a clear resolves it', async () => {
  const a = alarm({ entity_instance_id: `host=am-0.filesystem=/var`, labels: { case: 'raise' } });
  main.feed.emit('alarms', transition('raised', a, 1));
  const [alert] = await firingWhere('the alert', (xs) => xs.some((x) => x.labels.case === 'raise'));
  assert.equal(alert!.labels, {
    alertname: 'HostFilesystemUsageHigh', alarm_id: '700.104', entity_instance_id: 'host=am-0.filesystem=/var',
    entity_type_id: 'host.filesystem', severity: 'major', alarm_type: 'operational-violation',
    probable_cause: 'storage-capacity-problem', service_affecting: 'false', source: 'faultline', node: 'am-0',
    test_run: RUN, case: 'raise',
  });
  assert.is(alert!.annotations.reason, a.reason_text);
  assert.is(alert!.annotations.repair_action, a.proposed_repair_action);
  assert.is(alert!.annotations.uuid, a.uuid);
  assert.is(alert!.status.state, 'active');
  assert.ok(Date.parse(alert!.endsAt) > Date.now(), 'a firing alert ends in the future');
  main.feed.emit('alarms', transition('cleared', a, 2));
  await firingWhere('the alert resolved', (xs) => !xs.some((x) => x.labels.case === 'raise'));
});

test('a severity change leaves only the alert with the new severity', async () => {
  const a = alarm({ entity_instance_id: 'host=am-1', alarm_id: '700.101', labels: { case: 'severity' } });
  main.feed.emit('alarms', transition('raised', a, 1));
  await firingWhere('major', (xs) => xs.some((x) => x.labels.case === 'severity'));
  main.feed.emit('alarms', transition('updated', { ...a, severity: 'critical' }, 2));
  const xs = await firingWhere('only critical', (all) => {
    const mine = all.filter((x) => x.labels.case === 'severity');
    return mine.length === 1 && mine[0]!.labels.severity === 'critical';
  });
  assert.is(xs.filter((x) => x.labels.case === 'severity')[0]!.labels.alertname, 'HostCpuUsageHigh');
  main.feed.emit('alarms', transition('cleared', { ...a, severity: 'critical' }, 3));
  await firingWhere('resolved', (all) => !all.some((x) => x.labels.case === 'severity'));
});

test('an inhibited, suppressed or silenced alarm is resolved in Alertmanager and comes back when unmuted', async () => {
  const muting = [{ inhibited: true }, { suppressed: true }, { silenced_by: ['maintenance-window'] }];
  for (const [i, muted] of muting.entries()) {
    const a = alarm({ entity_instance_id: `host=am-2.interface=eth${i}`, alarm_id: '700.110', labels: { case: `muted-${i}` } });
    main.feed.emit('alarms', transition('raised', a, 1));
    await firingWhere('firing', (xs) => xs.some((x) => x.labels.case === `muted-${i}`));
    main.feed.emit('alarms', transition('inhibited', { ...a, ...muted }, 2));
    await firingWhere('muted: resolved', (xs) => !xs.some((x) => x.labels.case === `muted-${i}`));
    main.feed.emit('alarms', transition('uninhibited', a, 3));
    await firingWhere('unmuted: firing again', (xs) => xs.some((x) => x.labels.case === `muted-${i}`));
    main.feed.emit('alarms', transition('cleared', a, 4));
  }
  await firingWhere('all resolved', (xs) => !xs.some((x) => x.labels.case?.startsWith('muted-')));
});

test('while Alertmanager is down nothing is lost: after it restarts (empty) it gets every firing alert and no cleared one', async () => {
  const port = await freePort();
  const env = { ...process.env, FAULTLINE_DEV_DIR: join(tmp, 'am-dev'), FAULTLINE_ALERTMANAGER_PORT: String(port) };
  const svc = (action: string) => run(join(ROOT, 'deploy/dev/svc'), ['alertmanager', action], { cwd: ROOT, env, timeout: 60_000 });
  const url = `http://127.0.0.1:${port}`;
  await svc('start');
  const own = await pipeline(url, join(tmp, 'outage'));
  try {
    const kept = alarm({ entity_instance_id: 'host=am-3', alarm_id: '710.001', labels: { case: 'kept' } });
    const cleared = alarm({ entity_instance_id: 'host=am-4', alarm_id: '710.001', labels: { case: 'cleared' } });
    own.feed.emit('alarms', transition('raised', kept, 1));
    own.feed.emit('alarms', transition('raised', cleared, 1));
    await firingWhere('both firing', (xs) => xs.length === 2, url);
    await svc('stop');
    const late = alarm({ entity_instance_id: 'host=am-5', alarm_id: '710.001', labels: { case: 'raised-during-outage' } });
    own.feed.emit('alarms', transition('cleared', cleared, 2));
    own.feed.emit('alarms', transition('raised', late, 1));
    await new Promise((r) => setTimeout(r, 1500)); // a few failed posts and redeliveries
    await svc('start'); // a new Alertmanager process: alerts are not persisted, it starts empty
    const xs = await firingWhere('kept and raised-during-outage, not cleared', (all) =>
      all.length === 2 && all.some((x) => x.labels.case === 'kept') && all.some((x) => x.labels.case === 'raised-during-outage'), url);
    assert.not.ok(xs.some((x) => x.labels.case === 'cleared'));
  } finally {
    await own.p.stop();
    await svc('stop');
  }
});

test('alerts the real Alertmanager refuses as invalid are reported as rejected (dropped by the sink, not retried forever)', async () => {
  const client = createAlertmanagerClient(SERVICES.alertmanager.url, 5000, 100);
  const now = Date.now();
  const invalid = { labels: { 'not-a-label-name': 'x', test_run: RUN }, annotations: {}, startsAt: new Date(now).toISOString(), endsAt: new Date(now + 60_000).toISOString() };
  try {
    await client.post([invalid]);
    assert.unreachable('Alertmanager took an invalid label name');
  } catch (err) {
    assert.instance(err, AlertsRejectedError);
  }
  await client.post([{ ...invalid, labels: { alertname: 'ClientCheck', test_run: RUN, case: 'client' }, endsAt: new Date(now).toISOString() }]);
});

test('a restarted sink restores its alarms from dataDir: it re-posts them and resolves them when they clear', async () => {
  const dir = join(tmp, 'restart');
  const first = await pipeline(SERVICES.alertmanager.url, dir);
  const a = alarm({ entity_instance_id: 'host=am-6', alarm_id: '700.140', labels: { case: 'restart' } });
  first.feed.emit('alarms', transition('raised', a, 1));
  await firingWhere('firing', (xs) => xs.some((x) => x.labels.case === 'restart'));
  await first.p.stop();
  // The new pipeline has a fresh bus: only the clear arrives; the sink knows the alarm from its saved state.
  const second = await pipeline(SERVICES.alertmanager.url, dir);
  try {
    second.feed.emit('alarms', transition('cleared', a, 2));
    await firingWhere('resolved after the restart', (xs) => !xs.some((x) => x.labels.case === 'restart'));
  } finally {
    await second.p.stop();
  }
});

test.run();
