import { Type } from '@sinclair/typebox';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RE = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/** A duration in config: `100ms`, `10s`, `5m`, `1h`, `7d`. */
export const DurationSchema = (opts: { default?: string; description?: string } = {}) =>
  Type.String({ pattern: RE.source, ...opts, examples: ['100ms', '10s', '5m'] });

export function parseDuration(text: string): number {
  const m = RE.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a duration (expected a number and one of ms, s, m, h, d: 100ms, 10s, 5m)`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
