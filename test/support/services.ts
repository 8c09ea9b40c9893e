import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
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

/** A port that was free a moment ago (listen on 0, read it, close). */
export const freePort = () => new Promise<number>((done, fail) => {
  const srv = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => done(port));
  });
});

/**
 * `deploy/dev/svc <service> <action>` on a dev dir and ports of the test's own, for a test that stops its
 * service mid-stream: never the shared services. `remove()` stops it and deletes its dir (kept with FAULTLINE_KEEP).
 */
export async function privateService(service: 'kafka' | 'clickhouse') {
  const devDir = mkdtempSync(join(tmpdir(), `fl-private-${service}-`));
  const ports: Record<string, string> = service === 'kafka'
    ? {
      FAULTLINE_KAFKA_PORT: String(await freePort()), FAULTLINE_KAFKA_CONTROLLER_PORT: String(await freePort()),
      FAULTLINE_KAFKA_SASL_PORT: String(await freePort()), FAULTLINE_KAFKA_SSL_PORT: String(await freePort()),
    }
    : { FAULTLINE_CLICKHOUSE_HTTP_PORT: String(await freePort()), FAULTLINE_CLICKHOUSE_TCP_PORT: String(await freePort()) };
  const env = { ...process.env, FAULTLINE_DEV_DIR: devDir, ...ports };
  const svc = async (action: 'start' | 'stop') => { await run(resolve(ROOT, 'deploy/dev/svc'), [service, action], { env, cwd: ROOT, timeout: 180_000 }); };
  return {
    devDir, ports, svc,
    async remove() {
      if (process.env.FAULTLINE_KEEP) return;
      await svc('stop').catch(() => {});
      rmSync(devDir, { recursive: true, force: true });
    },
  };
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
