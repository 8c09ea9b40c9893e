import { createHash } from 'node:crypto';

/**
 * Transition and alarm uuids from a seed and a counter: unique per engine (seed) and reproducible,
 * so the same inputs from the same state give the same transitions, uuids included. The counter is
 * part of the snapshot. Hashing once per engine keeps this to a string concat per id.
 */
export class IdSource {
  private readonly prefix: string;
  constructor(seed: string, public counter = 0) {
    const h = createHash('sha256').update(seed).digest('hex');
    // 8-4-4-4-12 with a version-4 nibble and RFC variant; the last 12 hex digits are the counter.
    this.prefix = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-`;
  }
  next(): string {
    return this.prefix + (this.counter++).toString(16).padStart(12, '0');
  }
}
