// The whole pipeline, everything real, as three processes on the shared Kafka (127.0.0.1:19092):
//   collector process: the host collector reading a fake sysfs tree
//   processors process: correlator + remediator
//   sinks process: SNMP (→ snmptrapd), Prometheus (scraped by the dev Prometheus), Alertmanager, ClickHouse
// A carrier loss injected at the collector must reach every sink as the same alarm (same uuid), be
// remediated, clear everywhere, and leave one OpenTelemetry trace (each process writes its own span
// file, merged here) from the fault through the transition to the trap and the remediation.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { SpanLine } from '@faultline/runtime';
import { SERVICES, ensureServices, freePort, waitFor } from '../support/index.js';
import { rows, testClient } from '../support/clickhouse.js';
import { E2E, FakeHost, PipelineRun, pipelineFiles, readSpans, type E2eSetup } from '../support/e2e.js';
import { addScrapeTarget, promQuery } from '../support/prometheus.js';
import { trapLogFromHere } from '../support/snmp.js';

await ensureServices('kafka', 'clickhouse', 'prometheus', 'alertmanager', 'snmptrapd');

const run = randomUUID().slice(0, 8);
const dir = mkdtempSync(join(tmpdir(), 'fl-e2e-'));
const setup: E2eSetup = {
  dir, run, node: `e2e-${run}`, host: new FakeHost(join(dir, 'host'), 'eth0'),
  database: `fl_e2e_${run}`, prometheusPort: await freePort(),
};
const entity = `host=${setup.node}.interface=eth0`;
const files = pipelineFiles(setup);
const clickhouse = testClient(SERVICES.clickhouse.url);
const removeTarget = addScrapeTarget(`e2e-${run}`, `127.0.0.1:${setup.prometheusPort}`, { job: 'faultline-e2e' });
// Downstream first, like the runtime starts components: nothing the collector sends waits for a reader.
const sinks = new PipelineRun('sinks', files.sinks, dir);
const processors = new PipelineRun('processors', files.processors, dir);
const collector = new PipelineRun('collector', files.collector, dir);
const spanFiles = ['collector', 'processors', 'sinks'].map((role) => join(dir, `data-${role}`, 'spans.jsonl'));

test.after(async () => {
  for (const p of [collector, processors, sinks]) await p.stop();
  removeTarget();
  await clickhouse.command({ query: `DROP DATABASE IF EXISTS ${setup.database}` }).catch(() => {});
  await clickhouse.close();
  if (!process.env.FAULTLINE_KEEP_E2E) rmSync(dir, { recursive: true, force: true });
});

interface TransitionRow { kind: string; alarm_uuid: string; transition_uuid: string; severity: string; raised_s: number; traceparent: string }
interface ResultRow { outcome: string; rule: string; transition_uuid: string }
interface Alert { labels: Record<string, string>; annotations: Record<string, string> }

const transitions = () => rows<TransitionRow>(clickhouse, `SELECT kind, alarm_uuid, transition_uuid, severity, toUnixTimestamp(raised_at) AS raised_s, traceparent
  FROM ${setup.database}.alarm_transitions WHERE entity_instance_id = '${entity}' AND alarm_id = '700.110' ORDER BY at_ms`);
const results = () => rows<ResultRow>(clickhouse, `SELECT outcome, rule, transition_uuid FROM ${setup.database}.remediation_results
  WHERE entity_instance_id = '${entity}' ORDER BY at_ms`);
// This run's alerts about its own node: the sinks read the shared alarms topic, where other runs' hosts
// (heartbeats left by the collector tests or a fleet bench) raise alarms of their own.
const firing = async () => {
  const q = new URLSearchParams([
    ['filter', `e2e_run="${run}"`], ['filter', `entity_instance_id=~"host=${setup.node}[.].*"`],
    ['active', 'true'], ['silenced', 'true'], ['inhibited', 'true'],
  ]);
  return (await (await fetch(`${SERVICES.alertmanager.url}/api/v2/alerts?${q}`)).json()) as Alert[];
};
const scraped = (metric: string) => promQuery(`${metric}{job="faultline-e2e",entity_instance_id="${entity}"}`);

