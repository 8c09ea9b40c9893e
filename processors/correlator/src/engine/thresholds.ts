import { metricColumns, type MetricBatch, type SeriesDictionary } from '@faultline/schemas';
import type { AlarmTable } from './alarm-table.js';
import { compileTemplate, pathValue, renderTemplate, rootOf, type EntityTemplate } from './entity.js';
import { compileMatchers, matchesAll, type CompiledMatcher } from './matchers.js';
import type { DerivedSeriesSpec, LevelSpec, ResolvedRule, RuleSet } from './rules.js';
import { ownsPredicate, type EngineOutput, type Owns } from './types.js';

/** The stale-data alarm raised when a selected series stops arriving. */
export const STALE_DATA_ALARM = '700.150';

interface Series {
  key: string;
  entity: string;
  /** Partition key: the root entity's value. */
  root: string;
  rule: CompiledRule;
  node: string;
  /** Template var values: the path through the rule's nested series index. */
  parts: string[];
  /** Index into rule.levels of the active severity, -1 when not raised. */
  level: number;
  /** Per level: bit history, newest in bit 0, of "beyond raise" (first L) and "back inside clear" (next L). */
  bits: Uint32Array;
  lastValue: number;
  lastTs: number;
  lastSeen: number;
  stale: boolean;
}

type SeriesIndex = Map<string, SeriesIndex | Series>;

interface CompiledRule {
  spec: ResolvedRule;
  matchers: CompiledMatcher[];
  template: EntityTemplate;
  levels: LevelSpec[];
  dir: number;
  /** Thresholds with the direction applied (dir × value), so the per-sample loop only compares. */
  raiseAt: Float64Array;
  clearAt: Float64Array;
  rate: 0 | 1 | 2; // none, gauge, counter
  scale: number;
  /** Per template var: read the batch's node (true) or a label. */
  fromNode: boolean[];
  raiseN: number; raiseMask: number;
  clearN: number; clearMask: number;
  index: SeriesIndex;
  all: Series[];
  labels: Record<string, string>;
}

interface Operand { derived: CompiledDerived; numerator: boolean; matchers: CompiledMatcher[] }
interface Group { num: number; den: number; labels: Record<string, string>; seen: boolean }
interface CompiledDerived {
  spec: DerivedSeriesSpec;
  /** Sums of this batch per group key. */
  groups: Map<string, Group>;
  /** Counter sums of the previous batch, per node and group. */
  prev: Map<string, { num: number; den: number }>;
}

/** Who wants samples of one name: rules, and operands of derived series (kept apart so each loop stays monomorphic). */
interface Consumers { rules: CompiledRule[]; operands: Operand[] }

/**
 * What a series dictionary means to these rules: which of its series each rule and each derived
 * operand selects, as (series index, consumer) pairs in sample order. Made once per dictionary, so a
 * batch whose dictionary was seen before (every interval of every host, decoded from metric_batch 2.x)
 * costs only its selected samples: the other series are not even looked at.
 */
interface Plan {
  ruleSeries: Int32Array; rules: CompiledRule[];
  operandSeries: Int32Array; operands: Operand[];
}

const popcount = (x: number) => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));

export interface SeriesSnapshot {
  rule: string;
  parts: string[];
  node: string;
  level: number;
  bits: number[];
  last_value: number;
  last_ts: number;
  last_seen: number;
  stale: boolean;
}

export interface ThresholdSnapshot {
  series: SeriesSnapshot[];
  counters: { derived: string; key: string; num: number; den: number }[];
}

/**
 * Threshold rules over metric samples, read as columns (metricColumns). Which series each rule selects
 * is planned once per series dictionary (one Map lookup per name and the matchers); each batch then
 * walks only its selected samples, and a nested Map keyed by the template's label values finds a
 * known series without allocation. Debounce is N-of-M over bit histories; hysteresis is a clear
 * threshold per level that must be crossed (N-of-M again) before stepping down.
 */
export class ThresholdEvaluator {
  private readonly byName = new Map<string, Consumers>();
  private readonly rules: CompiledRule[] = [];
  private readonly rulesByName = new Map<string, CompiledRule>();
  private readonly derived: CompiledDerived[] = [];
  private readonly staleCounts = new Map<string, number>();
  /** Series by root entity, so a per-host snapshot does not walk every series. */
  private readonly byRoot = new Map<string, Set<Series>>();
  private readonly plans = new WeakMap<SeriesDictionary, Plan>();
  /**
   * The traceparent of the batch observe() is working on: the transitions it causes join that batch's trace, as
   * fault-driven ones join their fault's. Set on every observe(); tick() never reads it (its transitions have no cause).
   */
  private batchTrace: string | undefined;

