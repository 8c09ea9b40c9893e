// Two correlator processes in one consumer group on a private Kafka broker: the second joins under load
// (a rebalance), then leaves (another one). Each new owner restores the hosts of the partitions it gained
// before handling them; no alarm key is held by both at once; every transition is produced exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { alarmKey } from '@faultline/schemas';
import { waitFor } from '../support/index.js';
import {
  CorrelatorProcess, activeSignature, activeTopic, compare, expected, faultRounds, privateKafka, sendRounds, settledTransitions,
} from '../support/alarm-service.js';

const kafka = await privateKafka();
const dir = mkdtempSync(join(tmpdir(), 'fl-scale-'));
const prefix = `s${randomBytes(3).toString('hex')}`;
process.stdout.write(`  private broker ${kafka.brokers[0]} (${kafka.devDir}), work dir ${dir}\n`);
const rounds = faultRounds(prefix, 40, 12, 5);
const want = expected(rounds);
const a = await CorrelatorProcess.create('corr-a', dir, kafka.brokers);
const b = await CorrelatorProcess.create('corr-b', dir, kafka.brokers);

test.after(async () => {
  await a.stop().catch(() => {});
  await b.stop().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

const keysOf = async (c: CorrelatorProcess) =>
  new Set((await c.alarms('member')).filter((x) => x.alarm.entity_instance_id.startsWith(`host=${prefix}-`)).map((x) => alarmKey(x.alarm)));

test('a second member joins and leaves under load: partitions move with their state, nothing is lost or doubled', async () => {
  a.start();
  await a.ready();
  const JOIN_AT = 8, LEAVE_AT = 24;
  let overlaps = 0, bothHeld = 0, samples = 0, left = 0;
  await sendRounds(kafka.bus, rounds, 150, async (i) => {
    if (i === 0) await waitFor('the first member to process', async () => ((await keysOf(a)).size > 0 ? true : undefined), 60_000);
    if (i === JOIN_AT) {
      b.start(); // same pipeline id, so the same group: the broker rebalances the six partitions over two members
      await b.ready();
      await waitFor('the second member to hold alarms', async () => ((await keysOf(b)).size > 0 ? true : undefined), 60_000);
    }
    if (i > JOIN_AT && !left) {
      const [ka, kb] = await Promise.all([keysOf(a), keysOf(b)]);
      samples++;
      if (ka.size && kb.size) bothHeld++;
      for (const k of ka) if (kb.has(k)) overlaps++;
    }
    // A clean leave (its partitions go back to the first member), once sharing was seen a few times.
    if (i >= LEAVE_AT && !left && (bothHeld >= 5 || i >= rounds.length - 4)) {
      await b.stop();
      left = i;
    }
  });
  const seen = await settledTransitions(kafka.bus, prefix, want.transitions.length, 90_000);
  const f = compare(want.transitions, seen);
  process.stdout.write(`\n  join at round ${JOIN_AT}, leave at ${left} of ${rounds.length}: transitions expected ${f.expected}, seen ${f.seen}, lost ${f.lost}, duplicated ${f.duplicated}, unexpected ${f.unexpected}\n`);
  process.stdout.write(`  ownership samples while both ran: ${samples}, with alarms on both members: ${bothHeld}, keys held by both: ${overlaps}\n`);
  assert.ok(bothHeld > 0, 'the partitions were really shared');
  assert.is(overlaps, 0, 'no alarm key held by two members at once');
  assert.equal(f.problems, []);
  assert.equal([f.lost, f.duplicated, f.unexpected], [0, 0, 0]);
  const expectedActive = want.active.map(activeSignature).sort();
  const served = (await a.alarms('member')).filter((x) => x.alarm.entity_instance_id.startsWith(`host=${prefix}-`)).map(activeSignature).sort();
  assert.equal(served, expectedActive, 'after the leave, the remaining member holds every expected alarm');
  assert.equal([...(await activeTopic(kafka.bus, prefix)).values()].map(activeSignature).sort(), expectedActive);
});

test.run();
