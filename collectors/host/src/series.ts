import type { Sample, SeriesDictionary } from '@faultline/schemas';

const sameLabels = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
};

/**
 * An interval's samples as columns, with the series dictionary of the previous interval reused (the same
 * object) while the samples name the same series in the same order: a host sends the same series each
 * interval, and the metric_batch writer lays out a dictionary once per object (schemas/src/metric-wire.ts),
 * so a steady host pays only for its values. A new, gone or reordered series makes a new dictionary.
 */
export function createSeriesColumns() {
  let last: SeriesDictionary | undefined;
  return (samples: readonly Sample[]): { series: SeriesDictionary; values: Float64Array } => {
    const values = new Float64Array(samples.length);
    let same = last !== undefined && last.names.length === samples.length;
    for (let i = 0; i < samples.length; i++) {
      const s = samples[i]!;
      values[i] = s.value;
      if (same && (last!.names[i] !== s.name || !sameLabels(last!.labels[i]!, s.labels))) same = false;
    }
    if (!same) last = { names: samples.map((s) => s.name), labels: samples.map((s) => s.labels) };
    return { series: last!, values };
  };
}
