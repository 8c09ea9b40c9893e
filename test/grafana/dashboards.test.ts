// Every query of every Grafana dashboard in deploy/grafana, run against the real Prometheus (HTTP API) and the
// real ClickHouse after the pipeline fed them: each must run without error and return data.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline, type RunningPipeline } from '@faultline/runtime';
import type { AlarmTransition } from '@faultline/schemas';
import { hostCollector } from '@faultline/collector-host';
import { clickhouseSink } from '@faultline/sink-clickhouse';
import { prometheusSink } from '@faultline/sink-prometheus';
import { DEV_DIR, SERVICES, ensureServices, freePort, waitFor } from '../support/index.js';
import { alarm, faultLog, metricBatch, remediation, rows, testClient, testDatabase, transition } from '../support/clickhouse.js';
import { createFeed } from '../support/feed.js';
import {
  expandClickHouseMacros, prometheusIntervals, queryPanels, readDashboards, readProvisionedDatasources, substituteVariables,
  type Dashboard, type Variable,
} from '../support/grafana.js';

const dashboards = readDashboards();
const datasources = readProvisionedDatasources();
const PROM_UID = datasources.find((d) => d.type === 'prometheus')!.uid;
const CH_UID = datasources.find((d) => d.type === 'grafana-clickhouse-datasource')!.uid;

test('the dashboards are fleet, host, alarm history and remediation audit, on the provisioned datasources only', () => {
  assert.equal(dashboards.map((d) => d.file), ['alarm-history.json', 'fleet-overview.json', 'host-detail.json', 'remediation-audit.json']);
  const uids = new Set(datasources.map((d) => d.uid));
  for (const d of dashboards) {
    assert.ok(queryPanels(d).length >= 4, `${d.file}: a handful of panels`);
    for (const p of queryPanels(d)) {
      for (const t of p.targets!) {
        assert.ok(uids.has(t.datasource.uid), `${d.file} / ${p.title}: datasource ${t.datasource.uid} is not provisioned`);
        assert.ok(t.datasource.uid === PROM_UID ? t.expr : t.rawSql, `${d.file} / ${p.title}: a query`);
      }
    }
    for (const v of d.templating.list) assert.ok(uids.has(v.datasource.uid), `${d.file}: variable ${v.name}`);
  }
  assert.equal(new Set(dashboards.map((d) => d.uid)).size, dashboards.length, 'dashboard uids are unique');
});

// ------------------------------------------------------------------------------ live: feed, then query
await ensureServices('clickhouse', 'prometheus');
// grafana-0 is this machine, read by the real host collector; grafana-1 is a synthetic node from the test feed.
const NODES = ['grafana-0', 'grafana-1'];
const database = testDatabase('grafana');
const ch = testClient(SERVICES.clickhouse.url, database);
const promPort = await freePort();
const targetFile = join(DEV_DIR, 'prometheus/targets', `grafana-test-${process.pid}.json`);
const dataDir = mkdtempSync(join(tmpdir(), 'fl-grafana-'));
let pipeline: RunningPipeline | undefined;

