import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema, PathSchema } from '@faultline/runtime';
import { TOPICS } from '@faultline/schemas';

const InputSchema = Type.Union(
  (['metrics', 'alarms', 'faults', 'remediations'] as const).map((t) => Type.Literal(t satisfies keyof typeof TOPICS)),
);

/** How long each table keeps its rows; old partitions are dropped whole (daily for samples, monthly for the rest). */
const RetentionSchema = Type.Object({
  metric_samples: DurationSchema({ default: '30d', description: 'metric samples (daily partitions)' }),
  alarm_transitions: DurationSchema({ default: '400d', description: 'alarm history (monthly partitions)' }),
  fault_events: DurationSchema({ default: '400d', description: 'fault events and customer logs (monthly partitions)' }),
  remediation_results: DurationSchema({ default: '400d', description: 'remediation audit trail (monthly partitions)' }),
}, { additionalProperties: false, default: {} });

export const ClickHouseSinkConfigSchema = Type.Object({
  inputs: Type.Array(InputSchema, {
    default: ['metrics', 'alarms', 'faults', 'remediations'],
    minItems: 1, uniqueItems: true,
    description: 'topics to store: metrics → metric_samples, alarms → alarm_transitions, faults → fault_events, remediations → remediation_results',
  }),
  url: Type.String({ default: 'http://127.0.0.1:8123', description: 'ClickHouse HTTP interface' }),
  username: Type.String({ default: 'default' }),
  password: Type.String({ default: '' }),
  database: Type.String({
    default: 'faultline', pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    description: 'created when missing; the migrations create the tables inside it',
  }),
  migrations_dir: PathSchema({
    default: '',
    description: 'folder of numbered .sql migrations; empty: the deploy/clickhouse folder shipped with faultline',
  }),
  batch_rows: Type.Integer({
    default: 10_000, minimum: 1,
    description: 'insert as soon as this many rows wait, without waiting for flush_interval',
  }),
  flush_interval: DurationSchema({
    default: '1s',
    description: 'fewer rows wait at most this long after the previous insert (ClickHouse prefers few large inserts)',
  }),
  max_buffer_rows: Type.Integer({
    default: 200_000, minimum: 1,
    description: 'while this many rows wait (ClickHouse down), write() holds new batches back: back-pressure on the bus',
  }),
  retry_backoff: DurationSchema({ default: '200ms', description: 'first wait before retrying a failed insert; doubles per failure' }),
  retry_backoff_max: DurationSchema({ default: '5s', description: 'longest wait between retries; retries go on until stop' }),
  drain_timeout: DurationSchema({
    default: '10s',
    description: 'how long stop() keeps retrying the rows in hand; what is left is redelivered by the bus after restart',
  }),
  request_timeout: DurationSchema({ default: '30s' }),
  compression: Type.Boolean({ default: false, description: 'gzip insert bodies (worth it across a network, not on loopback)' }),
  retention: RetentionSchema,
  retention_interval: DurationSchema({ default: '1h', description: 'how often old partitions are dropped (also once at start)' }),
}, { additionalProperties: false });

export type ClickHouseSinkConfig = Static<typeof ClickHouseSinkConfigSchema>;
export type InputTopic = ClickHouseSinkConfig['inputs'][number];