  constructor(set: RuleSet, private readonly table: AlarmTable) {
    for (const d of set.derived) {
      const cd: CompiledDerived = { spec: d, groups: new Map(), prev: new Map() };
      this.derived.push(cd);
      this.consumersOf(d.numerator.metric).operands.push({ derived: cd, numerator: true, matchers: compileMatchers(d.numerator.labels) });
      this.consumersOf(d.denominator.metric).operands.push({ derived: cd, numerator: false, matchers: compileMatchers(d.denominator.labels) });
    }
    for (const spec of set.rules) {
      const dir = spec.direction === 'below' ? -1 : 1;
      const template = compileTemplate(spec.entity);
      const r: CompiledRule = {
        spec, matchers: compileMatchers(spec.labels), template, levels: spec.levels, dir,
        raiseAt: Float64Array.from(spec.levels, (l) => dir * l.raise),
        clearAt: Float64Array.from(spec.levels, (l) => dir * l.clear),
        rate: spec.rate === 'counter' ? 2 : spec.rate === 'gauge' ? 1 : 0,
        scale: spec.scale,
        fromNode: template.vars.map((v) => v === 'node'),
        raiseN: spec.raise_after.n, raiseMask: mask(spec.raise_after.m),
        clearN: spec.clear_after.n, clearMask: mask(spec.clear_after.m),
        index: new Map(), all: [], labels: { rule: spec.name },
      };
      this.rules.push(r);
      this.rulesByName.set(spec.name, r);
      this.consumersOf(spec.metric).rules.push(r);
    }
  }

  get seriesCount(): number {
    let n = 0;
    for (const r of this.rules) n += r.all.length;
    return n;
  }

  private consumersOf(name: string): Consumers {
    let c = this.byName.get(name);
    if (!c) this.byName.set(name, (c = { rules: [], operands: [] }));
    return c;
  }

  /**
   * Feeds one batch. `receivedAt` is when it arrived (absence is judged on the engine's clock, not the sender's);
   * `traceparent` is the batch's, carried by the transitions it causes.
   */
  observe(batch: MetricBatch, receivedAt: number, out: EngineOutput, traceparent?: string): void {
    this.batchTrace = traceparent;
    const { series, values } = metricColumns(batch);
    const plan = this.planOf(series);
    const { node, ts } = batch;
    const labels = series.labels;
    const { ruleSeries, rules } = plan;
    for (let k = 0; k < rules.length; k++) {
      const i = ruleSeries[k]!;
      this.evaluate(rules[k]!, node, labels[i]!, values[i]!, ts, receivedAt, out);
    }
    const { operandSeries, operands } = plan;
    if (operands.length === 0) return;
    for (let k = 0; k < operands.length; k++) {
      const i = operandSeries[k]!;
      this.accumulate(operands[k]!, labels[i]!, values[i]!);
    }
    this.flushDerived(node, ts, receivedAt, out);
  }

  private planOf(series: SeriesDictionary): Plan {
    const known = this.plans.get(series);
    if (known) return known;
    const ruleSeries: number[] = [];
    const rules: CompiledRule[] = [];
    const operandSeries: number[] = [];
    const operands: Operand[] = [];
    const { names, labels } = series;
    for (let i = 0; i < names.length; i++) {
      const consumers = this.byName.get(names[i]!);
      if (consumers === undefined) continue;
      for (const r of consumers.rules) if (matchesAll(r.matchers, labels[i]!)) { ruleSeries.push(i); rules.push(r); }
      for (const op of consumers.operands) if (matchesAll(op.matchers, labels[i]!)) { operandSeries.push(i); operands.push(op); }
    }
    const plan = { ruleSeries: Int32Array.from(ruleSeries), rules, operandSeries: Int32Array.from(operandSeries), operands };
    this.plans.set(series, plan);
    return plan;
  }

