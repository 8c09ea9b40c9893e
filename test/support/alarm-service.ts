// Support for the alarm-service tests: a private Kafka broker, correlator child processes, a
// deterministic fault load, and the transitions a pure engine expects from it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  TOPICS, alarmKey, decode, type ActiveAlarm, type AlarmTransition, type FaultEvent,
} from '@faultline/schemas';
import { toOutbound, type Bus } from '@faultline/runtime';
import { Engine, loadCatalogFile, newOutput, BUILTIN_CATALOG } from '@faultline/processor-correlator';
import { ROOT, freePort, waitFor } from './index.js';

export const TOKEN = 'alarm-service-test-token-0123456789';

// One private broker helper for the alarm-service and chaos suites (test/support/chaos.ts).
export { privateKafka } from './chaos.js';
export { freePort };

/** `./faultline processor correlator -c <file>` as a child process, with its REST API on its own port. */
export class CorrelatorProcess {
  child: ChildProcess | undefined;
  readonly url: string;
  private readonly file: string;
  private exited: Promise<void> = Promise.resolve();

  private constructor(readonly name: string, readonly dir: string, port: number, brokers: string[], id: string, extra: readonly string[]) {
    this.url = `http://127.0.0.1:${port}`;
    this.file = join(dir, `${name}.yaml`);
    writeFileSync(this.file, [
      `node: ${name}`,
      `data_dir: ${join(dir, `data-${name}`)}`,
      'bus:',
      '  type: kafka',
      '  kafka:',
      `    brokers: [${brokers.join(', ')}]`,
      `    client_id: ${name}`,
      '    linger_ms: 2',
      'processors:',
      `  ${id}:`,
      '    type: correlator',
      '    api:',
      '      enabled: true',
      `      listen: 127.0.0.1:${port}`,
      `      tokens: [${TOKEN}]`,
      ...extra.map((l) => `    ${l}`),
      '',
    ].join('\n'));
  }

  /** `extra`: more lines of the correlator's config (YAML, indented as its other keys). */
  static async create(name: string, dir: string, brokers: string[], id = 'correlator', extra: readonly string[] = []): Promise<CorrelatorProcess> {
    return new CorrelatorProcess(name, dir, await freePort(), brokers, id, extra);
  }

  start(): void {
    const log = createWriteStream(join(this.dir, `${this.name}.log`), { flags: 'a' });
    const child = spawn(resolve(ROOT, 'faultline'), ['processor', 'correlator', '-c', this.file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    this.exited = new Promise((r) => child.once('exit', () => r()));
    this.child = child;
  }

  /** Its API answers and it has restored what it was assigned. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await waitFor(`${this.name} ready`, async () => ((await fetch(`${this.url}/readyz`)).ok ? true : undefined), timeoutMs, 200);
  }

  /** kill -9: no stop, no flush, an open transaction left behind. */
  async kill9(): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    this.child?.kill('SIGTERM');
    await this.exited;
  }

  /** Until it is ready: every /readyz answer that said why it was not (connection refused before the API listens). */
  async readyReasons(timeoutMs = 60_000): Promise<string[]> {
    const reasons: string[] = [];
    await waitFor(`${this.name} ready`, async () => {
      const res = await fetch(`${this.url}/readyz`);
      if (res.ok) return true;
      reasons.push(((await res.json()) as { reason: string }).reason);
      return undefined;
    }, timeoutMs, 50);
    return reasons;
  }

  /** A REST call with the test token. */
  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method, headers: { authorization: `Bearer ${TOKEN}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${this.name}: ${method} ${path} ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  }

  /** Every active alarm its API serves, page by page: the whole group's, or (`member`) only those its engine owns. */
  async alarms(scope: 'system' | 'member' = 'system'): Promise<ActiveAlarm[]> {
    const all: ActiveAlarm[] = [];
    for (;;) {
      const res = await fetch(`${this.url}/v1/alarms?limit=1000&offset=${all.length}&scope=${scope}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      if (!res.ok) throw new Error(`${this.name}: GET /v1/alarms ${res.status}`);
      const page = (await res.json()) as { total: number; items: ActiveAlarm[] };
      all.push(...page.items);
      if (!page.items.length || all.length >= page.total) return all;
    }
  }
}

/**
 * A deterministic fault load: every round, every entity of every host moves one step through
 * raise major → critical → clear → raise again, so there are raises, updates, clears, re-raises
 * and (after five changes in ten minutes) flapping.
 */
export function faultRounds(prefix: string, rounds: number, hosts: number, entities: number, start = Date.now()): FaultEvent[][] {
  const out: FaultEvent[][] = [];
  for (let r = 0; r < rounds; r++) {
    const round: FaultEvent[] = [];
    for (let h = 0; h < hosts; h++) {
      for (let e = 0; e < entities; e++) {
        const entity = `host=${prefix}-h${h}.interface=eth${e}`;
        const ts = start + r * 1000 + h * entities + e;
        const step = (r + e + h) % 4;
        if (step === 2) round.push({ op: 'clear', alarm_id: '700.110', entity_instance_id: entity, ts });
        else round.push({ op: 'set', alarm_id: '700.110', entity_instance_id: entity, ts, severity: step === 1 ? 'critical' : 'major' });
      }
    }
    out.push(round);
  }
  return out;
}

