import { Type, type Static } from '@sinclair/typebox';

export const KafkaConfigSchema = Type.Object({
  brokers: Type.Array(Type.String({ pattern: '^[^:]+:[0-9]+$' }), { minItems: 1, default: ['127.0.0.1:9092'], description: 'host:port of one or more brokers' }),
  client_id: Type.String({ default: 'faultline' }),
  sasl: Type.Optional(Type.Object({
    mechanism: Type.Union([Type.Literal('scram-sha-512'), Type.Literal('scram-sha-256'), Type.Literal('plain')]),
    username: Type.String({ minLength: 1 }),
    password: Type.String({ minLength: 1, description: 'use ${env:NAME} to keep it out of the file' }),
  }, { additionalProperties: false })),
  tls: Type.Optional(Type.Object({
    ca_file: Type.Optional(Type.String({ description: 'PEM file of the CA that signed the brokers\' certificates' })),
    cert_file: Type.Optional(Type.String()),
    key_file: Type.Optional(Type.String()),
    reject_unauthorized: Type.Boolean({ default: true }),
  }, { additionalProperties: false })),
  compression: Type.Union([Type.Literal('none'), Type.Literal('gzip'), Type.Literal('snappy'), Type.Literal('lz4'), Type.Literal('zstd')], { default: 'lz4', description: 'codec of produced batches' }),
  linger_ms: Type.Integer({ minimum: 0, maximum: 10_000, default: 5, description: 'how long a producer waits to gather records into one batch' }),
  batch_max_records: Type.Integer({ minimum: 1, default: 1000, description: 'most records in one produced batch, and in one consumed batch' }),
  spool: Type.Object({
    max_bytes: Type.Integer({ minimum: 65_536, default: 64 * 1024 * 1024, description: 'bound of a collector\'s on-disk spool while the broker is unreachable; past it the oldest records are dropped' }),
    clear_after_ms: Type.Integer({ minimum: 0, default: 60_000, description: 'the 720.001 fault clears once the spool has stayed empty this long' }),
  }, { additionalProperties: false, default: {} }),
}, { additionalProperties: false });

export const BusConfigSchema = Type.Object({
  type: Type.Union([Type.Literal('embedded'), Type.Literal('kafka')], { default: 'embedded', description: 'embedded: one process, no Kafka (simplex); kafka: a Kafka cluster' }),
  kafka: Type.Optional(KafkaConfigSchema),
}, { additionalProperties: false, default: {} });

export type KafkaConfig = Static<typeof KafkaConfigSchema>;
export type BusConfig = Static<typeof BusConfigSchema>;
