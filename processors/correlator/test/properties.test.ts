import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alarmKey, type AlarmTransition } from '@faultline/schemas';
import { prng as rng } from '@faultline/collector-simulator';
import type { Engine, EngineOutput } from '../src/index.js';
import { batch, engine, rules, run } from './helpers.js';

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

const RULES = rules(`
rules:
  - { name: cpu, alarm_id: "700.101", metric: cpu, entity: host=<node>, levels: { major: { raise: 90, clear: 85 }, critical: { raise: 95, clear: 92 } }, raise_after: "3/4", clear_after: 2, absent_after: 5s }
  - { name: fs, alarm_id: "700.104", metric: fs, entity: host=<node>.filesystem=<mountpoint>, levels: { major: { raise: 80, clear: 78 } }, raise_after: 2, clear_after: 2 }
`);
const HOSTS = ['c0', 'c1', 'c2'];
const ENTITIES = ['host=c0', 'host=c0.interface=eth0', 'host=c0.interface=eth1', 'host=c1', 'host=c1.filesystem=/var', 'host=c2.disk=sda'];
const IDS = ['700.110', '700.105', '700.140', '710.001', '700.106'];

type Step = (e: Engine, out: EngineOutput) => void;

/** A random but reproducible history: faults, metrics, heartbeats, operator actions and ticks, time moving forward. */
function history(seed: number, n: number): Step[] {
  const r = rng(seed);
  let t = 1_000;
  const seqs = new Map<string, number>();
  const steps: Step[] = [];
  for (let i = 0; i < n; i++) {
    t += Math.floor(r() * 300);
    const now = t;
    const x = r();
    if (x < 0.3) {
      const op = pick(r, ['set', 'set', 'clear', 'clear_all', 'log'] as const);
      const ent = pick(r, ENTITIES);
      const id = pick(r, IDS);
      const sev = pick(r, ['minor', 'major', 'critical'] as const);
      steps.push((e, o) => e.fault(op === 'clear_all' ? { op, entity_instance_id: ent, ts: now } : { op, alarm_id: id, entity_instance_id: ent, severity: sev, ts: now }, o));
    } else if (x < 0.65) {
      const node = pick(r, HOSTS);
      const cpu = r() * 100;
      const fs = 70 + r() * 20;
      steps.push((e, o) => e.metrics(batch(node, now, [
        { name: 'cpu', labels: {}, value: cpu }, { name: 'fs', labels: { mountpoint: '/' }, value: fs },
      ]), o));
    } else if (x < 0.85) {
      const node = pick(r, HOSTS.slice(0, 2));
      const seq = (seqs.get(node) ?? 0) + (r() < 0.9 ? 1 : 5);
      seqs.set(node, seq);
      const boot = r() < 0.02 ? `b${i}` : 'b';
      steps.push((e, o) => e.heartbeat({ node, boot_id: boot, seq, ts: now, period_ms: 100 }, o));
    } else if (x < 0.9) {
      const id = pick(r, IDS);
      const on = r() < 0.5;
      steps.push((e, o) => e.setSuppressed(id, on, now, o));
    } else if (x < 0.92) {
      const id = `s${i}`;
      const host = pick(r, HOSTS);
      const len = Math.floor(r() * 3000);
      steps.push((e, o) => e.addSilence({ id, matchers: { host }, starts_at: now, ends_at: now + len, created_by: 't', comment: '' }, now, o));
    } else {
      steps.push((e, o) => e.tick(now, o));
    }
  }
  return steps;
}

const play = (e: Engine, steps: Step[]) => {
  const all: AlarmTransition[] = [];
  for (const s of steps) all.push(...run((o) => s(e, o)).transitions);
  return all;
};
/** One line per transition, every field included, so a difference shows where it starts. */
const brief = (ts: AlarmTransition[]) => ts.map((t) => JSON.stringify(t));
/** What happened to each alarm, without uuids or interleaving: kind, seq, severity and flags, sorted. */
const perAlarm = (ts: AlarmTransition[]) => ts.flatMap((t) => (t.kind === 'cleared_all' ? t.cleared.map((c) => ({ kind: 'cleared_all', seq: c.seq, alarm: c.alarm })) : [t]))
  .map((t) => { const a = t.alarm; return `${a.alarm_id}|${a.entity_instance_id} ${t.seq} ${t.kind} ${a.severity} ${a.state} i${+a.inhibited} s${+a.suppressed} f${+a.flapping} ${a.silenced_by.join()} ${JSON.stringify(a.labels)}`; })
  .sort();
const mk = () => engine({ rules: RULES, heartbeat: { multi_node_window_ms: 200 }, flap: { changes: 4, window_ms: 5000, stable_after_ms: 3000 } });

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);

