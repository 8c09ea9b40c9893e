import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { SEVERITIES, SEVERITY_RANK, type Severity } from '@faultline/schemas';
import { parseDuration } from '@faultline/runtime';
import type { CatalogIssue } from '../catalog/types.js';
import { parseLocated, positionOf } from '../catalog/yaml-location.js';
import { compileTemplate } from './entity.js';
import { matcherProblem } from './matchers.js';

const DURATION = '^(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)$';
const Matchers = Type.Record(Type.String(), Type.String(), {
  description: 'label matchers: value (equals), "!=value", "=~regex", "!~regex"',
});
/** `7` (7 consecutive samples) or `"3/5"` (3 of the last 5). */
const Debounce = Type.Union([Type.Integer({ minimum: 1, maximum: 31 }), Type.String({ pattern: '^[0-9]+/[0-9]+$' })]);
const Level = Type.Object({
  raise: Type.Number({ description: 'raise (or step up to) this severity at or beyond this value' }),
  clear: Type.Number({ description: 'clear (or step down from) it only beyond this value: the hysteresis band' }),
}, { additionalProperties: false });

export const ThresholdRuleSchema = Type.Object({
  name: Type.String({ minLength: 1 }),
  alarm_id: Type.String({ pattern: '^[0-9]{3}\\.[0-9]{3}$' }),
  metric: Type.String({ minLength: 1, description: 'sample name, or the name of a derived series' }),
  labels: Type.Optional(Matchers),
  entity: Type.String({ minLength: 1, description: 'entity path template over labels: host=<node>.filesystem=<mountpoint>' }),
  direction: Type.Union([Type.Literal('above'), Type.Literal('below')], { default: 'above' }),
  levels: Type.Object(Object.fromEntries(SEVERITIES.map((s) => [s, Type.Optional(Level)])), { additionalProperties: false, minProperties: 1 }),
  raise_after: Type.Optional(Debounce),
  clear_after: Type.Optional(Debounce),
  rate: Type.Union([Type.Literal('none'), Type.Literal('gauge'), Type.Literal('counter')], {
    default: 'none', description: 'compare the value (none), its change per second (gauge), or a counter\'s rate, resets skipped (counter)',
  }),
  scale: Type.Number({ default: 1 }),
  absent_after: Type.Optional(Type.String({ pattern: DURATION, description: 'no sample for this long → 700.150 stale data' })),
  forget_after: Type.Optional(Type.String({
    pattern: DURATION, description: 'no sample for this long → the series is gone (unmounted, removed): its state is dropped and its alarms cleared',
  })),
  reason: Type.Optional(Type.String({ description: 'reason text; {value} {threshold} {severity} {metric} are filled in' })),
}, { additionalProperties: false });

const Operand = Type.Object({ metric: Type.String({ minLength: 1 }), labels: Type.Optional(Matchers) }, { additionalProperties: false });

/** A series computed from others in the same batch: num/den (gauges) or Δnum/Δden between batches (counters). */
export const DerivedSeriesSchema = Type.Object({
  name: Type.String({ pattern: '^[a-zA-Z_:][a-zA-Z0-9_:]*$' }),
  numerator: Operand,
  denominator: Operand,
  counters: Type.Boolean({ default: false }),
  complement: Type.Boolean({ default: false, description: '1 - ratio (free → used)' }),
  scale: Type.Number({ default: 1 }),
  by: Type.Array(Type.String(), { default: [], description: 'labels that keep groups apart (mountpoint); the node always does' }),
}, { additionalProperties: false });

export const RulesFileSchema = Type.Object({
  defaults: Type.Object({
    raise_after: Debounce,
    clear_after: Debounce,
  }, { default: { raise_after: 7, clear_after: 3 }, additionalProperties: false }),
  derived: Type.Array(DerivedSeriesSchema, { default: [] }),
  rules: Type.Array(ThresholdRuleSchema, { default: [] }),
}, { additionalProperties: false });

export type ThresholdRuleSpec = Static<typeof ThresholdRuleSchema>;
export type DerivedSeriesSpec = Static<typeof DerivedSeriesSchema>;
export type RulesFile = Static<typeof RulesFileSchema>;

export interface Debouncing { n: number; m: number }
export const debounce = (d: number | string): Debouncing => {
  if (typeof d === 'number') return { n: d, m: d };
  const [n, m] = d.split('/').map(Number) as [number, number];
  return { n, m };
};

export interface LevelSpec { severity: Severity; raise: number; clear: number }

/** A rule with its defaults resolved: what the threshold evaluator compiles. */
export interface ResolvedRule extends Omit<ThresholdRuleSpec, 'levels' | 'raise_after' | 'clear_after' | 'absent_after' | 'forget_after'> {
  levels: LevelSpec[];
  raise_after: Debouncing;
  clear_after: Debouncing;
  absent_after_ms?: number;
  forget_after_ms?: number;
}

export interface RuleSet {
  derived: DerivedSeriesSpec[];
  rules: ResolvedRule[];
}

