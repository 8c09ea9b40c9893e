import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { createEmbeddedBus, silentLogger, startPipeline, type PipelineConfig } from '@faultline/runtime';
import { CorrelatorConfigSchema, correlatorProcessor, type Correlator } from '@faultline/processor-correlator';
import { createFaultClient, FaultValidationError, type FaultClient } from '../src/index.js';

const TOKEN = 'fault-client-token-0123456789';

/** The whole single-node pipeline: embedded bus, a correlator with its API; the instance is kept for its URL. */
async function pipeline() {
  let correlator: Correlator | undefined;
  const factory = { ...correlatorProcessor, create: (ctx: never, cfg: never) => (correlator = correlatorProcessor.create(ctx, cfg) as Correlator) };
  const dir = mkdtempSync(join(tmpdir(), 'fl-fc-'));
  const config: PipelineConfig = {
    file: 'test', node: 't', dataDir: dir, bus: { type: 'embedded' },
    components: [{
      kind: 'processor', id: 'processors.correlator', name: 'correlator', factory,
      config: Value.Parse(CorrelatorConfigSchema, { api: { enabled: true, listen: '127.0.0.1:0', tokens: [TOKEN] } }),
    }],
  };
  const bus = createEmbeddedBus({ dir: join(dir, 'bus') });
  const running = await startPipeline(config, bus, silentLogger);
  return { bus, url: correlator!.apiUrl!, stop: () => running.stop() };
}

async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
  for (let i = 0; ; i++) {
    const v = await fn();
    if (ok(v) || i > 100) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const p = await pipeline();
const clients: Record<string, FaultClient> = {
  http: createFaultClient({ http: { url: p.url, token: TOKEN }, source: 'app/test' }),
  bus: createFaultClient({ bus: p.bus, source: 'app/test' }),
};

for (const [name, fc] of Object.entries(clients)) {
  const host = `host=${name}-0`;
  test(`${name}: setFault raises through the correlator; getFault(s) see it; clearFault and clearAll clear`, async () => {
    const uuid = await fc.setFault({ alarmId: '700.110', entityInstanceId: `${host}.interface=eth0`, severity: 'major', reasonText: 'carrier lost' });
    assert.match(uuid, /^[0-9a-f-]{36}$/);
    await fc.setFault({ alarmId: '700.105', entityInstanceId: `${host}.filesystem=/var` });
    const two = await eventually(() => fc.getFaults(host), (a) => a.length === 2);
    assert.equal(two.map((a) => a.alarm.alarm_id).sort(), ['700.105', '700.110']);
    assert.is((await fc.getFault('700.110', `${host}.interface=eth0`))?.alarm.reason_text, 'carrier lost');
    assert.ok((await fc.getFaultsById('700.105')).some((a) => a.alarm.entity_instance_id === `${host}.filesystem=/var`));
    await fc.clearFault('700.110', host);
    assert.equal((await eventually(() => fc.getFaults(host), (a) => a.length === 1)).map((a) => a.alarm.alarm_id), ['700.105']);
    await fc.clearAll(host);
    assert.equal(await eventually(() => fc.getFaults(host), (a) => a.length === 0), []);
  });

  test(`${name}: refuses what the schema refuses, naming the field, before sending`, async () => {
    for (const [bad, field] of [
      [{ alarmId: '70.1', entityInstanceId: host }, 'alarm_id'],
      [{ alarmId: '700.110', entityInstanceId: 'no-equals-sign' }, 'entity_instance_id'],
      [{ alarmId: '700.110', entityInstanceId: host, severity: 'huge' as never }, 'severity'],
    ] as const) {
      try {
        await fc.setFault(bad);
        assert.unreachable(`accepted ${JSON.stringify(bad)}`);
      } catch (err) {
        assert.instance(err, FaultValidationError);
        assert.is((err as FaultValidationError).field, field);
      }
    }
  });
}

test.after(async () => {
  for (const c of Object.values(clients)) await c.close();
  await p.stop();
});
test.run();
