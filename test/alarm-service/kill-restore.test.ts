// kill -9 of a correlator under a steady fault load, on a private Kafka broker: the restarted process
// restores the active alarms (and flap history) of its partitions from alarms.active and
// correlator.state, and the alarms topic (read committed) holds every expected transition exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { waitFor } from '../support/index.js';
import {
  CorrelatorProcess, activeSignature, activeTopic, committedTransitions, compare, expected, faultRounds, privateKafka, sendRounds, settledTransitions,
} from '../support/alarm-service.js';

const kafka = await privateKafka();
const dir = mkdtempSync(join(tmpdir(), 'fl-kill-'));
const prefix = `k${randomBytes(3).toString('hex')}`;
process.stdout.write(`  private broker ${kafka.brokers[0]} (${kafka.devDir}), work dir ${dir}\n`);
const rounds = faultRounds(prefix, 30, 12, 5);
const KILL_AT = 15;
const want = expected(rounds);
const first = await CorrelatorProcess.create('corr-a', dir, kafka.brokers);
let second: CorrelatorProcess | undefined;

test.after(async () => {
  await first.stop().catch(() => {});
  await second?.stop().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

test('kill -9 mid-load: the restarted correlator restores its state; every transition is in the alarms topic exactly once', async () => {
  first.start();
  await first.ready();
  let killedAt = -1;
  const mine = async (c: CorrelatorProcess) => (await c.alarms('member')).filter((a) => a.alarm.entity_instance_id.startsWith(`host=${prefix}-`)).length;
  await sendRounds(kafka.bus, rounds, 100, async (i) => {
    // The group must be joined and processing before the kill, or the test proves nothing.
    if (i === 0) await waitFor('the first correlator to process the first round', async () => ((await mine(first)) > 0 ? true : undefined), 60_000);
    if (i === KILL_AT) {
      // A has committed a good share, and batches are in flight: no stop, no flush, an open transaction stays open.
      await waitFor('a third of the transitions committed', async () => ((await committedTransitions(kafka.bus, prefix)).length > want.transitions.length / 3 ? true : undefined), 60_000, 100);
      await first.kill9();
      killedAt = Date.now();
      second = await CorrelatorProcess.create('corr-a', dir, kafka.brokers);
      second.start(); // the same pipeline file: the same consumer group, a new process
    }
  });
  assert.ok(killedAt > 0);
  await second!.ready();
  const seen = await settledTransitions(kafka.bus, prefix, want.transitions.length, 90_000);
  const f = compare(want.transitions, seen);
  process.stdout.write(`\n  kill -9 after round ${KILL_AT} of ${rounds.length}: transitions expected ${f.expected}, seen ${f.seen}, lost ${f.lost}, duplicated ${f.duplicated}, unexpected ${f.unexpected}\n`);
  assert.equal(f.problems, [], 'no transition lost, duplicated or unexpected');
  assert.equal([f.lost, f.duplicated, f.unexpected], [0, 0, 0]);

  const expectedActive = want.active.map(activeSignature).sort();
  const served = (await second!.alarms('member')).filter((a) => a.alarm.entity_instance_id.startsWith(`host=${prefix}-`)).map(activeSignature).sort();
  assert.equal(served, expectedActive, 'the restarted correlator holds exactly the expected active alarms');
  const stored = [...(await activeTopic(kafka.bus, prefix)).values()].map(activeSignature).sort();
  assert.equal(stored, expectedActive, 'alarms.active holds exactly the expected active alarms');
  process.stdout.write(`  active alarms expected ${expectedActive.length}, served ${served.length}, in alarms.active ${stored.length}\n`);
});

test.run();