test('a carrier loss at the collector is one alarm in every sink, remediated, cleared everywhere, and one trace', async () => {
  await waitFor('the three pipeline processes', () => (sinks.started(4) && processors.started(2) && collector.started(1) ? true : undefined), 60_000, 200);
  const traps = trapLogFromHere();

  setup.host.carrier(false);
  const raised = await waitFor('the raised transition in ClickHouse', async () => (await transitions()).find((t) => t.kind === 'raised'), 30_000);
  const uuid = raised.alarm_uuid;
  assert.is(raised.severity, 'major');

  const [setTrap] = await traps.waitFor(uuid, 1, 15_000);
  assert.ok(setTrap!.varbinds.some((v) => v.value.includes(entity)), 'the trap names the entity');
  const alert = await waitFor('the alert in Alertmanager', async () => (await firing()).find((a) => a.labels.alarm_id === '700.110'), 15_000);
  assert.is(alert.annotations.uuid, uuid);
  assert.is(alert.labels.entity_instance_id, entity);
  const series = await waitFor('the alarm scraped by Prometheus', async () => {
    const got = await scraped('faultline_alarm_raised_timestamp_seconds');
    return got.length ? got : undefined;
  }, 20_000);
  // Prometheus has no uuid label (it would make every raise a new series): the raise time names the same alarm.
  assert.is(Math.floor(Number(series[0]!.value[1])), raised.raised_s);
  const executed = await waitFor('the remediation executed', async () => (await results()).find((r) => r.outcome === 'executed'), 20_000);
  assert.is(executed.rule, E2E.rule);
  assert.is(executed.transition_uuid, raised.transition_uuid);

  setup.host.carrier(true);
  const cleared = await waitFor('the cleared transition in ClickHouse', async () => (await transitions()).find((t) => t.kind === 'cleared'), 30_000);
  assert.is(cleared.alarm_uuid, uuid);
  const bothTraps = await traps.waitFor(uuid, 2, 15_000);
  assert.is(bothTraps.length, 2, 'one trap for the raise, one for the clear');
  await waitFor('the alert resolved in Alertmanager', async () => ((await firing()).length === 0 ? true : undefined), 15_000);
  await waitFor('the alarm gone from Prometheus', async () => ((await scraped('faultline_alarm_active')).length === 0 ? true : undefined), 20_000);
  await waitFor('the remediation verified', async () => ((await results()).some((r) => r.outcome === 'verified') ? true : undefined), 20_000);

  // Stopped cleanly, every process has written all its spans.
  for (const p of [collector, processors, sinks]) assert.is(await p.stop(), 0, `${p.name} exits cleanly (log: ${p.log})`);
  const spans = readSpans(spanFiles);
  const traceId = raised.traceparent.split('-')[1]!;
  const trace = spans.filter((s) => s.traceId === traceId);
  const named = (name: string) => trace.filter((s) => s.name === name);
  const one = (name: string): SpanLine => {
    const found = named(name);
    assert.is(found.length, 1, `one "${name}" span in the trace (spans: ${trace.map((s) => s.name).join(', ')})`);
    return found[0]!;
  };
  const fault = one(`collectors.${E2E.collector} publish faults`);
  assert.is(fault.parentSpanId, undefined, 'the fault starts the trace');
  assert.is(fault.attributes['faultline.fault_op'], 'set');
  assert.is(fault.attributes['faultline.entity_instance_id'], entity);
  assert.is(fault.service, 'faultline-collector');
  const transition = one(`processors.${E2E.correlator} publish alarms`);
  assert.is(transition.parentSpanId, fault.spanId, 'the transition is a child of the fault');
  assert.is(transition.attributes['faultline.alarm_uuid'], uuid);
  assert.is(transition.attributes['faultline.transition'], 'raised');
  assert.is(raised.traceparent, `00-${traceId}-${transition.spanId}-01`, 'ClickHouse stored the transition\'s traceparent');
  for (const sink of [E2E.snmp, E2E.prometheus, E2E.alertmanager, E2E.clickhouse]) {
    const write = one(`sinks.${sink} write alarms`);
    assert.is(write.parentSpanId, transition.spanId, `${sink}'s write is a child of the transition`);
    assert.is(write.service, 'faultline-sinks');
  }
  const remediation = named(`processors.${E2E.remediator} publish remediations`);
  assert.equal(remediation.map((s) => s.attributes['faultline.outcome']), ['matched', 'executed', 'verified']);
  assert.ok(remediation.every((s) => s.parentSpanId === transition.spanId && s.attributes['faultline.rule'] === E2E.rule));
  const stored = named(`sinks.${E2E.clickhouse} write remediations`);
  assert.equal(new Set(stored.map((s) => s.parentSpanId)), new Set(remediation.map((s) => s.spanId)), 'each result\'s write is its child');

  // The clear is a trace of its own: the collector's clear → the cleared transition → the clear trap.
  const clearTrace = spans.filter((s) => s.traceId === cleared.traceparent.split('-')[1]);
  const clearFault = clearTrace.find((s) => s.name === `collectors.${E2E.collector} publish faults`);
  assert.is(clearFault?.attributes['faultline.fault_op'], 'clear');
  const clearTransition = clearTrace.find((s) => s.name === `processors.${E2E.correlator} publish alarms`);
  assert.is(clearTransition?.parentSpanId, clearFault!.spanId);
  assert.is(clearTransition?.attributes['faultline.transition'], 'cleared');
  assert.ok(clearTrace.some((s) => s.name === `sinks.${E2E.snmp} write alarms` && s.parentSpanId === clearTransition!.spanId), 'the clear trap is in it');
});

test.run();
