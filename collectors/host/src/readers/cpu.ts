import { counter, gauge } from '../samples.js';
import type { Reader } from './reader.js';

/** The kernel reports /proc/stat times in USER_HZ, which is 100 on every Linux ABI (node_exporter assumes it too). */
const USER_HZ = 100;
export const CPU_MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

export interface CpuTimes {
  /** `0`, `1`, ... or `all` for the summary line. */
  cpu: string;
  /** Seconds per mode, in CPU_MODES order. */
  modes: number[];
  guest: number;
  guestNice: number;
}

export interface ProcStat {
  all: CpuTimes | undefined;
  cpus: CpuTimes[];
  contextSwitches?: number;
  bootTime?: number;
  forks?: number;
  interrupts?: number;
  procsRunning?: number;
  procsBlocked?: number;
}

/** The number after the key (`ctxt 1060692`); split with a limit, so the long `intr` line is not split whole. */
const secondField = (line: string) => Number(line.split(' ', 2)[1]);

export function parseProcStat(text: string): ProcStat {
  const stat: ProcStat = { all: undefined, cpus: [] };
  // Line by line without splitting the long `intr` and `softirq` lines: only their first number is wanted.
  for (let at = 0; at < text.length; ) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    const sp = text.indexOf(' ', at);
    const key = text.slice(at, sp < 0 || sp > eol ? eol : sp);
    if (key.startsWith('cpu')) {
      const t = text.slice(sp + 1, eol).split(' ').filter(Boolean).map((v) => Number(v) / USER_HZ);
      const times: CpuTimes = {
        cpu: key === 'cpu' ? 'all' : key.slice(3),
        modes: CPU_MODES.map((_, i) => t[i] ?? 0),
        guest: t[8] ?? 0,
        guestNice: t[9] ?? 0,
      };
      if (key === 'cpu') stat.all = times;
      else stat.cpus.push(times);
    } else if (key === 'ctxt') stat.contextSwitches = secondField(text.slice(at, eol));
    else if (key === 'btime') stat.bootTime = secondField(text.slice(at, eol));
    else if (key === 'processes') stat.forks = secondField(text.slice(at, eol));
    else if (key === 'intr') stat.interrupts = secondField(text.slice(at, eol));
    else if (key === 'procs_running') stat.procsRunning = secondField(text.slice(at, eol));
    else if (key === 'procs_blocked') stat.procsBlocked = secondField(text.slice(at, eol));
    at = eol + 1;
  }
  return stat;
}

/**
 * The busy share of CPU time between two summary lines: everything but idle and iowait, over everything.
 * Guest time is already inside user and nice, so it is not added again. undefined before two readings.
 */
export function busyRatio(prev: CpuTimes | undefined, cur: CpuTimes): number | undefined {
  if (!prev) return undefined;
  let total = 0;
  let idle = 0;
  for (let i = 0; i < CPU_MODES.length; i++) {
    const d = Math.max(0, cur.modes[i]! - prev.modes[i]!);
    total += d;
    if (CPU_MODES[i] === 'idle' || CPU_MODES[i] === 'iowait') idle += d;
  }
  return total > 0 ? (total - idle) / total : undefined;
}

const CPU = counter('node_cpu_seconds_total', 'seconds', 'Seconds each CPU spent in each mode.');
const CPU_ALL = counter('node_cpu_all_seconds_total', 'seconds', 'Seconds all CPUs together spent in each mode (the cpu line of /proc/stat).');
const GUEST = counter('node_cpu_guest_seconds_total', 'seconds', 'Seconds each CPU spent running guests (also counted in user and nice).');
const USAGE = gauge('node_cpu_usage_ratio', 'ratio', 'Busy share of all CPUs over the last interval (1 - (idle + iowait) / total), 0..1.');
const CTXT = counter('node_context_switches_total', '', 'Context switches since boot.');
const BTIME = gauge('node_boot_time_seconds', 'seconds', 'Boot time, seconds since the Unix epoch.');
const FORKS = counter('node_forks_total', '', 'Processes and threads created since boot.');
const INTR = counter('node_intr_total', '', 'Interrupts serviced since boot.');
const RUNNING = gauge('node_procs_running', '', 'Threads runnable now.');
const BLOCKED = gauge('node_procs_blocked', '', 'Threads blocked on I/O now.');

const modeLabels = (cpu: string) => CPU_MODES.map((mode) => ({ cpu, mode }));

export function createCpuReader(): Reader {
  let prevAll: CpuTimes | undefined;
  // Label objects are immutable once emitted, so one set per CPU serves every interval.
  const labelsByCpu = new Map<string, { cpu: string; mode: string }[]>();
  const allLabels = CPU_MODES.map((mode) => ({ mode }));
  return {
    read({ files, paths, out }) {
      const text = files.read(`${paths.proc}/stat`);
      if (text === undefined) return;
      const stat = parseProcStat(text);
      for (const c of stat.cpus) {
        let labels = labelsByCpu.get(c.cpu);
        if (!labels) labelsByCpu.set(c.cpu, (labels = modeLabels(c.cpu)));
        for (let i = 0; i < CPU_MODES.length; i++) out.add(CPU, labels[i]!, c.modes[i]!);
        out.add(GUEST, { cpu: c.cpu, mode: 'user' }, c.guest);
        out.add(GUEST, { cpu: c.cpu, mode: 'nice' }, c.guestNice);
      }
      if (stat.all) {
        for (let i = 0; i < CPU_MODES.length; i++) out.add(CPU_ALL, allLabels[i]!, stat.all.modes[i]!);
        const busy = busyRatio(prevAll, stat.all);
        if (busy !== undefined) out.add(USAGE, {}, busy);
        prevAll = stat.all;
      }
      if (stat.contextSwitches !== undefined) out.add(CTXT, {}, stat.contextSwitches);
      if (stat.bootTime !== undefined) out.add(BTIME, {}, stat.bootTime);
      if (stat.forks !== undefined) out.add(FORKS, {}, stat.forks);
      if (stat.interrupts !== undefined) out.add(INTR, {}, stat.interrupts);
      if (stat.procsRunning !== undefined) out.add(RUNNING, {}, stat.procsRunning);
      if (stat.procsBlocked !== undefined) out.add(BLOCKED, {}, stat.procsBlocked);
    },
  };
}