  private accumulate(op: Operand, labels: Readonly<Record<string, string>>, value: number) {
    const d = op.derived;
    const by = d.spec.by;
    const key = by.length === 0 ? '' : by.length === 1 ? labels[by[0]!] ?? '' : by.map((b) => labels[b] ?? '').join('\u0000');
    let g = d.groups.get(key);
    if (g === undefined) {
      const gl: Record<string, string> = {};
      for (const b of by) gl[b] = labels[b] ?? '';
      d.groups.set(key, (g = { num: 0, den: 0, labels: gl, seen: false }));
    }
    if (!g.seen) { g.seen = true; g.num = 0; g.den = 0; }
    if (op.numerator) g.num += value; else g.den += value;
  }

  private flushDerived(node: string, ts: number, receivedAt: number, out: EngineOutput) {
    for (const d of this.derived) {
      const consumers = this.byName.get(d.spec.name)?.rules;
      for (const [key, g] of d.groups) {
        if (!g.seen) continue;
        g.seen = false;
        let num = g.num;
        let den = g.den;
        if (d.spec.counters) {
          const pk = `${node}\u0000${key}`;
          const prev = d.prev.get(pk);
          d.prev.set(pk, { num, den });
          if (!prev) continue;
          num -= prev.num;
          den -= prev.den;
          if (num < 0 || den <= 0) continue; // a counter reset, or no time passed
        } else if (den === 0) continue;
        const ratio = d.spec.complement ? 1 - num / den : num / den;
        const value = ratio * d.spec.scale;
        if (!consumers) continue;
        for (const r of consumers) if (matchesAll(r.matchers, g.labels)) this.evaluate(r, node, g.labels, value, ts, receivedAt, out);
      }
    }
  }

  private seriesOf(r: CompiledRule, node: string, labels: Readonly<Record<string, string>>): Series {
    const vars = r.template.vars;
    let m: SeriesIndex = r.index;
    const last = vars.length - 1;
    if (last < 0) return this.seriesAt(r, m, '', node, []);
    for (let i = 0; i < last; i++) {
      const v = r.fromNode[i] ? labels.node ?? node : labels[vars[i]!] ?? '';
      let next = m.get(v) as SeriesIndex | undefined;
      if (next === undefined) m.set(v, (next = new Map()));
      m = next;
    }
    const v = r.fromNode[last] ? labels.node ?? node : labels[vars[last]!] ?? '';
    const found = m.get(v) as Series | undefined;
    return found ?? this.seriesAt(r, m, v, node, vars.map((x) => (x === 'node' ? labels.node ?? node : labels[x] ?? '')));
  }

  private seriesAt(r: CompiledRule, m: SeriesIndex, v: string, node: string, parts: string[]): Series {
    const existing = m.get(v) as Series | undefined;
    if (existing) return existing;
    const entity = renderTemplate(r.template, parts);
    const s: Series = {
      key: `${r.spec.alarm_id}|${entity}`, entity, root: rootOf(entity), rule: r, node, parts, level: -1,
      bits: new Uint32Array(r.levels.length * 2), lastValue: NaN, lastTs: NaN, lastSeen: 0, stale: false,
    };
    m.set(v, s);
    r.all.push(s);
    let set = this.byRoot.get(s.root);
    if (!set) this.byRoot.set(s.root, (set = new Set()));
    set.add(s);
    return s;
  }

  private evaluate(r: CompiledRule, node: string, labels: Readonly<Record<string, string>>, raw: number, ts: number, receivedAt: number, out: EngineOutput) {
    const s = this.seriesOf(r, node, labels);
    s.lastSeen = receivedAt;
    if (s.stale) this.fresh(r, s, ts, out);
    let value = raw;
    if (r.rate !== 0) {
      const prevV = s.lastValue;
      const prevT = s.lastTs;
      s.lastValue = raw;
      s.lastTs = ts;
      if (Number.isNaN(prevV) || ts <= prevT) return;
      const delta = raw - prevV;
      if (delta < 0 && r.rate === 2) return; // counter reset: no rate from this pair
      value = (delta * 1000) / (ts - prevT);
    }
    if (Number.isNaN(value)) return;
    value *= r.scale;
    this.step(r, s, value, ts, out);
  }

