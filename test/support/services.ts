import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root. */
export const ROOT = resolve(import.meta.dirname, '../..');
/** Where deploy/dev keeps the services' data and logs. */
export const DEV_DIR = process.env.FAULTLINE_DEV_DIR ?? resolve(ROOT, '.dev');

/** Loopback ports of the services deploy/dev/svc starts (see deploy/dev/README.md). */
export const SERVICES = {
  kafka: { brokers: [`127.0.0.1:${process.env.FAULTLINE_KAFKA_PORT ?? 19092}`], saslPort: 19094, tlsPort: 19095 },
  clickhouse: { url: `http://127.0.0.1:${process.env.FAULTLINE_CLICKHOUSE_HTTP_PORT ?? 18123}` },
  prometheus: { url: `http://127.0.0.1:${process.env.FAULTLINE_PROMETHEUS_PORT ?? 19090}` },
  alertmanager: { url: `http://127.0.0.1:${process.env.FAULTLINE_ALERTMANAGER_PORT ?? 19093}` },
  nodeExporter: { url: `http://127.0.0.1:${process.env.FAULTLINE_NODE_EXPORTER_PORT ?? 19100}` },
  snmptrapd: { host: '127.0.0.1', port: Number(process.env.FAULTLINE_SNMPTRAPD_PORT ?? 11162), log: resolve(DEV_DIR, 'snmptrapd/traps.log') },
} as const;

export type ServiceName = 'kafka' | 'clickhouse' | 'prometheus' | 'alertmanager' | 'node-exporter' | 'snmptrapd';

/** Starts the services a test needs (a no-op for those already running). */
export async function ensureServices(...names: ServiceName[]): Promise<void> {
  for (const name of names) {
    await run(resolve(ROOT, 'deploy/dev/svc'), [name, 'start'], { cwd: ROOT, timeout: 300_000 });
  }
}

/** Polls `probe` until it returns a value that is not undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
