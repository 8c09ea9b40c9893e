import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema } from '@faultline/runtime';

export const PrometheusSinkConfigSchema = Type.Object({
  inputs: Type.Array(Type.Union([Type.Literal('metrics'), Type.Literal('alarms')]), {
    default: ['metrics', 'alarms'], minItems: 1, uniqueItems: true,
    description: 'topics to expose: host metrics (metrics) and alarm state (alarms)',
  }),
  listen: Type.String({
    default: '127.0.0.1:9464', pattern: '^(\\[[0-9a-fA-F:.]+\\]|[^:\\[\\]]+):[0-9]{1,5}$',
    description: 'host:port of the exposition endpoint ([::1]:9464 for IPv6; port 0 picks a free one)',
  }),
  path: Type.String({ default: '/metrics', pattern: '^/', description: 'HTTP path of the exposition' }),
  node_label: Type.String({ default: 'node', pattern: '^[a-zA-Z_][a-zA-Z0-9_]*$', description: 'label that carries the node name' }),
  series_expiry: DurationSchema({ default: '5m', description: 'a host series not refreshed for this long leaves the exposition' }),
  liveness_expiry: DurationSchema({
    default: '1h', description: 'how long faultline_collector_last_report_timestamp_seconds stays after a collector falls silent',
  }),
  pipeline_metrics: Type.Boolean({ default: true, description: 'also expose the pipeline\'s own metrics (lag, records, dead letters, spool)' }),
}, { additionalProperties: false });

export type PrometheusSinkConfig = Static<typeof PrometheusSinkConfigSchema>;

/** `127.0.0.1:9464` or `[::1]:9464` → host and port. */
export function parseListen(listen: string): { host: string; port: number } {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[(.*)\]$/, '$1');
  const port = Number(listen.slice(i + 1));
  if (!(port >= 0 && port <= 65535)) throw new Error(`listen: port ${port} is not in 0..65535`);
  return { host, port };
}