test.after(async () => {
  rmSync(targetFile, { force: true });
  await pipeline?.stop();
  await testClient(SERVICES.clickhouse.url).command({ query: `DROP DATABASE IF EXISTS ${database}` });
  await ch.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function promApi(path: string, params: Record<string, string>): Promise<any> {
  const res = await fetch(`${SERVICES.prometheus.url}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; error?: string; data: any };
  if (body.status !== 'success') throw new Error(`${path} ${params.query ?? ''}: ${body.error}`);
  return body.data;
}

/**
 * The real pipeline (embedded bus): the host collector (this machine as grafana-0, every second) and a test
 * collector (a synthetic grafana-1, alarms, logs, remediations) → the Prometheus sink and the ClickHouse sink.
 */
async function feedThePipeline(): Promise<void> {
  const feed = createFeed();
  const text = JSON.stringify({
    node: NODES[0], data_dir: dataDir, bus: { type: 'embedded' },
    collectors: { host: { type: 'host', interval: '1s' }, feed: { type: 'test-feed' } },
    sinks: {
      prometheus: { type: 'prometheus', listen: `127.0.0.1:${promPort}` },
      clickhouse: { type: 'clickhouse', url: SERVICES.clickhouse.url, database, flush_interval: '100ms' },
    },
  });
  const config = loadPipelineConfig('grafana.yaml', createRegistry([clickhouseSink, prometheusSink, hostCollector, feed.factory]), { text });
  pipeline = await startPipeline(config, createEmbeddedBus(), createLogger('test', { level: 'error' }));
  // Written whole, then renamed: Prometheus watches the folder and would read a half-written file.
  writeFileSync(`${targetFile}.tmp`, JSON.stringify([{ targets: [`127.0.0.1:${promPort}`], labels: { job: 'faultline-grafana-test' } }]));
  renameSync(`${targetFile}.tmp`, targetFile);

  const now = Date.now();
  const emit = (t: AlarmTransition) => feed.emit('alarms', t);
  for (const node of NODES) {
    // An alarm raised, made worse and cleared; one that flaps and is inhibited; one left active.
    const cpu = alarm({ entity_instance_id: `host=${node}`, alarm_id: '700.101' });
    const raised = transition('raised', 1, cpu, now - 120_000);
    emit(raised);
    emit({ ...transition('updated', 2, { ...cpu, severity: 'critical' }, now - 90_000), previous_severity: 'major' });
    emit(transition('cleared', 3, cpu, now - 60_000));
    const port = alarm({ entity_instance_id: `host=${node}.interface=eth1`, alarm_id: '700.110', alarm_type: 'communication', probable_cause: 'loss-of-signal' });
    emit(transition('raised', 1, port, now - 50_000));
    emit(transition('flapping', 2, { ...port, flapping: true }, now - 40_000));
    emit(transition('inhibited', 3, { ...port, inhibited: true, inhibited_by: `710.001|host=${node}` }, now - 30_000));
    feed.emit('faults', faultLog(node, now - 20_000));
    feed.emit('remediations', remediation(cpu, raised.uuid, 'executed', now - 100_000));
    feed.emit('remediations', remediation(cpu, raised.uuid, 'verified', now - 80_000));
    feed.emit('remediations', { ...remediation(port, randomUUID(), 'failed', now - 45_000), action: 'webhook', rule: 'bounce-port' });
  }
  // A record no sink can decode: the pipeline dead-letters it and counts it (faultline_dead_letters_total).
  feed.emit('metrics', { node: 'grafana-0', collector: 'host' } as never);
  // Metrics until Prometheus holds enough samples of each node for rate() over $__rate_interval.
  let tick = 0;
  const timer = setInterval(() => { tick++; feed.emit('metrics', metricBatch(NODES[1]!, Date.now() + tick)); }, 250);
  try {
    await waitFor('Prometheus to scrape several samples of every test node', async () => {
      // This run's instance only: series of an earlier run (another port) linger in the TSDB.
      const data = await promApi('/api/v1/query', { query: `count_over_time(node_load1{instance="127.0.0.1:${promPort}"}[1m]) >= 4` });
      return data.result.length === NODES.length ? true : undefined;
    }, 30_000);
    await waitFor('the ClickHouse sink to store what was fed', async () => {
      const [r] = await rows<{ n: number }>(ch, 'SELECT count() AS n FROM remediation_results');
      return r?.n === 3 * NODES.length ? true : undefined;
    }, 30_000);
  } finally {
    clearInterval(timer);
  }
}

/** A variable's values, from its own query, as Grafana would offer them. */
async function variableValues(v: Variable, r: { fromMs: number; toMs: number }): Promise<string[]> {
  if (v.datasource.uid === PROM_UID) {
    const q = typeof v.query === 'string' ? v.query : v.query.query;
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q);
    if (!m) throw new Error(`variable ${v.name}: only label_values(metric, label) is supported here, got ${q}`);
    return promApi(`/api/v1/label/${m[2]}/values`, { 'match[]': m[1]!, start: String(r.fromMs / 1000), end: String(r.toMs / 1000) });
  }
  const sql = expandClickHouseMacros(typeof v.query === 'string' ? v.query : v.query.query, { ...r, intervalS: 10 });
  return (await rows<Record<string, string>>(ch, sql)).map((row) => Object.values(row)[0]!);
}

test('every panel query returns data from the real Prometheus and ClickHouse after the pipeline fed them', async () => {
  await feedThePipeline();
  const toMs = Date.now();
  const fromMs = toMs - 15 * 60_000;
  const scrapeS = Number(String(datasources.find((d) => d.uid === PROM_UID)!.jsonData!.timeInterval).replace(/s$/, ''));
  const { intervalS, rateIntervalS } = prometheusIntervals(toMs - fromMs, scrapeS);
  const macros = { __interval: `${intervalS}s`, __rate_interval: `${rateIntervalS}s`, __range: `${Math.round((toMs - fromMs) / 1000)}s` };
  let checked = 0;
  const empty: string[] = [];

  for (const d of dashboards) {
    const values: Record<string, string> = { ...macros };
    for (const v of d.templating.list) {
      const offered = await variableValues(v, { fromMs, toMs });
      assert.ok(offered.includes(NODES[0]!), `${d.file}: variable ${v.name} offers ${NODES[0]} (got ${offered.join(', ')})`);
      values[v.name] = NODES[0]!;
    }
    for (const p of queryPanels(d)) {
      for (const t of p.targets!) {
        const where = `${d.file} / ${p.title} / ${t.refId}`;
        let results: unknown[];
        try {
          if (t.datasource.uid === PROM_UID) {
            const query = substituteVariables(t.expr!, values);
            assert.not.match(query, /\$/, `${where}: every variable substituted`);
            const data = t.instant
              ? await promApi('/api/v1/query', { query, time: String(toMs / 1000) })
              : await promApi('/api/v1/query_range', { query, start: String(fromMs / 1000), end: String(toMs / 1000), step: String(intervalS) });
            results = data.result;
          } else {
            results = await rows(ch, expandClickHouseMacros(substituteVariables(t.rawSql!, values), { fromMs, toMs, intervalS }));
          }
        } catch (err) {
          throw new Error(`${where}: ${(err as Error).message}`);
        }
        if (!results.length) empty.push(where);
        checked++;
      }
    }
  }
  assert.equal(empty, [], 'queries that returned no data');
  assert.is(checked, dashboards.reduce((n, d: Dashboard) => n + queryPanels(d).reduce((m, p) => m + p.targets!.length, 0), 0));
});

test.run();
