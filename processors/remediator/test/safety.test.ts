import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  admit, budgetLimit, createSafetyState, gateTransition, markedMultiNode, noteActionEnd, notePlanEnd, noteStart,
  type SafetyLimits, type StepRequest,
} from '../src/index.js';
import { alarm, transition } from './helpers.js';

const limits: SafetyLimits = {
  rate: { max: 3, windowMs: 3_600_000 }, cooldownMs: 600_000, maxAttemptsPerCause: 2, attemptWindowMs: 86_400_000,
  maxConcurrent: 4, budget: { maxShare: 0.1, minHosts: 0, maxHosts: 0, fleetSize: 100 },
};
const req = (target: string, now: number, over: Partial<StepRequest> = {}): StepRequest =>
  ({ target, host: target, cause: `r|700.140|host=${target}`, first: true, markedMultiNode: false, now, ...over });

test('cooldown: no new plan on a target until the cooldown after its last plan has passed', () => {
  const s = createSafetyState();
  noteStart(s, limits, req('h1', 0));
  noteActionEnd(s);
  notePlanEnd(s, 'h1', 'h1', 1000);
  const v = admit(s, limits, req('h1', 1000 + 599_999));
  assert.equal(v.ok ? 'ok' : v.code, 'cooldown');
  assert.ok(admit(s, limits, req('h1', 1000 + 600_000)).ok);
  // Later steps of a plan already under way are not held back by the cooldown.
  assert.ok(admit(s, limits, req('h1', 1000 + 1, { first: false })).ok);
});

test('max attempts per cause: the third plan for one cause within the window is refused (StarlingX: 2)', () => {
  const s = createSafetyState();
  const l = { ...limits, cooldownMs: 0 };
  for (const t of [0, 10]) { noteStart(s, l, req('h1', t)); noteActionEnd(s); notePlanEnd(s, 'h1', 'h1', t + 1); }
  const v = admit(s, l, req('h1', 20));
  assert.equal(v.ok ? 'ok' : v.code, 'max_attempts');
  // Another cause on the same host is its own count.
  assert.ok(admit(s, l, req('h1', 20, { cause: 'r|700.101|host=h1' })).ok);
  assert.ok(admit(s, l, req('h1', 86_400_000 + 1)).ok);
});

test('rate limit per target counts every step', () => {
  const s = createSafetyState();
  noteStart(s, limits, req('h1', 0));
  noteStart(s, limits, req('h1', 1, { first: false }));
  noteStart(s, limits, req('h1', 2, { first: false }));
  for (let i = 0; i < 3; i++) noteActionEnd(s);
  const v = admit(s, limits, req('h1', 3, { first: false }));
  assert.equal(v.ok ? 'ok' : v.code, 'rate_limit');
  assert.ok(admit(s, limits, req('h1', 3_600_003, { first: false })).ok);
});

test('global concurrency limit', () => {
  const s = createSafetyState();
  const l = { ...limits, budget: { ...limits.budget, fleetSize: 1000 } };
  for (let i = 0; i < 4; i++) noteStart(s, l, req(`h${i}`, 0));
  const v = admit(s, l, req('h9', 0));
  assert.equal(v.ok ? 'ok' : v.code, 'concurrency');
  noteActionEnd(s);
  assert.ok(admit(s, l, req('h9', 0)).ok);
});

test('budget: floor(share × fleet) hosts at once, capped by max_hosts; the fleet defaults to the hosts seen', () => {
  const s = createSafetyState();
  assert.is(budgetLimit(s, limits), 10);
  assert.is(budgetLimit(s, { ...limits, budget: { maxShare: 0.1, minHosts: 0, maxHosts: 3, fleetSize: 100 } }), 3);
  for (let i = 0; i < 25; i++) s.fleet.add(`h${i}`);
  assert.is(budgetLimit(s, { ...limits, budget: { maxShare: 0.1, minHosts: 0, maxHosts: 0, fleetSize: 0 } }), 2);
  // A 3-node cluster with 10 %: with min_hosts 0 no host may be acted on, never one third of the cluster;
  // with min_hosts 1 (the default) one host at a time.
  assert.is(budgetLimit(s, { ...limits, budget: { maxShare: 0.1, minHosts: 0, maxHosts: 0, fleetSize: 3 } }), 0);
  assert.is(budgetLimit(s, { ...limits, budget: { maxShare: 0.1, minHosts: 1, maxHosts: 0, fleetSize: 3 } }), 1);
});

