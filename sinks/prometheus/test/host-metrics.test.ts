import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHostMetricStore } from '../src/index.js';
import { batch } from './fixtures.js';

const expiry = { seriesMs: 60_000, livenessMs: 600_000 };
const meta = {
  node_cpu_seconds_total: { type: 'counter' as const, unit: 'seconds', help: 'CPU time by mode.' },
  node_memory_available: { type: 'gauge' as const, unit: 'bytes', help: 'Memory available.' },
  node_load1: { type: 'gauge' as const, unit: '', help: 'Load average over 1 minute.' },
};
const lines = (text: string) => text.split('\n').filter(Boolean);

test('host metrics carry TYPE, HELP from the batch meta, the unit in the name and node and device labels', () => {
  const store = createHostMetricStore('node');
  store.ingest(batch('compute-0', [
    { name: 'node_cpu_seconds_total', labels: { mode: 'user', cpu: '0' }, value: 12.5 },
    { name: 'node_memory_available', labels: {}, value: 1024 },
    { name: 'node_load1', labels: {}, value: 0.5 },
  ], meta), 1000);
  const text = store.render(1000, expiry);
  assert.ok(text.includes('# HELP node_cpu_seconds_total CPU time by mode.\n# TYPE node_cpu_seconds_total counter\n'));
  assert.ok(text.includes('node_cpu_seconds_total{node="compute-0",cpu="0",mode="user"} 12.5\n'));
  assert.ok(text.includes('# TYPE node_memory_available_bytes gauge\nnode_memory_available_bytes{node="compute-0"} 1024\n'));
  assert.ok(text.includes('node_load1{node="compute-0"} 0.5\n'));
  assert.ok(text.includes('faultline_collector_last_report_timestamp_seconds{node="compute-0",collector="host"} 1700000000\n'));
  assert.is(store.seriesCount, 3);
});

test('a counter without _total gets it; label values are escaped and label names made valid', () => {
  const store = createHostMetricStore('node');
  store.ingest(batch('n1', [{ name: 'disk_io_errors', labels: { 'dev-name': 'a"b\\c' }, value: 3 }],
    { disk_io_errors: { type: 'counter', unit: '', help: 'I/O errors.' } }), 0);
  const text = store.render(0, expiry);
  assert.ok(text.includes('disk_io_errors_total{node="n1",dev_name="a\\"b\\\\c"} 3\n'), text);
});

test('the same series in another label order is one series, updated in place', () => {
  const store = createHostMetricStore('node');
  store.ingest(batch('n1', [{ name: 'x', labels: { a: '1', b: '2' }, value: 1 }]), 0);
  store.ingest(batch('n1', [{ name: 'x', labels: { b: '2', a: '1' }, value: 2 }]), 10);
  const x = lines(store.render(10, expiry)).filter((l) => l.startsWith('x{'));
  assert.equal(x, ['x{node="n1",a="1",b="2"} 2']);
  assert.is(store.seriesCount, 1);
  store.render(1_000_000, expiry); // expired under both of its keys
  assert.is(store.seriesCount, 0);
  store.ingest(batch('n1', [{ name: 'x', labels: { b: '2', a: '1' }, value: 3 }]), 1_000_000);
  assert.equal(lines(store.render(1_000_000, expiry)).filter((l) => l.startsWith('x{')), ['x{node="n1",a="1",b="2"} 3']);
});

test('a silent node\'s series leave after series_expiry while another node stays', () => {
  const store = createHostMetricStore('node');
  store.ingest(batch('gone', [{ name: 'node_load1', labels: {}, value: 1 }], meta), 0);
  store.ingest(batch('alive', [{ name: 'node_load1', labels: {}, value: 2 }], meta), 50_000);
  const text = store.render(70_000, expiry);
  assert.not.ok(text.includes('node="gone"} 1'), 'expired series still exposed');
  assert.ok(text.includes('node_load1{node="alive"} 2'));
  assert.is(store.seriesCount, 1);
  // The liveness series outlast the data, so a collector-down alert keeps its series.
  assert.ok(text.includes('faultline_collector_last_report_timestamp_seconds{node="gone",collector="host"}'));
  assert.not.ok(store.render(700_000, expiry).includes('node="gone"'));
});

test('a node that falls silent and returns resumes its received-samples counter instead of resetting it', () => {
  const store = createHostMetricStore('node');
  const received = (text: string) => Number(/faultline_node_samples_received_total\{node="n1"\} (\d+)/.exec(text)?.[1]);
  store.ingest(batch('n1', [{ name: 'a', labels: {}, value: 1 }, { name: 'b', labels: {}, value: 1 }]), 0);
  assert.is(received(store.render(0, expiry)), 2);
  assert.ok(Number.isNaN(received(store.render(120_000, expiry))), 'a stale node\'s counter is hidden');
  store.ingest(batch('n1', [{ name: 'a', labels: {}, value: 1 }]), 130_000);
  assert.is(received(store.render(130_000, expiry)), 3);
});

test('a family whose series all expired leaves no header behind', () => {
  const store = createHostMetricStore('node');
  store.ingest(batch('n1', [{ name: 'node_load1', labels: {}, value: 1 }], meta), 0);
  assert.not.ok(store.render(1_000_000, expiry).includes('node_load1'));
});

test.run();
