import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { expiredPartitions, partitionEnd } from '../src/index.js';

const DAY = 86_400_000;

test('partitionEnd is the next UTC day for YYYYMMDD and the next UTC month for YYYYMM', () => {
  assert.is(partitionEnd('20261124'), Date.UTC(2026, 10, 25));
  assert.is(partitionEnd('20261231'), Date.UTC(2027, 0, 1));
  assert.is(partitionEnd('202611'), Date.UTC(2026, 11, 1));
  assert.is(partitionEnd('202612'), Date.UTC(2027, 0, 1));
  assert.throws(() => partitionEnd('tuple()'), /neither/);
});

test('only partitions wholly older than the retention go, per table', () => {
  const now = Date.UTC(2026, 10, 25, 9, 0);
  const parts = [
    { table: 'metric_samples', id: '20261024' }, // ends 2026-10-25 00:00: 31 days + 9 h ago
    { table: 'metric_samples', id: '20261025' }, // ends 2026-10-26 00:00: 30 days + 9 h ago → expired with keep 30d
    { table: 'metric_samples', id: '20261026' }, // ends 29 days + 9 h ago: holds rows younger than 30 days
    { table: 'alarm_transitions', id: '202509' }, // ends 2025-10-01: 420 days ago
    { table: 'alarm_transitions', id: '202510' }, // ends 2025-11-01: 389 days ago, younger than 400 days
    { table: 'other', id: '20200101' }, // not a table with a retention
  ];
  const expired = expiredPartitions(parts, { metric_samples: 30 * DAY, alarm_transitions: 400 * DAY }, now);
  assert.equal(expired, [
    { table: 'metric_samples', id: '20261024' }, { table: 'metric_samples', id: '20261025' }, { table: 'alarm_transitions', id: '202509' },
  ]);
});

test.run();
