import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSeriesColumns } from '../src/series.js';

const sample = (name: string, labels: Record<string, string>, value: number) => ({ name, labels, value });

test('the same series in the same order keep one dictionary object; the values are the interval\'s own', () => {
  const columns = createSeriesColumns();
  const a = columns([sample('node_load1', {}, 0.5), sample('node_cpu_seconds_total', { cpu: '0', mode: 'idle' }, 10)]);
  const b = columns([sample('node_load1', {}, 0.7), sample('node_cpu_seconds_total', { mode: 'idle', cpu: '0' }, 11)]);
  assert.ok(a.series === b.series, 'reused: label order does not matter');
  assert.equal([...a.values], [0.5, 10]);
  assert.equal([...b.values], [0.7, 11]);
  assert.equal(b.series.names, ['node_load1', 'node_cpu_seconds_total']);
});

test('a changed label value, a new series or a reorder makes a new dictionary', () => {
  const columns = createSeriesColumns();
  const first = columns([sample('x', { device: 'sda' }, 1), sample('y', {}, 2)]).series;
  const relabelled = columns([sample('x', { device: 'sdb' }, 1), sample('y', {}, 2)]).series;
  assert.ok(relabelled !== first);
  assert.equal(relabelled.labels[0], { device: 'sdb' });
  const grown = columns([sample('x', { device: 'sdb' }, 1), sample('y', {}, 2), sample('z', {}, 3)]).series;
  assert.ok(grown !== relabelled);
  assert.equal(grown.names, ['x', 'y', 'z']);
  const reordered = columns([sample('y', {}, 2), sample('x', { device: 'sdb' }, 1), sample('z', {}, 3)]).series;
  assert.ok(reordered !== grown);
  assert.equal(reordered.names, ['y', 'x', 'z']);
});

test.run();