/** What a pure engine makes of the same faults: its transitions and its final active set. */
export function expected(rounds: FaultEvent[][]) {
  const e = new Engine({ catalog: loadCatalogFile(BUILTIN_CATALOG).catalog, id_seed: 'expected' });
  const transitions: AlarmTransition[] = [];
  for (const round of rounds) for (const f of round) {
    const out = newOutput();
    e.fault(f, out);
    transitions.push(...out.transitions);
  }
  return { transitions, active: e.query() };
}

/** Sends one round per `everyMs`, keyed by host as any collector would; `onRound` runs after each. */
export async function sendRounds(bus: Bus, rounds: FaultEvent[][], everyMs: number, onRound?: (i: number) => Promise<void>) {
  const producer = bus.producer();
  try {
    for (let i = 0; i < rounds.length; i++) {
      await producer.send(rounds[i]!.map((f) => toOutbound('faults', f)));
      await onRound?.(i);
      await new Promise((r) => setTimeout(r, everyMs));
    }
  } finally {
    await producer.close();
  }
}

/** `kind:seq:severity` of a single-alarm transition: what must match, uuids aside (each engine seeds its own). */
export const signature = (t: AlarmTransition): [string, string] => {
  if (t.kind === 'cleared_all') throw new Error('the load has no clear_all');
  return [alarmKey(t.alarm), `${t.kind}:${t.seq}:${t.alarm.severity}`];
};

/** Every transition of the given hosts in the alarms topic, read committed. */
export async function committedTransitions(bus: Bus, prefix: string): Promise<AlarmTransition[]> {
  const out: AlarmTransition[] = [];
  for await (const r of bus.readAll('alarms')) {
    if (!r.value || !r.key?.includes(`host=${prefix}-`)) continue;
    const d = decode(TOPICS.alarms.schema, r.headers, r.value);
    if (d.ok) out.push(d.value);
  }
  return out;
}

/**
 * The hosts' committed transitions once there are at least `expected` and two reads in a row agree. A
 * transaction a killed process left open holds read-committed readers back until the broker aborts it
 * (its transaction timeout), so the count is watched until it stops changing.
 */
export async function settledTransitions(bus: Bus, prefix: string, expected: number, timeoutMs: number, everyMs = 1_500): Promise<AlarmTransition[]> {
  let last = -1;
  return waitFor('the alarms topic to settle', async () => {
    const ts = await committedTransitions(bus, prefix);
    const settled = ts.length >= expected && ts.length === last;
    if (ts.length !== last && process.env.FAULTLINE_TEST_LOG) process.stdout.write(`  transitions ${ts.length} of ${expected}\n`);
    last = ts.length;
    return settled ? ts : undefined;
  }, timeoutMs, everyMs);
}

/** The last value per key of alarms.active for the given hosts. */
export async function activeTopic(bus: Bus, prefix: string): Promise<Map<string, ActiveAlarm>> {
  const last = new Map<string, ActiveAlarm>();
  for await (const r of bus.readAll('alarms.active')) {
    if (!r.key?.includes(`host=${prefix}-`)) continue;
    if (!r.value) { last.delete(r.key); continue; }
    const d = decode(TOPICS['alarms.active'].schema, r.headers, r.value);
    if (d.ok) last.set(r.key, d.value);
  }
  return last;
}

export interface Figures { expected: number; seen: number; lost: number; duplicated: number; unexpected: number }

/** Compares the transitions seen with the expected ones, per alarm key and in order. */
export function compare(want: AlarmTransition[], seen: AlarmTransition[]): Figures & { problems: string[] } {
  const count = (ts: AlarmTransition[]) => {
    const m = new Map<string, number>();
    for (const t of ts) { const [k, s] = signature(t); const id = `${k} ${s}`; m.set(id, (m.get(id) ?? 0) + 1); }
    return m;
  };
  const w = count(want), s = count(seen);
  let lost = 0, duplicated = 0, unexpected = 0;
  const problems: string[] = [];
  for (const [id, n] of w) { const got = s.get(id) ?? 0; if (got < n) { lost += n - got; problems.push(`lost ${id}`); } }
  for (const [id, n] of s) {
    const exp = w.get(id) ?? 0;
    if (exp === 0) { unexpected += n; problems.push(`unexpected ${id}`); } else if (n > exp) { duplicated += n - exp; problems.push(`duplicated ${id} x${n}`); }
  }
  return { expected: want.length, seen: seen.length, lost, duplicated, unexpected, problems: problems.slice(0, 10) };
}

export const activeSignature = (a: ActiveAlarm) => `${alarmKey(a.alarm)} seq=${a.seq} ${a.alarm.severity}${a.alarm.flapping ? ' flapping' : ''}`;
