import type { SinkFactory } from '@faultline/runtime';
import { ClickHouseSinkConfigSchema } from './config.js';
import { createClickHouseSink } from './sink.js';

export const clickhouseSink = {
  kind: 'sink',
  type: 'clickhouse',
  stability: 'alpha',
  description: 'store metrics, alarm history, fault events and remediation results in ClickHouse (for Grafana)',
  configSchema: ClickHouseSinkConfigSchema,
  create: createClickHouseSink,
} satisfies SinkFactory<typeof ClickHouseSinkConfigSchema>;
