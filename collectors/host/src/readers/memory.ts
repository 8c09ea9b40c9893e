import { counter, gauge, type MetricDef } from '../samples.js';
import type { Reader } from './reader.js';

/** /proc/meminfo as `{ MemTotal: bytes, HugePages_Total: count, ... }`: kB values become bytes, counts stay counts. */
export function parseMeminfo(text: string): Map<string, { value: number; bytes: boolean }> {
  const fields = new Map<string, { value: number; bytes: boolean }>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const rest = line.slice(colon + 1).trim();
    const bytes = rest.endsWith(' kB');
    const value = Number(bytes ? rest.slice(0, -3) : rest);
    if (Number.isFinite(value)) fields.set(line.slice(0, colon), { value: bytes ? value * 1024 : value, bytes });
  }
  return fields;
}

/** node_exporter's spelling: `Active(anon)` becomes `Active_anon`. */
export const meminfoMetricName = (field: string, bytes: boolean) =>
  `node_memory_${field.replace(/\((.*)\)/, '_$1')}${bytes ? '_bytes' : ''}`;

/** The /proc/vmstat counters node_exporter exports by default: paging, swapping, page faults, OOM kills. */
export const VMSTAT_FIELDS = /^(oom_kill|pgpg|pswp|pg.*fault)/;

export function parseVmstat(text: string): [string, number][] {
  const out: [string, number][] = [];
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const name = line.slice(0, sp);
    if ((name[0] === 'p' || name[0] === 'o') && VMSTAT_FIELDS.test(name)) out.push([name, Number(line.slice(sp + 1))]);
  }
  return out;
}

const USAGE = gauge('node_memory_usage_ratio', 'ratio', 'Share of memory in use: 1 - MemAvailable / MemTotal, 0..1.');

export function createMemoryReader(): Reader {
  const defs = new Map<string, MetricDef>();
  const defFor = (key: string, make: () => MetricDef) => {
    let d = defs.get(key);
    if (!d) defs.set(key, (d = make()));
    return d;
  };
  return {
    read({ files, paths, out }) {
      const meminfo = files.read(`${paths.proc}/meminfo`);
      if (meminfo !== undefined) {
        const fields = parseMeminfo(meminfo);
        for (const [field, { value, bytes }] of fields) {
          const def = defFor(field, () => gauge(meminfoMetricName(field, bytes), bytes ? 'bytes' : '', `Memory information field ${field} (/proc/meminfo).`));
          out.add(def, {}, value);
        }
        const total = fields.get('MemTotal')?.value;
        const available = fields.get('MemAvailable')?.value;
        if (total && available !== undefined) out.add(USAGE, {}, 1 - available / total);
      }
      const vmstat = files.read(`${paths.proc}/vmstat`);
      if (vmstat !== undefined) {
        for (const [name, value] of parseVmstat(vmstat)) {
          out.add(defFor(`vmstat:${name}`, () => counter(`node_vmstat_${name}`, '', `/proc/vmstat field ${name}.`)), {}, value);
        }
      }
    },
  };
}
