import { resolve } from 'node:path';
import type { AlarmTransition, FaultEvent, MetricBatch, SingleAlarmTransition } from '@faultline/schemas';
import {
  Engine, loadCatalogFile, loadRulesText, newOutput, type EngineOptions, type EngineOutput, type RuleSet,
} from '../src/index.js';

export const ROOT = resolve(import.meta.dirname, '../../..');
/** StarlingX's real catalog: test data from shared/ beside the repository, never copied into it. */
export const STARLINGX_EVENTS = resolve(ROOT, '../shared/reference/starlingx/events.yaml');

const builtin = loadCatalogFile(resolve(ROOT, 'deploy/catalog/faultline.yaml'));
if (builtin.issues.length) throw new Error(`builtin catalog: ${JSON.stringify(builtin.issues)}`);
export const CATALOG = builtin.catalog;

export function rules(text: string): RuleSet {
  const r = loadRulesText(text, 'test.yaml');
  if (r.issues.length) throw new Error(r.issues.map((i) => `${i.line}: ${i.field}: ${i.message}`).join('\n'));
  return r.rules;
}

export function engine(opts: Partial<EngineOptions> = {}): Engine {
  return new Engine({ catalog: CATALOG, id_seed: 'test', ...opts });
}

export const batch = (node: string, ts: number, samples: MetricBatch['samples']): MetricBatch =>
  ({ node, collector: 'host', ts, interval_ms: 1000, samples });

export const set = (alarm_id: string, entity: string, ts: number, extra: Partial<FaultEvent> = {}): FaultEvent =>
  ({ op: 'set', alarm_id, entity_instance_id: entity, ts, ...extra });

/** Runs one engine call and returns what it produced. */
export function run(fn: (out: EngineOutput) => void): EngineOutput {
  const out = newOutput();
  fn(out);
  return out;
}

export const kinds = (ts: readonly AlarmTransition[]) => ts.map((t) => t.kind);
export const single = (t: AlarmTransition | undefined): SingleAlarmTransition => {
  if (!t || t.kind === 'cleared_all') throw new Error(`expected a single-alarm transition, got ${t?.kind}`);
  return t;
};
/** "kind:severity" per transition: compact for table tests. */
export const summary = (ts: readonly AlarmTransition[]) =>
  ts.map((t) => (t.kind === 'cleared_all' ? `cleared_all:${t.cleared.length}` : `${t.kind}:${t.alarm.severity}`));
