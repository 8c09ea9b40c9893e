// Memory and CPU of the whole embedded pipeline on one node (`faultline run` with the simplex default),
// beside node_exporter's over the same window. Read from procfs: the process and all its descendants.
import { spawn, execFileSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** stat fields after the command name (which may hold spaces and parentheses). */
const statFields = (pid: number): string[] | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch { return undefined; } // exited meanwhile
};

/** The pid and every descendant of it alive now. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const ppid = Number(statFields(Number(d))?.[1]);
    if (ppid) children.set(ppid, [...(children.get(ppid) ?? []), Number(d)]);
  }
  const out: number[] = [];
  const walk = (pid: number) => { out.push(pid); for (const c of children.get(pid) ?? []) walk(c); };
  walk(root);
  return out;
}

/** utime+stime of the tree in seconds (fields 14 and 15 of stat; index 11 and 12 after the name). */
const cpuSeconds = (pids: number[]) => pids.reduce((s, pid) => {
  const f = statFields(pid);
  return s + (f ? (Number(f[11]) + Number(f[12])) / CLK_TCK : 0);
}, 0);

const rssMb = (pids: number[]) => pids.reduce((s, pid) => {
  try {
    const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return s + Number(kb ?? 0) / 1024;
  } catch { return s; }
}, 0);

export interface Footprint { cpuPercent: number; rssMbMean: number; rssMbMax: number; processes: number }

/** Samples each root's tree every second for `windowMs`; CPU % of one core over the window. */
export async function sample(roots: Record<string, number>, windowMs: number): Promise<Record<string, Footprint>> {
  const state = Object.fromEntries(Object.entries(roots).map(([k, pid]) => {
    const pids = tree(pid);
    return [k, { pid, cpu0: cpuSeconds(pids), rss: [] as number[], processes: pids.length }];
  }));
  const t0 = performance.now();
  while (performance.now() - t0 < windowMs) {
    await new Promise((r) => setTimeout(r, 1000));
    for (const s of Object.values(state)) s.rss.push(rssMb(tree(s.pid)));
  }
  const seconds = (performance.now() - t0) / 1000;
  return Object.fromEntries(Object.entries(state).map(([k, s]) => {
    const pids = tree(s.pid);
    return [k, {
      cpuPercent: ((cpuSeconds(pids) - s.cpu0) / seconds) * 100,
      rssMbMean: s.rss.reduce((a, b) => a + b, 0) / s.rss.length,
      rssMbMax: Math.max(...s.rss),
      processes: Math.max(s.processes, pids.length),
    }];
  }));
}

const freeTcpPort = () => new Promise<number>((done, fail) => {
  const srv = createServer().once('error', fail).listen(0, '127.0.0.1', () => {
    const { port } = srv.address() as { port: number };
    srv.close(() => done(port));
  });
});
const freeUdpPort = () => new Promise<number>((done) => {
  const s = createSocket('udp4').bind(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => done(port));
  });
});

/** The simplex file with its own data_dir and free ports, everything else as shipped. */
function simplexCopy(root: string, dir: string, ports: { prometheus: number; agent: number }): string {
  const shipped = readFileSync(resolve(root, 'deploy/pipelines/simplex.yaml'), 'utf8');
  const text = shipped
    .replace(/^data_dir: .*$/m, `data_dir: ${join(dir, 'data')}`)
    .replace(/listen: 127\.0\.0\.1:8080/, 'listen: 127.0.0.1:0')
    .replace(/listen: 127\.0\.0\.1:9464/, `listen: 127.0.0.1:${ports.prometheus}`)
    .replace(/^(\s+)type: snmp$/m, `$1type: snmp\n$1agent:\n$1  port: ${ports.agent}`);
  if (text.split('\n').filter((l, i) => l !== shipped.split('\n')[i]).length < 4) throw new Error('deploy/pipelines/simplex.yaml changed shape: data_dir, the listen ports or the snmp sink were not found');
  const file = join(dir, 'simplex.yaml');
  writeFileSync(file, text);
  return file;
}

/**
 * `faultline run -c <copy of simplex.yaml>`, as the ./faultline script runs it minus its install check.
 * Resolves once every component logged that it started; `stop()` sends SIGTERM and waits for the exit.
 */
export async function startSimplex(root: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-simplex-'));
  const file = simplexCopy(root, dir, { prometheus: await freeTcpPort(), agent: await freeUdpPort() });
  const logFile = join(dir, 'run.log');
  const out = createWriteStream(logFile);
  const child = spawn(process.execPath, [
    '--conditions=@faultline/source', '--import', resolve(root, 'node_modules/tsx/dist/loader.mjs'),
    resolve(root, 'runtime/cli/src/main.ts'), 'run', '-c', file,
  ], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const components = (readFileSync(file, 'utf8').match(/^\s{4}type: /gm) ?? []).length;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    if (child.exitCode !== null) throw new Error(`faultline run exited with ${child.exitCode}:\n${log}`);
    if ((log.match(/started (collector|processor|sink) /g)?.length ?? 0) >= components) break;
    if (Date.now() > deadline) throw new Error(`faultline run did not start ${components} components in 60 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    pid: child.pid!,
    components,
    async stop() {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
