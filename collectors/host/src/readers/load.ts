import { gauge } from '../samples.js';
import type { Reader } from './reader.js';

export function parseLoadavg(text: string): [number, number, number] | undefined {
  const f = text.split(' ');
  const l = [Number(f[0]), Number(f[1]), Number(f[2])] as [number, number, number];
  return l.every(Number.isFinite) ? l : undefined;
}

const LOAD = [
  gauge('node_load1', '', 'Run-queue length averaged over 1 minute.'),
  gauge('node_load5', '', 'Run-queue length averaged over 5 minutes.'),
  gauge('node_load15', '', 'Run-queue length averaged over 15 minutes.'),
] as const;

export function createLoadReader(): Reader {
  return {
    read({ files, paths, out }) {
      const text = files.read(`${paths.proc}/loadavg`);
      const load = text === undefined ? undefined : parseLoadavg(text);
      if (!load) return;
      for (let i = 0; i < 3; i++) out.add(LOAD[i]!, {}, load[i]!);
    },
  };
}
