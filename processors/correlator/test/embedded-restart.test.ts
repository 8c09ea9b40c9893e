import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { createEmbeddedBus, silentLogger, startPipeline, toOutbound, type PipelineConfig } from '@faultline/runtime';
import type { FaultEvent } from '@faultline/schemas';
import { CorrelatorConfigSchema, correlatorProcessor, type Correlator } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'fl-embedded-restart-'));
const TOKEN = 'embedded-restart-token-0123456789';

/** The single-node pipeline (a correlator on the journaled embedded bus) on the same directory each time. */
async function start() {
  let correlator: Correlator | undefined;
  const factory = { ...correlatorProcessor, create: (ctx: never, cfg: never) => (correlator = correlatorProcessor.create(ctx, cfg) as Correlator) };
  const config: PipelineConfig = {
    file: 'test', node: 't', dataDir: dir, bus: { type: 'embedded' },
    components: [{ kind: 'processor', id: 'processors.correlator', name: 'correlator', factory, config: Value.Parse(CorrelatorConfigSchema, { api: { enabled: true, listen: '127.0.0.1:0', tokens: [TOKEN] } }) }],
  };
  const bus = createEmbeddedBus({ dir: join(dir, 'bus') });
  const running = await startPipeline(config, bus, silentLogger);
  return { bus, c: correlator!, stop: () => running.stop() };
}

const fault = (op: FaultEvent['op'], entity: string, ts: number, severity?: FaultEvent['severity']): FaultEvent =>
  ({ op, alarm_id: '700.110', entity_instance_id: entity, ts, ...(severity && { severity }) });

async function until(fn: () => boolean) {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(fn(), 'condition not reached');
}

test('a restart on the same journal restores active alarms with their seq, flap history, and the silences made through the API', async () => {
  const first = await start();
  const now = Date.now();
  const producer = first.bus.producer();
  // eth0 changes five times (flapping), eth1 is raised once, eth2 is raised and cleared.
  const faults = [
    fault('set', 'host=r0.interface=eth0', now, 'major'), fault('set', 'host=r0.interface=eth0', now + 1, 'critical'),
    fault('set', 'host=r0.interface=eth0', now + 2, 'major'), fault('set', 'host=r0.interface=eth0', now + 3, 'critical'),
    fault('set', 'host=r0.interface=eth0', now + 4, 'major'), fault('set', 'host=r0.interface=eth0', now + 5, 'critical'),
    fault('set', 'host=r1.interface=eth1', now), fault('set', 'host=r2.interface=eth2', now), fault('clear', 'host=r2.interface=eth2', now + 1),
  ];
  await producer.send(faults.map((f) => toOutbound('faults', f)));
  await until(() => first.c.engine.activeCount === 2 && first.c.engine.get('700.110|host=r0.interface=eth0')?.seq === 7);
  // A silence through the REST API, as an operator makes one: it must survive the restart too.
  const res = await fetch(`${first.c.apiUrl}/v1/silences`, {
    method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ matchers: { host: 'r1' }, duration: '1h', comment: 'fan swap' }),
  });
  assert.is(res.status, 201);
  const silence = (await res.json()) as { id: string };
  await until(() => first.c.engine.get('700.110|host=r1.interface=eth1')?.alarm.silenced_by.length === 1);
  const before = first.c.engine.query().map((a) => [a.alarm.entity_instance_id, a.seq, a.alarm.severity, a.alarm.flapping]);
  await producer.close();
  await first.stop();

  const second = await start();
  try {
    const after = second.c.engine.query().map((a) => [a.alarm.entity_instance_id, a.seq, a.alarm.severity, a.alarm.flapping]);
    assert.equal(after.sort(), before.sort(), 'the same active alarms, seqs, severities and flapping flags');
    assert.ok(before.some((a) => a[3] === true), 'one of them is flapping');
    assert.equal(second.c.engine.silences().map((x) => x.id), [silence.id], 'the silence is back');
    assert.equal(second.c.engine.get('700.110|host=r1.interface=eth1')?.alarm.silenced_by, [silence.id]);
    // The next change carries on the per-alarm sequence rather than starting again.
    await second.bus.producer().send([toOutbound('faults', fault('clear', 'host=r1.interface=eth1', now + 10))]);
    await until(() => second.c.engine.activeCount === 1);
  } finally {
    await second.stop();
  }
});

test.run();
