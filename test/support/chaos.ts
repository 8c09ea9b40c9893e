// Support for the fault-injection suite: durations from env (short in CI, long on request), a private
// Kafka whose topic settings a scenario may widen, pipeline child processes that count their own
// crashes, and the one-line figures every scenario prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createKafkaBus, createLogger, loadTopicSpecs, parseDuration, type Bus, type TopicSpec } from '@faultline/runtime';
import { ROOT, privateService } from './index.js';

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
