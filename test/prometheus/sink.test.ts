// The Prometheus sink in a real pipeline, scraped by the real Prometheus (127.0.0.1:19090): what its
// HTTP API returns is what the sink exposed. `promtool check metrics` lints the exposition.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import { ensureServices, waitFor } from '../support/index.js';
import { hostBatch, promApi, promQuery, startPrometheusSinkPipeline, type PrometheusSinkPipeline } from '../support/prometheus.js';
import { alarm, transition } from '../support/alarms.js';

await ensureServices('prometheus');
const NODES = ['prom-0', 'prom-1'];
let p: PrometheusSinkPipeline;
let tick = 0;
let feeding = new Set(NODES);
const timer = setInterval(() => { tick++; for (const n of feeding) p?.feed.emit('metrics', hostBatch(n, tick)); }, 250);

test.before(async () => {
  p = await startPrometheusSinkPipeline({ job: 'faultline-sink-test', sinkConfig: { series_expiry: '3s' } });
});
test.after(async () => {
  clearInterval(timer);
  await p.stop();
});

/** Waits for an instant query on this run's instance to return `n` series. */
const seriesOf = (what: string, expr: string, n: number) =>
  waitFor(what, async () => {
    const r = await promQuery(expr);
    return r.length === n ? r : undefined;
  }, 20_000);

test('Prometheus scrapes host metrics with their types, units in names and node and device labels', async () => {
  const sel = `instance="${p.instance}"`;
  await seriesOf('up', `up{${sel}} == 1`, 1);
  const load = await seriesOf('node_load1 of both nodes', `node_load1{${sel}}`, 2);
  assert.equal(load.map((s) => s.metric.node).sort(), NODES);
  const fs = await seriesOf('filesystem bytes', `node_filesystem_avail_bytes{${sel}, node="prom-0"}`, 1);
  assert.is(fs[0]!.metric.device, '/dev/sda1');
  assert.is(fs[0]!.metric.mountpoint, '/');
  await seriesOf('rate() over a counter with the unit and _total', `rate(node_network_receive_bytes_total{${sel}, device="eth0"}[5s]) > 0`, 2);
  const meta = await promApi<Record<string, { type: string; help: string }[]>>('/api/v1/metadata', { metric: 'node_network_receive_bytes_total' });
  assert.ok(meta.node_network_receive_bytes_total?.some((m) => m.type === 'counter' && m.help === 'Bytes received on the interface.'));
});

test('an active alarm is one series with its labels, counted by severity, and gone from Prometheus once cleared', async () => {
  const sel = `instance="${p.instance}"`;
  const a = alarm();
  p.feed.emit('alarms', transition('raised', a, 1));
  const [s] = await seriesOf('faultline_alarm_active', `faultline_alarm_active{${sel}, alarm_id="700.104"}`, 1);
  assert.equal(
    { ...s!.metric, __name__: undefined, instance: undefined, job: undefined },
    { __name__: undefined, instance: undefined, job: undefined, alarm_id: '700.104', entity_instance_id: 'host=prom-0.filesystem=/var',
      severity: 'major', alarm_type: 'operational-violation', probable_cause: 'storage-capacity-problem', service_affecting: 'false', node: 'prom-0' },
  );
  await seriesOf('one major alarm counted', `faultline_active_alarms{${sel}, severity="major"} == 1`, 1);
  p.feed.emit('alarms', transition('cleared', a, 2));
  await seriesOf('the alarm series gone', `faultline_alarm_active{${sel}}`, 0);
  await seriesOf('raised and cleared counted', `faultline_alarm_transitions_total{${sel}, kind=~"raised|cleared"} == 1`, 2);
});

test('the pipeline\'s own metrics are in the same exposition', async () => {
  const r = await seriesOf('records produced to metrics', `faultline_bus_records_produced_total{instance="${p.instance}", topic="metrics"} > 0`, 1);
  assert.ok(Number(r[0]!.value[1]) > 0);
});

test('a silent node\'s series leave after series_expiry; when it returns its counters go on without a reset', async () => {
  const sel = `instance="${p.instance}"`;
  feeding = new Set(['prom-0']);
  await seriesOf('prom-1 series gone', `node_load1{${sel}, node="prom-1"}`, 0);
  await seriesOf('prom-0 still there', `node_load1{${sel}, node="prom-0"}`, 1);
  // The liveness series outlast the data: a collector-down rule still sees prom-1.
  await seriesOf('prom-1 liveness kept', `faultline_collector_last_report_timestamp_seconds{${sel}, node="prom-1"}`, 1);
  feeding = new Set(NODES);
  await seriesOf('prom-1 back', `node_load1{${sel}, node="prom-1"}`, 1);
  await seriesOf('prom-1 received counter scraped again', `count_over_time(faultline_node_samples_received_total{${sel}, node="prom-1"}[2s]) >= 2`, 1);
  const resets = await promQuery(`resets(faultline_node_samples_received_total{${sel}, node="prom-1"}[1m])`);
  assert.is(resets[0]?.value[1], '0', 'the samples-received counter was reset');
});

test('promtool check metrics finds nothing wrong with the exposition', async () => {
  const text = await (await fetch(p.url)).text();
  const { code, output } = await new Promise<{ code: number; output: string }>((done) => {
    const child = execFile('promtool', ['check', 'metrics'], (err, stdout, stderr) =>
      done({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr }));
    child.stdin!.end(text);
  });
  assert.ok(text.includes('faultline_node_samples_received_total'));
  assert.is(output.trim(), '', `promtool says:\n${output}`);
  assert.is(code, 0);
});

test.run();