  /** One sample's decision: step up when N of M samples are beyond a higher level; step down or clear when N of M are back inside. */
  private step(r: CompiledRule, s: Series, value: number, at: number, out: EngineOutput) {
    const L = r.levels.length;
    const bits = s.bits;
    const dv = r.dir * value;
    const raiseAt = r.raiseAt;
    const clearAt = r.clearAt;
    for (let i = 0; i < L; i++) {
      bits[i] = ((bits[i]! << 1) | (dv >= raiseAt[i]! ? 1 : 0)) & r.raiseMask;
      bits[L + i] = ((bits[L + i]! << 1) | (dv < clearAt[i]! ? 1 : 0)) & r.clearMask;
    }
    let target = s.level;
    for (let i = L - 1; i > s.level; i--) {
      if (popcount(bits[i]!) >= r.raiseN) { target = i; break; }
    }
    if (target === s.level && s.level >= 0 && popcount(bits[L + s.level]!) >= r.clearN) {
      target = -1;
      for (let k = s.level - 1; k >= 0; k--) {
        if (popcount(bits[L + k]!) < r.clearN) { target = k; break; }
      }
    }
    if (target === s.level) return;
    // Fresh evidence for the next move: a raise forgets old "back inside" samples, a step down old "beyond" ones.
    if (target > s.level) for (let i = 0; i <= target; i++) bits[L + i] = 0;
    else for (let i = target + 1; i < L; i++) bits[i] = 0;
    s.level = target;
    if (target < 0) { this.table.clearKey(s.key, at, out, this.batchTrace); return; }
    const lv = r.levels[target]!;
    this.table.set({
      alarm_id: r.spec.alarm_id, entity_instance_id: s.entity, severity: lv.severity, source: 'threshold', labels: r.labels,
      reason_text: this.reason(r, lv, value),
    }, at, out, this.batchTrace);
  }

  private reason(r: CompiledRule, lv: LevelSpec, value: number): string {
    const template = r.spec.reason ?? `{metric} {value} ${r.dir > 0 ? '≥' : '≤'} {threshold} ({severity} threshold)`;
    return template.replaceAll('{value}', fmt(value)).replaceAll('{threshold}', String(lv.raise))
      .replaceAll('{severity}', lv.severity).replaceAll('{metric}', r.spec.metric);
  }

  /** Absence: every series of a rule with absent_after that has been silent that long raises 700.150 for its node and metric. */
  tick(now: number, out: EngineOutput): void {
    for (const r of this.rules) {
      const forget = r.spec.forget_after_ms;
      if (forget !== undefined && r.all.some((s) => now - s.lastSeen >= forget)) this.forget(r, now, forget, out);
      const limit = r.spec.absent_after_ms;
      if (limit === undefined) continue;
      for (const s of r.all) {
        if (s.stale || now - s.lastSeen < limit) continue;
        s.stale = true;
        const entity = this.staleEntity(r, s);
        const n = (this.staleCounts.get(entity) ?? 0) + 1;
        this.staleCounts.set(entity, n);
        if (n === 1) {
          this.table.set({
            alarm_id: STALE_DATA_ALARM, entity_instance_id: entity, source: 'threshold', labels: { rule: r.spec.name, metric: r.spec.metric },
            reason_text: `no ${r.spec.metric} sample for ${Math.round((now - s.lastSeen) / 1000)} s (rule ${r.spec.name}, ${s.entity})`,
          }, now, out);
        }
      }
    }
  }

  /** Series silent for `forget_after` are gone for good (an unmounted filesystem): drop them and clear what they raised. */
  private forget(r: CompiledRule, now: number, limit: number, out: EngineOutput) {
    const keep: Series[] = [];
    for (const s of r.all) {
      if (now - s.lastSeen < limit) { keep.push(s); continue; }
      if (s.stale) this.fresh(r, s, now, out);
      if (s.level >= 0) this.table.clearKey(s.key, now, out);
      this.unindex(r, s);
    }
    r.all = keep;
  }

  private unindex(r: CompiledRule, s: Series) {
    const set = this.byRoot.get(s.root);
    if (set?.delete(s) && set.size === 0) this.byRoot.delete(s.root);
    const path: SeriesIndex[] = [r.index];
    for (let i = 0; i < s.parts.length - 1; i++) {
      const next = path[i]!.get(s.parts[i]!) as SeriesIndex | undefined;
      if (!next) return;
      path.push(next);
    }
    path[path.length - 1]!.delete(s.parts[s.parts.length - 1] ?? '');
    for (let i = path.length - 1; i > 0; i--) if (path[i]!.size === 0) path[i - 1]!.delete(s.parts[i - 1]!);
  }

