// The fault client on Kafka for real: a correlator child process on a private broker, faults raised and
// cleared straight on the faults topic (bus transport, queries from the compacted alarms.active) and
// through the correlator's REST API (HTTP transport).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createFaultClient, type FaultClient } from '@faultline/fault-client';
import { waitFor } from '../support/index.js';
import { CorrelatorProcess, TOKEN, privateKafka } from '../support/alarm-service.js';

const kafka = await privateKafka();
const dir = mkdtempSync(join(tmpdir(), 'fl-fck-'));
const correlator = await CorrelatorProcess.create('corr-fc', dir, kafka.brokers);
const clients: Record<string, FaultClient> = {
  kafka: createFaultClient({ bus: kafka.bus, source: 'app/test' }),
  http: createFaultClient({ http: { url: correlator.url, token: TOKEN }, source: 'app/test' }),
};

test.after(async () => {
  for (const c of Object.values(clients)) await c.close();
  await correlator.stop().catch(() => {});
  await kafka.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('setFault, getFaults, clearFault and clearAll over Kafka and over HTTP', async () => {
  correlator.start();
  await correlator.ready();
  for (const [name, fm] of Object.entries(clients)) {
    const host = `host=${name}-${randomBytes(3).toString('hex')}`;
    await fm.setFault({ alarmId: '700.110', entityInstanceId: `${host}.interface=eth0`, severity: 'critical', reasonText: 'carrier lost' });
    await fm.setFault({ alarmId: '700.105', entityInstanceId: `${host}.filesystem=/var` });
    const raised = await waitFor(`${name}: both alarms`, async () => {
      const a = await fm.getFaults(host);
      return a.length === 2 ? a : undefined;
    }, 60_000, 300);
    assert.equal(raised.map((a) => `${a.alarm.alarm_id} ${a.alarm.severity}`).sort(), ['700.105 major', '700.110 critical'], name);
    assert.is((await fm.getFault('700.110', `${host}.interface=eth0`))?.alarm.reason_text, 'carrier lost');
    await fm.clearFault('700.110', host);
    await waitFor(`${name}: 700.110 cleared`, async () => ((await fm.getFaults(host)).length === 1 ? true : undefined), 60_000, 300);
    await fm.clearAll(host);
    await waitFor(`${name}: everything cleared`, async () => ((await fm.getFaults(host)).length === 0 ? true : undefined), 60_000, 300);
  }
});

test.run();