test('property: no clear without a raise; per-alarm seq runs 1, 2, 3… with no gap; the transitions rebuild the active set', () => {
  for (const seed of SEEDS) {
    const e = mk();
    const ts = play(e, history(seed, 600));
    const seq = new Map<string, number>(); // alarm uuid → last seq
    const active = new Map<string, string>(); // alarm key → uuid
    const check = (uuid: string, s: number, kind: string, key: string) => {
      const last = seq.get(uuid);
      if (last === undefined) assert.ok(kind === 'raised' && s === 1, `seed ${seed}: first transition of ${key} is ${kind} seq ${s}`);
      else assert.is(s, last + 1, `seed ${seed}: seq of ${key} jumps from ${last} to ${s}`);
      seq.set(uuid, s);
    };
    for (const t of ts) {
      if (t.kind === 'cleared_all') {
        for (const c of t.cleared) {
          const key = alarmKey(c.alarm);
          assert.is(active.get(key), c.alarm.uuid, `seed ${seed}: cleared_all of ${key}, which is not active`);
          check(c.alarm.uuid, c.seq, 'cleared', key);
          active.delete(key);
        }
        continue;
      }
      const key = alarmKey(t.alarm);
      check(t.alarm.uuid, t.seq, t.kind, key);
      if (t.kind === 'raised') {
        assert.not.ok(active.has(key), `seed ${seed}: ${key} raised twice`);
        active.set(key, t.alarm.uuid);
      } else if (t.kind === 'cleared') {
        assert.is(active.get(key), t.alarm.uuid, `seed ${seed}: clear of ${key} without a raise`);
        active.delete(key);
      } else if (t.alarm.state === 'active') {
        assert.is(active.get(key), t.alarm.uuid, `seed ${seed}: ${t.kind} of ${key}, which is not active`);
      } else {
        assert.ok(t.kind === 'flapping' || t.kind === 'stable', `seed ${seed}: ${t.kind} of a cleared alarm`);
      }
    }
    assert.equal([...active.keys()].sort(), e.query().map((a) => alarmKey(a.alarm)).sort(), `seed ${seed}: active set`);
  }
});

test('property: the same input always gives the same transitions (uuids included)', () => {
  for (const seed of SEEDS.slice(0, 15)) {
    const steps = history(seed, 400);
    assert.equal(brief(play(mk(), steps)), brief(play(mk(), steps)), `seed ${seed}`);
  }
});

test('property: snapshot → JSON → restore carries on exactly as the original would', () => {
  for (const seed of SEEDS.slice(0, 15)) {
    const steps = history(seed, 600);
    const a = mk();
    play(a, steps.slice(0, 300));
    const b = mk();
    b.restore(JSON.parse(JSON.stringify(a.snapshot())));
    assert.equal(b.query(), a.query(), `seed ${seed}: restored active set`);
    assert.equal(brief(play(b, steps.slice(300))), brief(play(a, steps.slice(300))), `seed ${seed}: continuation`);
  }
});

test('property: snapshots by partition key split and merge back to the whole', () => {
  for (const seed of SEEDS.slice(0, 10)) {
    const steps = history(seed, 500);
    const a = mk();
    play(a, steps.slice(0, 250));
    const mine = (root: string) => root === 'c0';
    // A set of roots goes through the per-host indexes and must select exactly what the predicate does.
    const bySet = a.snapshot(new Set(['c0']));
    const byPredicate = a.snapshot(mine);
    const sorted = (x: unknown[]) => x.map((v) => JSON.stringify(v)).sort();
    assert.equal(sorted(bySet.table.alarms), sorted(byPredicate.table.alarms), `seed ${seed}: alarms by set`);
    assert.equal(sorted(bySet.thresholds.series), sorted(byPredicate.thresholds.series), `seed ${seed}: series by set`);
    assert.equal(bySet.heartbeats, byPredicate.heartbeats, `seed ${seed}: heartbeats by set`);
    const b = mk();
    b.restore(JSON.parse(JSON.stringify(bySet)));
    b.restore(JSON.parse(JSON.stringify(a.snapshot((r) => !mine(r)))));
    // Merged partitions iterate hosts in another order, so uuids and order differ; per alarm, nothing may.
    assert.equal(perAlarm(play(b, steps.slice(250))), perAlarm(play(a, steps.slice(250))), `seed ${seed}`);
    // Dropping a partition forgets its alarms and keeps the others.
    a.drop((r) => !mine(r));
    assert.ok(a.query().every((x) => !x.alarm.entity_instance_id.startsWith('host=c0')), `seed ${seed}: dropped`);
  }
});

test('property: no oscillation inside a hysteresis band', () => {
  const r = rng(7);
  for (let round = 0; round < 200; round++) {
    const clearMajor = 50 + Math.floor(r() * 30);
    const raiseMajor = clearMajor + 1 + Math.floor(r() * 5);
    const clearCrit = raiseMajor + 1 + Math.floor(r() * 5);
    const raiseCrit = clearCrit + 1 + Math.floor(r() * 5);
    const n = 1 + Math.floor(r() * 7);
    const set = rules(`
rules:
  - { name: t, alarm_id: "700.101", metric: m, entity: host=<node>, levels: { major: { raise: ${raiseMajor}, clear: ${clearMajor} }, critical: { raise: ${raiseCrit}, clear: ${clearCrit} } }, raise_after: ${n}, clear_after: ${1 + Math.floor(r() * 4)} }
`);
    const e = engine({ rules: set });
    let t = 0;
    const feed = (v: number) => run((o) => e.metrics(batch('c0', (t += 1000), [{ name: 'm', labels: {}, value: v }]), o)).transitions;
    // Raise major, then wander anywhere in [clear major, raise critical): nothing may happen.
    let raised = 0;
    for (let i = 0; i < n; i++) raised += feed(raiseMajor).length;
    assert.is(raised, 1);
    for (let i = 0; i < 200; i++) {
      const v = clearMajor + r() * (raiseCrit - clearMajor - 1e-9);
      assert.equal(feed(v), [], `band ${clearMajor}..${raiseCrit}, value ${v}`);
    }
    // And at critical, anywhere in [clear critical, ∞).
    for (let i = 0; i < n; i++) feed(raiseCrit + 1);
    for (let i = 0; i < 100; i++) assert.equal(feed(clearCrit + r() * 100), []);
  }
});

test.run();
