import { counter, type MetricDef } from '../samples.js';
import type { Reader } from './reader.js';

export interface PressureTotals {
  /** Seconds some tasks were stalled on the resource. */
  some?: number;
  /** Seconds all non-idle tasks were stalled at once. */
  full?: number;
}

/** Parses /proc/pressure/<resource>: `some avg10=0.00 avg60=0.00 avg300=0.00 total=<µs>` and the `full` line. */
export function parsePressure(text: string): PressureTotals {
  const totals: PressureTotals = {};
  for (const line of text.split('\n')) {
    const kind = line.slice(0, 4);
    const at = line.indexOf('total=');
    if (at < 0 || (kind !== 'some' && kind !== 'full')) continue;
    totals[kind] = Number(line.slice(at + 6)) / 1e6;
  }
  return totals;
}

// node_exporter's names. The system-wide cpu `full` line is always zero (kernel docs), so it is left out.
const DEFS: Record<string, { some: MetricDef; full?: MetricDef }> = {
  cpu: { some: counter('node_pressure_cpu_waiting_seconds_total', 'seconds', 'Seconds some runnable tasks waited for a CPU.') },
  memory: {
    some: counter('node_pressure_memory_waiting_seconds_total', 'seconds', 'Seconds some tasks were stalled waiting for memory.'),
    full: counter('node_pressure_memory_stalled_seconds_total', 'seconds', 'Seconds all non-idle tasks were stalled waiting for memory.'),
  },
  io: {
    some: counter('node_pressure_io_waiting_seconds_total', 'seconds', 'Seconds some tasks were stalled waiting for I/O.'),
    full: counter('node_pressure_io_stalled_seconds_total', 'seconds', 'Seconds all non-idle tasks were stalled waiting for I/O.'),
  },
};

/** Pressure stall information; kernels without PSI (or with psi=0) have no /proc/pressure and give nothing. */
export function createPressureReader(): Reader {
  return {
    read({ files, paths, out }) {
      for (const [resource, defs] of Object.entries(DEFS)) {
        const text = files.read(`${paths.proc}/pressure/${resource}`);
        if (text === undefined) continue;
        const t = parsePressure(text);
        if (t.some !== undefined) out.add(defs.some, {}, t.some);
        if (defs.full && t.full !== undefined) out.add(defs.full, {}, t.full);
      }
    },
  };
}
