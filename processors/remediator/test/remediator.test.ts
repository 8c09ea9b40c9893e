import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRemediator, foldLedger, readLedger, writeApprovalDecision } from '../src/index.js';
import { alarm, config, context, envelope, tempDir, transition, until } from './helpers.js';

const command = (argv: string[]) => ({ type: 'command', argv });
const rule = (steps: unknown[], over: Record<string, unknown> = {}) => ({
  name: 'ntp', match: { alarm_id: ['700.140'], entity: 'host=*' }, steps, ...over,
});
const outcomes = (rs: { outcome: string; step: number }[]) => rs.map((r) => `${r.outcome}#${r.step}`);

test('a matching raise runs step 0; the clear verifies it; 730.001 is cleared', async () => {
  const { ctx, results, faults, emit } = context();
  const r = createRemediator(ctx, config({ rules: [rule([{ action: command(['true']), verify_within: '1m' }])] }));
  await r.start();
  const a = alarm();
  await r.handle([envelope(transition('raised', a))], emit);
  await until('executed', () => results.find((x) => x.outcome === 'executed'));
  await r.handle([envelope(transition('cleared', a, 2))], emit);
  assert.equal(outcomes(results), ['matched#0', 'executed#0', 'verified#0']);
  assert.is((faults[0] as { op: string }).op, 'clear');
  await r.stop();
});

test('escalation: a failed step moves on; an unverified one moves on after verify_within; the last one raises 730.001', async () => {
  const { ctx, results, faults, emit } = context();
  const r = createRemediator(ctx, config({ rules: [rule([
    { action: command(['false']) },
    { action: command(['true']), verify_within: '50ms' },
    { action: command(['true']), verify_within: '50ms' },
  ])] }));
  await r.start();
  await r.handle([envelope(transition('raised', alarm()))], emit);
  await until('plan end', () => faults.length > 0);
  assert.equal(outcomes(results), ['matched#0', 'failed#0', 'executed#1', 'unverified#1', 'executed#2', 'unverified#2']);
  const f = faults[0] as { op: string; alarm_id: string; entity_instance_id: string };
  assert.equal([f.op, f.alarm_id, f.entity_instance_id], ['set', '730.001', 'host=compute-0.remediation=ntp']);
  await r.stop();
});

test('escalation stops when the alarm clears: later steps never run', async () => {
  const dir = tempDir();
  const marker = join(dir, 'step1-ran');
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ rules: [rule([
    { action: command(['true']), verify_within: '10m' },
    { action: command(['touch', marker]) },
  ])] }));
  await r.start();
  const a = alarm();
  await r.handle([envelope(transition('raised', a))], emit);
  await until('executed', () => results.find((x) => x.outcome === 'executed'));
  await r.handle([envelope(transition('cleared', a, 2))], emit);
  await r.stop();
  assert.equal(outcomes(results), ['matched#0', 'executed#0', 'verified#0']);
  assert.not.ok(existsSync(marker));
});

test('a redelivered transition, and an older seq of the same alarm, never act again', async () => {
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ rules: [rule([{ action: command(['true']) }])], limits: { cooldown: '0s' } }));
  await r.start();
  const a = alarm();
  const t = transition('raised', a, 5);
  await r.handle([envelope(t)], emit);
  await until('executed', () => results.find((x) => x.outcome === 'executed'));
  await r.handle([envelope(transition('cleared', a, 4))], emit); // older than the raise: ignored
  assert.not.ok(results.some((x) => x.outcome === 'verified'));
  await r.handle([envelope(transition('cleared', a, 6))], emit);
  await r.handle([envelope(t)], emit);
  const last = results.at(-1)!;
  assert.equal([last.outcome, last.details?.code], ['skipped', 'replayed']);
  assert.is(results.filter((x) => x.outcome === 'executed').length, 1);
  await r.stop();
});

test('approval: the step waits, runs once approved, and a denied one never runs', async () => {
  const dir = tempDir();
  const marker = join(dir, 'ran');
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ approval_poll: '20ms', rules: [rule([{ action: command(['touch', marker]), approval: true }])] }));
  await r.start();
  const a = alarm();
  const b = alarm({ entity_instance_id: 'host=compute-1' });
  await r.handle([envelope(transition('raised', a)), envelope(transition('raised', b))], emit);
  const waiting = results.filter((x) => x.outcome === 'awaiting_approval');
  assert.is(waiting.length, 2);
  assert.not.ok(existsSync(marker));
  const pending = foldLedger(readLedger(ctx.dataDir)).pendingApprovals;
  assert.is(pending.size, 2);
  writeApprovalDecision(ctx.dataDir, { request_uuid: waiting[1]!.request_uuid!, decision: 'deny', by: 'ops', at: Date.now() });
  await until('denied', () => results.find((x) => x.outcome === 'skipped' && x.details?.code === 'denied'));
  assert.not.ok(existsSync(marker));
  writeApprovalDecision(ctx.dataDir, { request_uuid: waiting[0]!.request_uuid!, decision: 'approve', by: 'ops', at: Date.now() });
  const done = await until('executed', () => results.find((x) => x.outcome === 'executed'));
  assert.is(done.request_uuid, waiting[0]!.request_uuid);
  assert.ok(existsSync(marker));
  assert.ok(results.some((x) => x.outcome === 'approved' && x.reason.includes('ops')));
  await r.stop();
});

