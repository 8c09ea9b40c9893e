import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from '@platformatic/kafka';
import type { KafkaConfig } from './config.js';

/** Connection settings shared by every client: brokers, SASL/SCRAM and TLS from the pipeline file. */
export function connectionOptions(config: KafkaConfig): ConnectionOptions & { clientId: string; bootstrapBrokers: string[] } {
  const opts: ConnectionOptions & { clientId: string; bootstrapBrokers: string[] } = {
    clientId: config.client_id, bootstrapBrokers: config.brokers, connectTimeout: 5_000, requestTimeout: 30_000,
  };
  if (config.sasl) {
    const mechanism = ({ 'scram-sha-512': 'SCRAM-SHA-512', 'scram-sha-256': 'SCRAM-SHA-256', plain: 'PLAIN' } as const)[config.sasl.mechanism];
    opts.sasl = { mechanism, username: config.sasl.username, password: config.sasl.password };
  }
  if (config.tls) {
    const t = config.tls;
    opts.tls = {
      rejectUnauthorized: t.reject_unauthorized,
      ...(t.ca_file ? { ca: readFileSync(t.ca_file) } : {}),
      ...(t.cert_file ? { cert: readFileSync(t.cert_file) } : {}),
      ...(t.key_file ? { key: readFileSync(t.key_file) } : {}),
    };
  }
  return opts;
}
