// An alarm storm of 1,000 hosts against a real webhook receiver: the host budget, the concurrency limit
// and the cooldown hold; every transition gets a recorded decision.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createRemediator } from '@faultline/processor-remediator';
import type { Alarm, RemediationResult } from '@faultline/schemas';
import { waitFor } from '../support/index.js';
import { alarm, context, envelope, remediatorConfig, transition } from '../support/remediation.js';
import { startReceiver } from '../support/webhook-receiver.js';

const SECRET = 'storm-secret';
const HOSTS = 1000;

test('1,000 hosts raise at once, in waves: at most 5 % of hosts acted on, at most 8 actions at a time, no host twice', async () => {
  const rx = await startReceiver({ secret: SECRET, holdMs: 50 });
  const { ctx, results, emit } = context();
  const r = createRemediator(ctx, remediatorConfig({
    rules: [{ name: 'storm', match: { alarm_id: ['710.001'] }, steps: [{
      action: { type: 'webhook', url: rx.url, secret_env: 'SECRET', retries: 0 }, verify_within: '10m',
    }] }],
    limits: { max_concurrent: 8, cooldown: '10m', budget: { max_share: 0.05, fleet_size: HOSTS } },
  }), { env: { SECRET } });
  await r.start();
  const alarms: Alarm[] = Array.from({ length: HOSTS }, (_, i) => alarm({ alarm_id: '710.001', severity: 'critical', entity_instance_id: `host=compute-${i}` }));
  const decided = (uuid: string) => results.some((x) => x.transition_uuid === uuid && x.outcome !== 'matched');
  const raise = async (seq: number) => {
    const ts = alarms.map((a) => transition('raised', a, seq));
    // Ten waves of 100 hosts, each handed over as one batch once the previous wave's actions are done.
    for (let w = 0; w < 10; w++) {
      const wave = ts.slice(w * 100, (w + 1) * 100);
      await r.handle(wave.map(envelope), emit);
      await waitFor('the wave decided and its actions done', () => (wave.every((t) => decided(t.uuid)) ? true : undefined), 20_000, 10);
    }
    return ts;
  };

  await raise(1);
  const executed = () => results.filter((x) => x.outcome === 'executed');
  const actedHosts = rx.received.map((x) => JSON.parse(x.body).target as string);
  assert.is(new Set(actedHosts).size, actedHosts.length, 'no host acted on twice');
  assert.is(actedHosts.length, 50, 'the budget (5 % of 1,000) is used, and not exceeded');
  assert.ok(rx.maxInFlight() <= 8, `max in flight ${rx.maxInFlight()}`);
  const skipped = results.filter((x) => x.outcome === 'skipped');
  const codes = new Set(skipped.map((x) => x.details?.code));
  assert.ok(codes.has('budget') && codes.has('concurrency'), [...codes].join());
  assert.is(skipped.length + executed().length, HOSTS);

  // The 50 remediated alarms clear: their plans verify and end, their hosts go into cooldown.
  const remediated = new Set(actedHosts);
  const cleared = alarms.filter((a) => remediated.has(a.entity_instance_id.slice('host='.length)));
  await r.handle(cleared.map((a) => envelope(transition('cleared', a, 2))), emit);
  assert.is(results.filter((x) => x.outcome === 'verified').length, 50);

  // The storm comes back on every host: the freshly remediated hosts are in cooldown, the budget holds again.
  const before = rx.received.length;
  const second = await raise(3);
  const secondIds = new Set(second.map((t) => t.uuid));
  const again = results.filter((x) => secondIds.has(x.transition_uuid));
  const cooled = again.filter((x) => x.details?.code === 'cooldown').map((x) => x.target);
  assert.equal(new Set(cooled), remediated, 'every host remediated in the first storm is in cooldown');
  const newTargets = rx.received.slice(before).map((x) => JSON.parse(x.body).target as string);
  assert.not.ok(newTargets.some((h) => remediated.has(h)), 'no host in cooldown acted on');
  assert.is(newTargets.length, 50, 'the budget refilled as the first 50 hosts left it, and holds');
  await r.stop();
  await rx.close();
});

test.run();