test('multi-node failure: nothing acts while one is active, nor on an alarm marked part of one', () => {
  const s = createSafetyState();
  s.multiNode.add('710.010|system=edge');
  const v = admit(s, limits, req('h1', 0, { first: false }));
  assert.equal(v.ok ? 'ok' : v.code, 'multi_node_failure');
  s.multiNode.clear();
  const w = admit(s, limits, req('h1', 0, { markedMultiNode: true }));
  assert.equal(w.ok ? 'ok' : w.code, 'multi_node_failure');
  assert.ok(markedMultiNode(alarm({ inhibited: true, inhibited_by: '710.010|system=edge' }), '710.010'));
  assert.ok(markedMultiNode(alarm({ labels: { multi_node_failure: '710.010|system=edge' } }), '710.010'));
  assert.not.ok(markedMultiNode(alarm(), '710.010'));
});

test('storm of 1,000 hosts: engaged hosts never exceed the budget, running actions never exceed the concurrency limit', () => {
  const s = createSafetyState();
  const l: SafetyLimits = { ...limits, maxConcurrent: 20, budget: { maxShare: 0.05, minHosts: 1, maxHosts: 0, fleetSize: 1000 } };
  let now = 0;
  let maxEngaged = 0;
  let maxRunning = 0;
  const acted = new Set<string>();
  const refusals: Record<string, number> = {};
  const inFlight: string[] = [];
  // Three waves: every host raises, actions finish in arrival order, plans end, hosts raise again.
  for (let wave = 0; wave < 3; wave++) {
    for (let h = 0; h < 1000; h++) {
      now += 10;
      const r = req(`compute-${h}`, now);
      const v = admit(s, l, r);
      if (!v.ok) { refusals[v.code] = (refusals[v.code] ?? 0) + 1; } else { noteStart(s, l, r); acted.add(r.target); inFlight.push(r.target); }
      maxEngaged = Math.max(maxEngaged, s.engaged.size);
      maxRunning = Math.max(maxRunning, s.running);
      if (h % 7 === 0 && inFlight.length) { noteActionEnd(s); const done = inFlight.shift()!; notePlanEnd(s, done, done, now); }
    }
    while (inFlight.length) { noteActionEnd(s); const done = inFlight.shift()!; notePlanEnd(s, done, done, now); }
  }
  assert.ok(maxEngaged <= 50, `engaged ${maxEngaged}`);
  assert.ok(maxRunning <= 20, `running ${maxRunning}`);
  assert.ok((refusals.budget ?? 0) + (refusals.concurrency ?? 0) > 0);
  // Within one 10-minute cooldown (the three waves take 30 s), no host is acted on twice.
  const starts = [...s.starts.values()].map((t) => t.length);
  assert.is(Math.max(...starts), 1);
  assert.ok((refusals.cooldown ?? 0) > 0);
});

test('gate: stale, replayed, inactive, inhibited, held, flapping and plans under way never start a plan', () => {
  const now = Date.now();
  const base = { now, maxAgeMs: 300_000, seen: false, planInProgress: false };
  const code = (v: ReturnType<typeof gateTransition>) => (v.ok ? 'ok' : v.code);
  assert.is(code(gateTransition(transition('raised', alarm()), base)), 'ok');
  assert.is(code(gateTransition(transition('raised', alarm(), 1, now - 300_001), base)), 'stale');
  assert.is(code(gateTransition(transition('raised', alarm()), { ...base, seen: true })), 'replayed');
  assert.is(code(gateTransition(transition('raised', alarm({ state: 'cleared' })), base)), 'not_active');
  assert.is(code(gateTransition(transition('raised', alarm({ inhibited: true, inhibited_by: '710.001|host=a' })), base)), 'inhibited');
  assert.is(code(gateTransition(transition('raised', alarm({ labels: { remediation_hold: 'true', multi_node_failure: '710.010|system=edge' } })), base)), 'held');
  assert.is(code(gateTransition(transition('raised', alarm({ flapping: true })), base)), 'flapping');
  assert.is(code(gateTransition(transition('raised', alarm()), { ...base, planInProgress: true })), 'plan_in_progress');
});

test.run();