export interface RulesLoad {
  rules: RuleSet;
  issues: CatalogIssue[];
}

/** Loads a rules file; every problem is reported with line and field, and only valid rules are kept. */
export function loadRulesText(text: string, file: string): RulesLoad {
  const { doc, lc, issues } = parseLocated(text, file);
  const empty: RuleSet = { derived: [], rules: [] };
  if (issues.length) return { rules: empty, issues };
  const raw = Value.Default(RulesFileSchema, Value.Clone(doc.toJS() ?? {})) as RulesFile;
  const problem = (path: (string | number)[], message: string) => {
    const pos = positionOf(doc, lc, path);
    const rule = path[0] === 'rules' && typeof path[1] === 'number' ? raw.rules?.[path[1]]?.name : undefined;
    const item: CatalogIssue = { file, line: pos.line, column: pos.col, field: path.join('.'), message };
    if (rule) item.id = rule;
    issues.push(item);
  };
  const seen = new Set<string>();
  for (const e of Value.Errors(RulesFileSchema, raw)) {
    const path = e.path.split('/').filter(Boolean).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    if (seen.has(path.join('.'))) continue;
    seen.add(path.join('.'));
    problem(path, `${e.message}${e.value === undefined ? '' : `, got ${JSON.stringify(e.value)}`}`);
  }
  if (issues.length) return { rules: empty, issues };
  const rules = validateRuleSet(raw, problem);
  return { rules, issues };
}

export function loadRulesFile(file: string): RulesLoad {
  return loadRulesText(readFileSync(file, 'utf8'), file);
}

/** Cross-field checks a schema cannot say: thresholds in order, hysteresis on the right side, regexes, templates. */
function validateRuleSet(raw: RulesFile, problem: (path: (string | number)[], message: string) => void): RuleSet {
  const out: RuleSet = { derived: [], rules: [] };
  const names = new Set<string>();
  raw.derived.forEach((d, i) => {
    let ok = true;
    for (const side of ['numerator', 'denominator'] as const) {
      for (const [label, spec] of Object.entries(d[side].labels ?? {})) {
        const p = matcherProblem(spec);
        if (p) { problem(['derived', i, side, 'labels', label], `bad regex: ${p}`); ok = false; }
      }
    }
    if (ok) out.derived.push(d);
  });
  raw.rules.forEach((r, i) => {
    const at = (...rest: (string | number)[]) => ['rules', i, ...rest];
    let ok = true;
    const fail = (path: (string | number)[], msg: string) => { problem(path, msg); ok = false; };
    if (names.has(r.name)) fail(at('name'), `duplicate rule name "${r.name}"`);
    names.add(r.name);
    for (const [label, spec] of Object.entries(r.labels ?? {})) {
      const p = matcherProblem(spec);
      if (p) fail(at('labels', label), `bad regex: ${p}`);
    }
    try { compileTemplate(r.entity); } catch (e) { fail(at('entity'), (e as Error).message); }
    const dir = r.direction === 'below' ? -1 : 1;
    const levels: LevelSpec[] = SEVERITIES.filter((s) => r.levels[s]).map((s) => ({ severity: s, ...r.levels[s]! }));
    levels.sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity]);
    levels.forEach((l, j) => {
      if (dir * l.clear > dir * l.raise) fail(at('levels', l.severity, 'clear'), `clear ${l.clear} must not be ${dir > 0 ? 'above' : 'below'} raise ${l.raise} (hysteresis)`);
      const prev = levels[j - 1];
      if (prev && dir * l.raise <= dir * prev.raise) fail(at('levels', l.severity, 'raise'), `a more severe level must raise ${dir > 0 ? 'above' : 'below'} ${prev.severity}'s ${prev.raise}`);
    });
    const raise = debounce(r.raise_after ?? raw.defaults.raise_after);
    const clear = debounce(r.clear_after ?? raw.defaults.clear_after);
    for (const [field, d] of [['raise_after', raise], ['clear_after', clear]] as const) {
      if (d.n < 1 || d.n > d.m || d.m > 31) fail(at(field), `N/M needs 1 ≤ N ≤ M ≤ 31, got ${d.n}/${d.m}`);
    }
    const absent = r.absent_after ? parseDuration(r.absent_after) : undefined;
    const forget = r.forget_after ? parseDuration(r.forget_after) : undefined;
    if (absent !== undefined && forget !== undefined && forget <= absent) fail(at('forget_after'), 'must be longer than absent_after');
    if (!ok) return;
    const { levels: _l, raise_after: _r, clear_after: _c, absent_after: _a, forget_after: _f, ...rest } = r;
    const resolved: ResolvedRule = { ...rest, levels, raise_after: raise, clear_after: clear };
    if (absent !== undefined) resolved.absent_after_ms = absent;
    if (forget !== undefined) resolved.forget_after_ms = forget;
    out.rules.push(resolved);
  });
  return out;
}