  private staleEntity(r: CompiledRule, s: Series) {
    return `host=${pathValue(s.node, true)}.metric=${r.spec.metric}`;
  }

  private fresh(r: CompiledRule, s: Series, at: number, out: EngineOutput) {
    s.stale = false;
    const entity = this.staleEntity(r, s);
    const n = (this.staleCounts.get(entity) ?? 1) - 1;
    if (n > 0) { this.staleCounts.set(entity, n); return; }
    this.staleCounts.delete(entity);
    this.table.clearKey(`${STALE_DATA_ALARM}|${entity}`, at, out, this.batchTrace);
  }

  snapshot(owns: Owns): ThresholdSnapshot {
    const series: SeriesSnapshot[] = [];
    const push = (s: Series) => series.push({
      rule: s.rule.spec.name, parts: s.parts, node: s.node, level: s.level, bits: [...s.bits],
      last_value: s.lastValue, last_ts: s.lastTs, last_seen: s.lastSeen, stale: s.stale,
    });
    if (typeof owns === 'function') {
      for (const r of this.rules) for (const s of r.all) if (owns(s.root)) push(s);
    } else {
      for (const root of owns) for (const s of this.byRoot.get(root) ?? []) push(s);
    }
    const has = ownsPredicate(owns);
    const counters: ThresholdSnapshot['counters'] = [];
    for (const d of this.derived) {
      for (const [key, v] of d.prev) if (has(key.slice(0, key.indexOf('\u0000')))) counters.push({ derived: d.spec.name, key, ...v });
    }
    return { series, counters };
  }

  /** Adds series state (a rule that no longer exists is skipped). */
  restore(snap: ThresholdSnapshot, resumeAt?: number): void {
    for (const x of snap.series) {
      const r = this.rulesByName.get(x.rule);
      if (!r || x.parts.length !== r.template.vars.length || x.bits.length !== r.levels.length * 2) continue;
      let m: SeriesIndex = r.index;
      for (let i = 0; i < x.parts.length - 1; i++) {
        let next = m.get(x.parts[i]!) as SeriesIndex | undefined;
        if (!next) m.set(x.parts[i]!, (next = new Map()));
        m = next;
      }
      const s = this.seriesAt(r, m, x.parts[x.parts.length - 1] ?? '', x.node, x.parts);
      s.level = x.level;
      s.bits.set(x.bits);
      s.lastValue = x.last_value ?? NaN;
      s.lastTs = x.last_ts ?? NaN;
      s.lastSeen = Math.max(x.last_seen, resumeAt ?? -Infinity);
      if (x.stale && !s.stale) {
        s.stale = true;
        const e = this.staleEntity(r, s);
        this.staleCounts.set(e, (this.staleCounts.get(e) ?? 0) + 1);
      }
    }
    for (const c of snap.counters) this.derived.find((d) => d.spec.name === c.derived)?.prev.set(c.key, { num: c.num, den: c.den });
  }

  drop(owns: Owns): void {
    const has = ownsPredicate(owns);
    for (const r of this.rules) {
      const keep: Series[] = [];
      for (const s of r.all) {
        if (has(s.root)) { keep.push(s); continue; }
        const set = this.byRoot.get(s.root);
        if (set?.delete(s) && set.size === 0) this.byRoot.delete(s.root);
        if (s.stale) {
          const e = this.staleEntity(r, s);
          const n = (this.staleCounts.get(e) ?? 1) - 1;
          if (n > 0) this.staleCounts.set(e, n); else this.staleCounts.delete(e);
        }
      }
      r.all = keep;
      r.index = new Map();
      for (const s of keep) {
        let m: SeriesIndex = r.index;
        for (let i = 0; i < s.parts.length - 1; i++) {
          let next = m.get(s.parts[i]!) as SeriesIndex | undefined;
          if (!next) m.set(s.parts[i]!, (next = new Map()));
          m = next;
        }
        m.set(s.parts[s.parts.length - 1] ?? '', s);
      }
    }
    for (const d of this.derived) for (const key of [...d.prev.keys()]) if (!has(key.slice(0, key.indexOf('\u0000')))) d.prev.delete(key);
  }
}

const mask = (m: number) => (m >= 32 ? 0xffffffff : (1 << m) - 1) >>> 0;
