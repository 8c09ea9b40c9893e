// kill -9 of a real correlator process on a private broker, again and again under a steady fault
// load, each time restarted at once on the same pipeline file (same consumer group): every transition
// is in the alarms topic exactly once, and the restarted process serves exactly the expected active
// alarms. FAULTLINE_CHAOS_LOAD (default 15s) sets how long the load runs, FAULTLINE_CHAOS_KILLS (default 2)
// how many kills it takes. (test/alarm-service/kill-restore.test.ts checks one kill in more detail.)
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { waitFor } from '../support/index.js';
import {
  TOKEN, activeSignature, committedTransitions, compare, expected, faultRounds, freePort, sendRounds, settledTransitions,
} from '../support/alarm-service.js';
import { PipelineProcess, chaosCount, chaosDuration, correlatorYaml, makeDir, printFigures, privateKafka } from '../support/chaos.js';
import type { ActiveAlarm } from '@faultline/schemas';

const LOAD_MS = chaosDuration('FAULTLINE_CHAOS_LOAD', '15s');
const KILLS = chaosCount('FAULTLINE_CHAOS_KILLS', 2);
const ROUND_MS = 200;
const kafka = await privateKafka();
const dir = makeDir('kill');
const prefix = `c${randomBytes(3).toString('hex')}`;
const api = await freePort();
const correlator = new PipelineProcess('correlator', dir, 'processor', 'correlator', correlatorYaml('chaos-kill', dir, kafka.brokers, api, TOKEN));
const ready = () => waitFor('the correlator ready', async () => ((await fetch(`http://127.0.0.1:${api}/readyz`)).ok ? true : undefined), 90_000, 200);

test.after(async () => {
  await correlator.stop().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

async function served(): Promise<ActiveAlarm[]> {
  const all: ActiveAlarm[] = [];
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${api}/v1/alarms?limit=1000&offset=${all.length}&scope=member`, { headers: { authorization: `Bearer ${TOKEN}` } });
    if (!res.ok) throw new Error(`GET /v1/alarms ${res.status}`);
    const page = (await res.json()) as { total: number; items: ActiveAlarm[] };
    all.push(...page.items);
    if (!page.items.length || all.length >= page.total) break;
  }
  return all.filter((a) => a.alarm.entity_instance_id.startsWith(`host=${prefix}-`));
}

test(`kill -9 ${KILLS} times under load: every transition exactly once, the active alarms restored`, async () => {
  correlator.start();
  await ready();
  const rounds = faultRounds(prefix, Math.ceil(LOAD_MS / ROUND_MS), 20, 5);
  const want = expected(rounds);
  const killAt = new Set(Array.from({ length: KILLS }, (_, k) => Math.floor(((k + 1) * rounds.length) / (KILLS + 1))));
  let kills = 0;
  await sendRounds(kafka.bus, rounds, ROUND_MS, async (i) => {
    if (!killAt.has(i)) return;
    // Processing must be under way, or the kill proves nothing (the restarted process too).
    await ready();
    await waitFor('transitions committed before the kill', async () => ((await committedTransitions(kafka.bus, prefix)).length > 0 ? true : undefined), 60_000, 200);
    await correlator.kill9();
    kills++;
    correlator.start(); // no stop, no flush: an open transaction stays open until the broker aborts it
  });
  await ready();

  const seen = await settledTransitions(kafka.bus, prefix, want.transitions.length, 120_000);
  const f = compare(want.transitions, seen);
  const expectedActive = want.active.map(activeSignature).sort();
  const active = (await served()).map(activeSignature).sort();
  printFigures('correlator-kill', {
    sent: rounds.flat().length, delivered: seen.length, lost: f.lost, duplicated: f.duplicated, deadLettered: 0, crashes: correlator.crashes,
  }, `kill -9 ×${kills} over ${LOAD_MS / 1000} s, transitions expected ${want.transitions.length} (delivered counts transitions), active alarms expected ${expectedActive.length}, served ${active.length}`);
  assert.is(kills, KILLS);
  assert.equal(f.problems, [], 'no transition lost, duplicated or unexpected');
  assert.equal(active, expectedActive, 'the last process serves exactly the expected active alarms');
  assert.is(correlator.crashes, 0, 'no exit other than the kills');
});

test.run();
