// Support for test/e2e: a fake host tree the real host collector reads, the three pipeline files
// (collector, processors, sinks) on the shared Kafka, and the pipeline processes themselves.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { SpanLine } from '@faultline/runtime';
import { ROOT, SERVICES } from './services.js';

/**
 * procfs and sysfs as plain files, holding one physical interface: what the host collector's network
 * group reads. Flipping `carrier` is a link losing its cable, as far as the collector can tell.
 */
export class FakeHost {
  readonly proc: string;
  readonly sys: string;

  constructor(readonly root: string, readonly ifname: string) {
    this.proc = join(root, 'proc');
    this.sys = join(root, 'sys');
    this.put('proc/net/dev', [
      'Inter-|   Receive                                                |  Transmit',
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
      `  ${ifname}: 1000 10 0 0 0 0 0 0 2000 20 0 0 0 0 0 0`, '',
    ].join('\n'));
    this.put('proc/sys/kernel/random/boot_id', '5b0c3f0e-7e0a-4d7c-9a77-0d2f8c9e1e01\n');
    for (const [f, v] of Object.entries({ flags: '0x1003', carrier: '1', operstate: 'up', mtu: '1500', speed: '1000', carrier_changes: '1' })) {
      this.put(`sys/class/net/${ifname}/${f}`, `${v}\n`);
    }
    mkdirSync(join(this.sys, `class/net/${ifname}/device`), { recursive: true });
  }

  /**
   * Rewritten in place, not replaced: the collector keeps its files open between intervals (as it does
   * with sysfs), so a renamed-over file would go unseen. A read of the file half-written reads as
   * undecided, which changes no alarm.
   */
  put(rel: string, text: string): void {
    const file = join(this.root, rel);
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }

  carrier(up: boolean): void {
    this.put(`sys/class/net/${this.ifname}/carrier`, up ? '1\n' : '0\n');
    this.put(`sys/class/net/${this.ifname}/operstate`, up ? 'up\n' : 'down\n');
  }
}

export interface E2eSetup {
  dir: string;
  node: string;
  host: FakeHost;
  /** This run's marker: the Alertmanager label `e2e_run`, the ClickHouse database suffix. */
  run: string;
  database: string;
  prometheusPort: number;
}

/** The instance names: fixed, so their consumer groups resume where the previous run left off. */
export const E2E = {
  collector: 'e2e_host', correlator: 'e2e_correlator', remediator: 'e2e_remediator',
  snmp: 'e2e_snmp', prometheus: 'e2e_prometheus', alertmanager: 'e2e_alertmanager', clickhouse: 'e2e_clickhouse',
  rule: 'e2e-relink',
} as const;

/** The pipeline file of one process: the shared Kafka, its own data dir and span file. */
function pipelineFile(s: E2eSetup, role: string, sections: Record<string, unknown>): string {
  const file = join(s.dir, `${role}.yaml`);
  writeFileSync(file, stringify({
    node: s.node,
    data_dir: join(s.dir, `data-${role}`),
    bus: { type: 'kafka', kafka: { brokers: SERVICES.kafka.brokers, client_id: `e2e-${role}`, linger_ms: 2 } },
    tracing: { exporter: 'file', file: 'spans.jsonl', service_name: `faultline-${role}` },
    ...sections,
  }));
  return file;
}

export function pipelineFiles(s: E2eSetup): Record<'collector' | 'processors' | 'sinks', string> {
  return {
    collector: pipelineFile(s, 'collector', {
      collectors: {
        [E2E.collector]: {
          type: 'host', interval: '1s', groups: ['network'],
          paths: { proc: s.host.proc, sys: s.host.sys, rootfs: s.host.root },
          heartbeat: { enabled: false },
        },
      },
    }),
    processors: pipelineFile(s, 'processors', {
      processors: {
        [E2E.correlator]: { type: 'correlator', tick: '100ms', api: { enabled: false } },
        [E2E.remediator]: {
          type: 'remediator',
          // Other runs leave heartbeats of simulated fleets on the shared broker; their 710.010 (several hosts
          // silent) must not hold this run's remediation: no alarm here counts as the multi-node failure.
          multi_node_alarm_id: '799.999',
          rules: [{
            name: E2E.rule, match: { alarm_id: ['700.110'], entity: `host=${s.node}.**` },
            steps: [{ action: { type: 'command', argv: ['/bin/echo', 'relinked'] }, verify_within: '2m' }],
          }],
        },
      },
    }),
    sinks: pipelineFile(s, 'sinks', {
      sinks: {
        [E2E.snmp]: {
          type: 'snmp', agent: { enabled: false },
          destinations: [{ name: 'dev', host: SERVICES.snmptrapd.host, port: SERVICES.snmptrapd.port, version: 'v2c', community: 'faultline' }],
        },
        [E2E.prometheus]: { type: 'prometheus', inputs: ['alarms'], listen: `127.0.0.1:${s.prometheusPort}`, pipeline_metrics: false },
        [E2E.alertmanager]: { type: 'alertmanager', url: SERVICES.alertmanager.url, repost_interval: '1s', labels: { e2e_run: s.run } },
        [E2E.clickhouse]: {
          type: 'clickhouse', url: SERVICES.clickhouse.url, database: s.database, inputs: ['alarms', 'faults', 'remediations'],
          flush_interval: '100ms',
        },
      },
    }),
  };
}

/** `faultline run -c FILE` as a child process (the CLI without its install check), its output in a log file. */
export class PipelineRun {
  readonly log: string;
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(readonly name: string, readonly file: string, dir: string) {
    this.log = join(dir, `${name}.log`);
    const out = createWriteStream(this.log);
    this.child = spawn(process.execPath, [
      '--conditions=@faultline/source', '--import', resolve(ROOT, 'node_modules/tsx/dist/loader.mjs'),
      resolve(ROOT, 'runtime/cli/src/main.ts'), 'run', '-c', file,
    ], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.pipe(out);
    this.child.stderr!.pipe(out);
    this.exited = new Promise((r) => this.child.once('exit', (code) => r(code)));
  }

  /** Its log once every component has started (the runtime logs `started <kind> <id>` for each). */
  started(components: number): string | undefined {
    const text = existsSync(this.log) ? readFileSync(this.log, 'utf8') : '';
    if (this.child.exitCode !== null) throw new Error(`${this.name} exited with ${this.child.exitCode}:\n${text}`);
    return (text.match(/started (collector|processor|sink) /g)?.length ?? 0) >= components ? text : undefined;
  }

  /** SIGTERM: the pipeline stops cleanly (and its span file is complete); the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}

/** The spans of every process, merged. */
export function readSpans(files: readonly string[]): SpanLine[] {
  return files.filter(existsSync).flatMap((f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as SpanLine));
}
