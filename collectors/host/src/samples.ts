import type { MetricMeta, Sample } from '@faultline/schemas';

/** A metric's name with its type, unit and help: declared once per reader, attached to every sample. */
export interface MetricDef extends MetricMeta {
  name: string;
}

export const counter = (name: string, unit: string, help: string): MetricDef => ({ name, type: 'counter', unit, help });
export const gauge = (name: string, unit: string, help: string): MetricDef => ({ name, type: 'gauge', unit, help });

/** Collects one interval's samples and remembers which definitions they used (for MetricBatch.meta). */
export class SampleBuffer {
  samples: Sample[] = [];
  readonly defs = new Map<string, MetricDef>();

  add(def: MetricDef, labels: Record<string, string>, value: number): void {
    if (!Number.isFinite(value)) return;
    this.samples.push({ name: def.name, labels, value });
    if (!this.defs.has(def.name)) this.defs.set(def.name, def);
  }

  reset(): void {
    this.samples = [];
    this.defs.clear();
  }
}
