// Reads the Grafana dashboards of deploy/grafana the way Grafana does for the parts the tests need: every
// panel's queries and every template variable, and the substitution of variables and of the ClickHouse
// plugin's macros (grafana-clickhouse-datasource pkg/macros: $__timeFilter, $__fromTime, $__toTime, $__interval_s).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './index.js';

export const GRAFANA_DIR = join(ROOT, 'deploy/grafana');

export interface Datasource { type: string; uid: string }
export interface Target {
  refId: string;
  datasource: Datasource;
  expr?: string;
  instant?: boolean;
  rawSql?: string;
}
export interface Panel { id: number; type: string; title: string; datasource?: Datasource; targets?: Target[]; panels?: Panel[] }
export interface Variable { name: string; type: string; datasource: Datasource; query: string | { query: string }; allValue?: string }
export interface Dashboard { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] }; file: string }

export function readDashboards(): Dashboard[] {
  const dir = join(GRAFANA_DIR, 'dashboards');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((f) => ({ ...(JSON.parse(readFileSync(join(dir, f), 'utf8')) as Dashboard), file: f }));
}

export interface ProvisionedDatasource { name: string; uid: string; type: string; jsonData?: Record<string, unknown> }
export function readProvisionedDatasources(): ProvisionedDatasource[] {
  const text = readFileSync(join(GRAFANA_DIR, 'provisioning/datasources/faultline.yaml'), 'utf8');
  return (parse(text) as { datasources: ProvisionedDatasource[] }).datasources;
}

/** Every panel that queries something, rows flattened. */
export function queryPanels(d: Dashboard): Panel[] {
  return d.panels.flatMap((p) => (p.type === 'row' ? (p.panels ?? []) : [p])).filter((p) => p.targets?.length);
}

/** `$name`, `${name}`, `${name:raw}` and `[[name]]`, as Grafana interpolates them. */
export function substituteVariables(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (all, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c!;
    return Object.hasOwn(values, name) ? values[name]! : all;
  });
}

export interface TimeRange { fromMs: number; toMs: number; intervalS: number }

/** The macros grafana-clickhouse-datasource expands on the server side, to the SQL it generates. */
export function expandClickHouseMacros(sql: string, r: TimeRange): string {
  const from = `toDateTime(${Math.floor(r.fromMs / 1000)})`;
  const to = `toDateTime(${Math.floor(r.toMs / 1000)})`;
  const out = sql
    .replace(/\$__timeFilter\(\s*([^)]+?)\s*\)/g, (_, col: string) => `${col} >= ${from} AND ${col} <= ${to}`)
    .replace(/\$__fromTime\b/g, from)
    .replace(/\$__toTime\b/g, to)
    .replace(/\$__interval_s\b/g, String(r.intervalS));
  const left = /\$__\w+/.exec(out);
  if (left) throw new Error(`macro ${left[0]} is not one the tests emulate (nor one ClickHouse 18.16 could run, for $__timeInterval)`);
  return out;
}

/** Grafana's $__rate_interval: max($__interval + scrape interval, 4 × scrape interval). */
export function prometheusIntervals(rangeMs: number, scrapeIntervalS: number, maxDataPoints = 1000) {
  const intervalS = Math.max(scrapeIntervalS, Math.ceil(rangeMs / 1000 / maxDataPoints));
  return { intervalS, rateIntervalS: Math.max(intervalS + scrapeIntervalS, 4 * scrapeIntervalS) };
}