test('approval expires', async () => {
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ approval_expiry: '50ms', rules: [rule([{ action: command(['true']), approval: true }])] }));
  await r.start();
  await r.handle([envelope(transition('raised', alarm()))], emit);
  await until('expired', () => results.find((x) => x.outcome === 'expired'));
  assert.not.ok(results.some((x) => x.outcome === 'executed'));
  await r.stop();
});

test('no action while a multi-node failure is active; a stale transition never acts', async () => {
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ rules: [rule([{ action: command(['true']) }])] }));
  await r.start();
  const mnf = alarm({ alarm_id: '710.010', entity_instance_id: 'system=edge', severity: 'critical' });
  await r.handle([envelope(transition('raised', mnf)), envelope(transition('raised', alarm()))], emit);
  assert.equal([results[1]!.outcome, results[1]!.details?.code], ['skipped', 'multi_node_failure']);
  // A host alarm the correlator marked part of the multi-node failure stops its plan (remediation_hold).
  const hostAlarm = alarm({ entity_instance_id: 'host=compute-1' });
  await r.handle([envelope(transition('cleared', mnf, 2))], emit);
  await r.handle([envelope(transition('raised', hostAlarm))], emit);
  await until('executed', () => results.find((x) => x.outcome === 'executed'));
  await r.handle([envelope(transition('updated', { ...hostAlarm, labels: { remediation_hold: 'true', multi_node_failure: '710.010|system=edge' } }, 2))], emit);
  assert.equal([results.at(-1)!.outcome, results.at(-1)!.details?.code], ['skipped', 'held']);
  await r.handle([envelope(transition('raised', alarm({ entity_instance_id: 'host=compute-2' }), 1, Date.now() - 3_600_000))], emit);
  assert.equal([results.at(-1)!.outcome, results.at(-1)!.details?.code], ['skipped', 'stale']);
  await r.stop();
});

test('restart: an action that was running when the process died is reported failed, never repeated; limits survive', async () => {
  const dir = tempDir();
  const first = context(dir);
  const r1 = createRemediator(first.ctx, config({ stop_grace: '10ms', rules: [rule([{ action: command(['sleep', '30']) }])] }));
  await r1.start();
  const t = transition('raised', alarm());
  await r1.handle([envelope(t)], first.emit);
  // Simulate death during the action: the ledger holds the claim but no done (what kill -9 leaves).
  const claim = readLedger(dir).find((x) => x.k === 'claim');
  assert.ok(claim);
  const second = context(dir);
  const r2 = createRemediator(second.ctx, config({ rules: [rule([{ action: command(['true']) }])] }));
  await r2.start();
  assert.ok(second.results.some((x) => x.outcome === 'failed' && x.details?.code === 'interrupted'));
  await r2.handle([envelope(t)], second.emit);
  assert.equal([second.results.at(-1)!.outcome, second.results.at(-1)!.details?.code], ['skipped', 'replayed']);
  // A new raise of the same alarm meets the cooldown that the dead process's action started.
  await r2.handle([envelope(transition('raised', alarm(), 3))], second.emit);
  assert.equal(second.results.at(-1)!.details?.code, 'cooldown');
  await r2.stop();
  await r1.stop();
});

test('kubernetes and openstack actions refuse to start: not available in this build', async () => {
  const { ctx } = context();
  const r = createRemediator(ctx, config({ rules: [rule([{ action: { type: 'kubernetes.drain', api_server: 'https://k8s:6443', token_env: 'K8S_TOKEN' } }])] }));
  try {
    await r.start();
    assert.unreachable('start should refuse');
  } catch (err) {
    assert.match((err as Error).message, /kubernetes\.drain is not available in this build/);
  }
});

test('an alarm inhibited by a parent stops its plan; a clear_all above an alarm verifies its plan', async () => {
  const dir = tempDir();
  const marker = join(dir, 'step1-ran');
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, config({ limits: { budget: { max_share: 1 } }, rules: [rule([
    { action: command(['true']), verify_within: '10m' },
    { action: command(['touch', marker]) },
  ], { match: { alarm_id: ['700.140'], entity: '**' } })] }));
  await r.start();
  const a = alarm();
  const b = alarm({ entity_instance_id: 'host=compute-1' });
  await r.handle([envelope(transition('raised', a)), envelope(transition('raised', b))], emit);
  await until('both executed', () => results.filter((x) => x.outcome === 'executed').length === 2);
  await r.handle([envelope({ ...transition('inhibited', { ...a, inhibited: true, inhibited_by: '710.001|host=compute-0' }, 2) })], emit);
  const stopped = results.at(-1)!;
  assert.equal([stopped.outcome, stopped.details?.code, stopped.target], ['skipped', 'inhibited', 'compute-0']);
  const clearAll = { uuid: randomUUID(), at: Date.now(), kind: 'cleared_all' as const, entity_instance_id: 'host=compute-1', cleared: [{ seq: 2, alarm: { ...b, state: 'cleared' as const } }] };
  await r.handle([envelope(clearAll)], emit);
  assert.equal([results.at(-1)!.outcome, results.at(-1)!.target], ['verified', 'compute-1']);
  await r.stop();
  assert.not.ok(existsSync(marker));
});

test.run();
