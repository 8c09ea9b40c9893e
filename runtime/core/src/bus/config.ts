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
}, { additionalProperties: false });

export const BusConfigSchema = Type.Object({
  type: Type.Union([Type.Literal('embedded'), Type.Literal('kafka')], { default: 'embedded', description: 'embedded: one process, no Kafka (simplex); kafka: a Kafka cluster' }),
  kafka: Type.Optional(KafkaConfigSchema),
}, { additionalProperties: false, default: {} });

export type KafkaConfig = Static<typeof KafkaConfigSchema>;
export type BusConfig = Static<typeof BusConfigSchema>;
