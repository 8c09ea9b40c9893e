// Support for the fault-injection suite: durations from env (short in CI, long on request), a private
// Kafka whose topic settings a scenario may widen, pipeline child processes that count their own
// crashes, and the one-line figures every scenario prints.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createKafkaBus, createLogger, loadTopicSpecs, parseDuration, type Bus, type TopicSpec } from '@faultline/runtime';
import { ROOT } from './index.js';
import { freePort } from './alarm-service.js';

const run = promisify(execFile);

/** A duration from env (`FAULTLINE_CHAOS_OUTAGE=60s`), else the short CI default; printed so a reader knows which ran. */
export function chaosDuration(name: string, fallback: string): number {
  const text = process.env[name] ?? fallback;
  process.stdout.write(`  ${name}=${text}${process.env[name] ? '' : ' (CI default; set it for a long run)'}\n`);
  return parseDuration(text);
}

/** A count from env, else the default. */
export function chaosCount(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  process.stdout.write(`  ${name}=${n}${process.env[name] ? '' : ' (default)'}\n`);
  return n;
}

/** `deploy/dev/svc <service> <action>` on a dev dir and ports of the scenario's own: never the shared services. */
export async function privateService(service: 'kafka' | 'clickhouse') {
  const devDir = mkdtempSync(join(tmpdir(), `fl-chaos-${service}-`));
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

/** A private broker with faultline's topics (deploy/kafka/topics.yaml), each adjustable by `adjust`. */
export async function privateKafka(adjust: (t: TopicSpec) => TopicSpec = (t) => t) {
  const svc = await privateService('kafka');
  await svc.svc('start');
  const brokers = [`127.0.0.1:${svc.ports.FAULTLINE_KAFKA_PORT}`];
  const log = createLogger('chaos', { level: process.env.FAULTLINE_TEST_LOG ? 'debug' : 'error' });
  const bus: Bus = createKafkaBus({
    brokers, client_id: 'chaos-test', compression: 'none', linger_ms: 2, batch_max_records: 1000,
    spool: { max_bytes: 64 << 20, clear_after_ms: 1000 },
  } as never, { log });
  await bus.ensureTopics(loadTopicSpecs(resolve(ROOT, 'deploy/kafka/topics.yaml')).map(adjust));
  return {
    ...svc, brokers, bus,
    async stop() { await bus.stop().catch(() => {}); await svc.remove(); },
  };
}

/** `./faultline <role> <type> -c <file>` as a child process; an exit the scenario did not cause is a crash. */
export class PipelineProcess {
  child: ChildProcess | undefined;
  crashes = 0;
  private expectedExit = false;
  private exited: Promise<void> = Promise.resolve();
  readonly file: string;

  constructor(readonly name: string, readonly dir: string, readonly role: 'processor' | 'sink', readonly type: string, pipelineYaml: string) {
    this.file = join(dir, `${name}.yaml`);
    writeFileSync(this.file, pipelineYaml);
  }

  start(): void {
    const log = createWriteStream(join(this.dir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(resolve(ROOT, 'faultline'), [this.role, this.type, '-c', this.file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.pipe(log);
    child.stderr!.pipe(log);
    this.expectedExit = false;
    this.exited = new Promise((r) => child.once('exit', (code, signal) => {
      if (!this.expectedExit) {
        this.crashes++;
        process.stdout.write(`  ${this.name} exited unexpectedly (code ${code}, signal ${signal}); log: ${join(this.dir, `${this.name}.log`)}\n`);
      }
      r();
    }));
    this.child = child;
  }

  get running(): boolean { return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null; }

  async kill9(): Promise<void> { this.expectedExit = true; this.child?.kill('SIGKILL'); await this.exited; }
  async stop(): Promise<void> { this.expectedExit = true; this.child?.kill('SIGTERM'); await this.exited; }
}

export interface ChaosFigures {
  sent: number; delivered: number; lost: number; duplicated: number; deadLettered: number; crashes: number; spoolBound?: string;
}

/** The scenario's figures on one line, greppable across runs. */
export function printFigures(scenario: string, f: ChaosFigures, extra = ''): void {
  process.stdout.write(`\n  CHAOS ${scenario}: sent ${f.sent}, delivered ${f.delivered}, lost ${f.lost}, duplicated ${f.duplicated}, `
    + `dead-lettered ${f.deadLettered}, crashes ${f.crashes}${f.spoolBound ? `, spool bound ${f.spoolBound}` : ''}${extra ? `; ${extra}` : ''}\n`);
}

export const makeDir = (tag: string) => mkdtempSync(join(tmpdir(), `fl-chaos-${tag}-`));

/** A correlator pipeline file on the given brokers, with its REST API (for /readyz and the active alarms). */
export function correlatorYaml(name: string, dir: string, brokers: string[], apiPort: number, token: string): string {
  return [
    `node: ${name}`, `data_dir: ${join(dir, `data-${name}`)}`,
    'bus:', '  type: kafka', '  kafka:', `    brokers: [${brokers.join(', ')}]`, `    client_id: ${name}`, '    linger_ms: 2',
    'processors:', '  correlator:', '    type: correlator',
    '    api:', '      enabled: true', `      listen: 127.0.0.1:${apiPort}`, `      tokens: [${token}]`, '',
  ].join('\n');
}
