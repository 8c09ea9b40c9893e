// Prometheus text format 0.0.4 pieces. Why our own writer for the bulk of the series: prom-client
// re-escapes and re-joins every label set on every scrape; here a series' `name{labels}` prefix is
// rendered once, when the series is created, and a scrape only appends values (bench/prometheus).

export type MetricType = 'counter' | 'gauge';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Label values escape backslash, double quote and newline. */
export const escapeLabelValue = (v: string) =>
  /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;

/** HELP text escapes backslash and newline. */
export const escapeHelp = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

/** A valid label name from any key: other characters become `_`; `__` is reserved for Prometheus itself. */
export function labelName(key: string): string {
  let name = LABEL_NAME.test(key) ? key : key.replace(/[^a-zA-Z0-9_]/g, '_').replace(/^([0-9])/, '_$1');
  if (name.startsWith('__')) name = name.replace(/^_+/, '');
  return name || '_';
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** `name{a="x",b="y"}` from label pairs in the order given (empty values are dropped: Prometheus treats them as absent). */
export function seriesPrefix(name: string, labels: readonly (readonly [string, string])[]): string {
  let out = '';
  for (const [k, v] of labels) {
    if (v === '') continue;
    out += (out ? ',' : '') + k + '="' + escapeLabelValue(v) + '"';
  }
  return out ? `${name}{${out}}` : name;
}

export const familyHeader = (name: string, type: MetricType, help: string) =>
  `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;

/**
 * The exposed name of a collector's metric: the unit is in the name and counters end in `_total`
 * (Prometheus naming rules, which `promtool check metrics` enforces). A name that already follows
 * them is left alone.
 */
export function exposedName(name: string, type: MetricType, unit: string): string {
  let base = type === 'counter' && name.endsWith('_total') ? name.slice(0, -'_total'.length) : name;
  if (unit && !base.endsWith(`_${unit}`)) base += `_${unit}`;
  return type === 'counter' ? `${base}_total` : base;
}
