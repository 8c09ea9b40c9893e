// Follows snmptrapd's log from its current end and notes when each key of this run (an entity path, an alarm
// uuid) first shows up. Used by bench/pipeline and bench/snmp.
import { closeSync, openSync, readSync, statSync } from 'node:fs';

export interface TrapLogTail {
  /** key → performance.now() of the poll that read its first line. */
  seen: Map<string, number>;
  /** Until every key given was seen, or nothing new arrived for `stallMs` (datagrams lost). */
  until(keys: readonly string[], stallMs: number): Promise<void>;
  close(): void;
}

/** Quoted entity paths that start with `marker` (the entity prefix of a run). */
export const entityKeys = (marker: string): RegExp =>
  new RegExp(`"(${marker.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^"]*)"`, 'g');

/** Quoted alarm uuids. */
export const UUID_KEYS = /"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"/g;

/** `keys` is a global pattern whose first group is the key to collect. */
export function tailTrapLog(file: string, keys: RegExp): TrapLogTail {
  const fd = openSync(file, 'r');
  let pos = statSync(file).size;
  let partial = '';
  const seen = new Map<string, number>();
  const buf = Buffer.alloc(1 << 20);
  const poll = () => {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      const now = performance.now();
      const text = partial + buf.subarray(0, n).toString('utf8');
      const cut = text.lastIndexOf('\n');
      partial = text.slice(cut + 1);
      for (const m of text.slice(0, cut + 1).matchAll(keys)) if (!seen.has(m[1]!)) seen.set(m[1]!, now);
    }
  };
  // 1 ms polling: the resolution of the latency figures.
  const timer = setInterval(poll, 1);
  return {
    seen,
    async until(wanted, stallMs) {
      const missing = () => wanted.filter((e) => !seen.has(e)).length;
      let last = missing();
      let since = performance.now();
      while (last > 0 && performance.now() - since < stallMs) {
        await new Promise((r) => setTimeout(r, 5));
        const now = missing();
        if (now !== last) { last = now; since = performance.now(); }
      }
      poll();
    },
    close() { clearInterval(timer); closeSync(fd); },
  };
}

export interface Quantiles { p50: number; p99: number; max: number; received: number }

/** Nearest-rank quantiles of the latencies of the keys that arrived. */
export function quantiles(sentAt: Map<string, number>, seen: Map<string, number>): Quantiles {
  const lat = [...sentAt].filter(([e]) => seen.has(e)).map(([e, t0]) => seen.get(e)! - t0).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  return { p50: q(0.5), p99: q(0.99), max: lat.at(-1) ?? NaN, received: lat.length };
}
