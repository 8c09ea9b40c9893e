// The broker stopped under load and started again, on a PRIVATE broker: an edge producer with a spool
// keeps sending faults through the outage, a real correlator process keeps running; once the broker
// is back every transition is in the alarms topic exactly once and nothing crashed.
// FAULTLINE_CHAOS_OUTAGE (default 12s) sets how long the broker stays down.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toOutbound } from '@faultline/runtime';
import { waitFor } from '../support/index.js';
import { TOKEN, compare, expected, faultRounds, freePort, settledTransitions } from '../support/alarm-service.js';
import { PipelineProcess, chaosDuration, correlatorYaml, makeDir, printFigures, privateKafka } from '../support/chaos.js';

const OUTAGE_MS = chaosDuration('FAULTLINE_CHAOS_OUTAGE', '12s');
const ROUND_MS = 250;
const BEFORE_MS = 4_000, AFTER_MS = 4_000;
const SPOOL_BYTES = 64 << 20;
const kafka = await privateKafka();
const dir = makeDir('outage');
const prefix = `o${randomBytes(3).toString('hex')}`;
const api = await freePort();
const correlator = new PipelineProcess('correlator', dir, 'processor', 'correlator', correlatorYaml('chaos-outage', dir, kafka.brokers, api, TOKEN));

test.after(async () => {
  await correlator.stop().catch(() => {});
  await kafka.stop();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

test('broker down under load: the spool holds the faults, the correlator rides it out, every transition arrives once', async () => {
  correlator.start();
  await waitFor('the correlator ready', async () => ((await fetch(`http://127.0.0.1:${api}/readyz`)).ok ? true : undefined), 90_000, 200);
  const rounds = faultRounds(prefix, Math.ceil((BEFORE_MS + OUTAGE_MS + AFTER_MS) / ROUND_MS), 10, 5);
  const want = expected(rounds);
  const edge = kafka.bus.producer({ spool: { name: 'chaos-edge', dir: join(dir, 'spool'), node: `${prefix}-edge`, maxBytes: SPOOL_BYTES, clearAfterMs: 1000 } });

  let brokerDown = false;
  const outage = (async () => {
    await new Promise((r) => setTimeout(r, BEFORE_MS));
    await kafka.svc('stop');
    brokerDown = true;
    process.stdout.write(`  broker stopped at ${new Date().toISOString()}\n`);
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await kafka.svc('start');
    brokerDown = false;
    process.stdout.write(`  broker started at ${new Date().toISOString()}\n`);
  })();
  let sentDuringOutage = 0;
  for (const round of rounds) {
    await edge.send(round.map((f) => toOutbound('faults', f))); // resolves once on the broker or in the spool
    if (brokerDown) sentDuringOutage += round.length;
    await new Promise((r) => setTimeout(r, ROUND_MS));
  }
  await outage;
  assert.ok(sentDuringOutage > 0, 'faults were sent while the broker was down');

  const seen = await settledTransitions(kafka.bus, prefix, want.transitions.length, 120_000);
  await edge.close();
  const dropped = (await kafka.bus.telemetry.registry.getSingleMetric('faultline_spool_dropped_total')?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;
  const f = compare(want.transitions, seen);
  printFigures('broker-outage', {
    sent: rounds.flat().length, delivered: seen.length, lost: f.lost, duplicated: f.duplicated, deadLettered: 0,
    crashes: correlator.crashes, spoolBound: `${SPOOL_BYTES >> 20} MiB (dropped ${dropped})`,
  }, `outage ${OUTAGE_MS / 1000} s, fault events sent during it ${sentDuringOutage}, transitions expected ${want.transitions.length} (delivered counts transitions)`);
  assert.is(dropped, 0, 'the spool stayed within its bound');
  assert.equal(f.problems, [], 'no transition lost, duplicated or unexpected');
  assert.is(correlator.crashes, 0, 'the correlator never exited');
  assert.ok(correlator.running);
});

test.run();
