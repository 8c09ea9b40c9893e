import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decode, encode, metricColumns, validate } from '@faultline/schemas';
import { createFleet, type FleetOptions } from '../src/index.js';

const base: FleetOptions = {
  hosts: 20, hostOffset: 0, seriesPerHost: 50, intervalMs: 10_000, heartbeatPeriodMs: 1000, hostPrefix: 'sim-', seed: 7,
  flappingShare: 0, fillingShare: 0, silentHosts: 0, silentAfterMs: 60_000,
};

function run(o: FleetOptions, ms: number, stepMs = 100) {
  const fleet = createFleet(o, 0);
  const all = { batches: [] as any[], heartbeats: [] as any[], faults: [] as any[] };
  for (let t = 0; t < ms; t += stepMs) {
    const out = fleet.step(t);
    all.batches.push(...out.batches); all.heartbeats.push(...out.heartbeats); all.faults.push(...out.faults);
  }
  return all;
}

test('every host sends one valid batch of series_per_host samples per interval, spread over the interval', () => {
  const out = run(base, 10_000);
  assert.is(out.batches.length, 20);
  assert.ok(out.batches.every((b) => b.samples.length === 50 && validate('metric_batch', b)));
  const times = out.batches.map((b) => b.ts);
  assert.ok(Math.max(...times) - Math.min(...times) >= 9_000, 'batches are spread over the interval, not a burst');
});

test('heartbeats come at the period with rising sequence numbers per host', () => {
  const out = run(base, 5_000);
  const mine = out.heartbeats.filter((h) => h.node === 'sim-3');
  assert.is(mine.length, 5);
  assert.equal(mine.map((h) => h.seq), [0, 1, 2, 3, 4]);
  assert.ok(out.heartbeats.every((h) => validate('heartbeat', h)));
});

test('silent hosts stop sending after silent_after; the others go on', () => {
  const out = run({ ...base, silentHosts: 2, silentAfterMs: 3_000 }, 20_000);
  assert.ok(!out.heartbeats.some((h) => h.node === 'sim-0' && h.ts >= 3_000));
  assert.ok(out.heartbeats.some((h) => h.node === 'sim-5' && h.ts >= 3_000));
});

test('flapping interfaces alternate set and clear; filling filesystems cross 90 % and are cleaned', () => {
  const out = run({ ...base, flappingShare: 1, fillingShare: 1 }, 400_000, 1000);
  const eth = out.faults.filter((f) => f.entity_instance_id === 'host=sim-1.interface=eth1').map((f) => f.op);
  assert.ok(eth.length >= 4);
  assert.ok(eth.every((op, i) => op === (i % 2 === 0 ? 'set' : 'clear')), 'set, clear, set, ...');
  assert.ok(out.faults.every((f) => validate('fault_event', f)));
  const varUse = out.batches.filter((b) => b.node === 'sim-1').map((b) => b.samples.find((s: any) => s.labels.mountpoint === '/var').value);
  assert.ok(varUse.some((v) => v > 0.9) && varUse.some((v, i) => i > 0 && v < varUse[i - 1]), 'fills past 90 % then drops');
});

test('host ranges make one fleet: disjoint names, each range spread over the interval', () => {
  const a = run({ ...base, hosts: 10 }, 10_000);
  const b = run({ ...base, hosts: 10, hostOffset: 10 }, 10_000);
  const names = [...a.batches, ...b.batches].map((x) => x.node).sort();
  assert.equal(names, Array.from({ length: 20 }, (_, i) => `sim-${i}`).sort());
  assert.ok(b.heartbeats.every((h) => Number(h.node.slice(4)) >= 10));
  const silent = run({ ...base, hosts: 10, hostOffset: 10, silentHosts: 12, silentAfterMs: 0 }, 5_000);
  assert.equal([...new Set(silent.heartbeats.map((h) => h.node))].sort(), ['sim-12', 'sim-13', 'sim-14', 'sim-15', 'sim-16', 'sim-17', 'sim-18', 'sim-19'], 'silent_hosts counts from the fleet\'s first host');
});

test('heartbeat period 0: metric batches only', () => {
  const out = run({ ...base, heartbeatPeriodMs: 0 }, 10_000);
  assert.is(out.heartbeats.length, 0);
  assert.is(out.batches.length, 20);
});

test('batches share one series dictionary and encode to 2.x columnar that reads back', () => {
  const out = run(base, 20_000);
  const cols = out.batches.map((b) => metricColumns(b));
  assert.ok(cols.every((c) => c.series === cols[0]!.series), 'one dictionary for the fleet');
  const again = out.batches.filter((b) => b.node === 'sim-4');
  assert.ok(again[1].samples[10].value > again[0].samples[10].value, 'filler counters grow');
  const enc = encode('metric_batch', out.batches[0]);
  const d = decode('metric_batch', enc.headers, enc.value);
  assert.ok(d.ok && d.value.samples.length === 50 && d.value.node === out.batches[0].node);
});

test('the same seed gives the same fleet and events', () => {
  const a = run({ ...base, flappingShare: 0.5 }, 60_000);
  const b = run({ ...base, flappingShare: 0.5 }, 60_000);
  assert.equal(a.faults, b.faults);
  assert.equal(a.batches.map((x) => x.samples[0].value), b.batches.map((x) => x.samples[0].value));
});

test.run();
