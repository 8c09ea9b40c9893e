import { readFileSync } from 'node:fs';
import type { ConnectionOptions, Consumer } from '@platformatic/kafka';
import type { Logger } from '../log.js';
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

/**
 * Closes a consumer for good. The client's close() fails when leaving the group fails (the coordinator
 * is busy with a rebalance, say) and then leaves the member running: its heartbeat timer alone kept a
 * stopped bus's process alive for good. So leave again after a pause, and say so if it never works.
 */
export async function closeConsumer(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, log: Logger, group: string): Promise<void> {
  const attempts = 5;
  for (let attempt = 1; ; attempt++) {
    try {
      await consumer.close(true);
      return;
    } catch (err) {
      const error = (err as Error).message;
      if (attempt === attempts) {
        log.error('consumer did not leave its group; its process may not exit', { group, attempts, error });
        return;
      }
      log.warn('consumer close failed; trying again', { group, attempt, error });
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}
