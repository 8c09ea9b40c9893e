// Faults → correlator → alarms topic → SNMP sink, in one embedded pipeline: snmpwalk of the sink's active
// alarm table lists exactly the alarms the correlator's REST API lists, field by field, through suppression.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline, type RunningPipeline } from '@faultline/runtime';
import { ALARM_TYPES, PROBABLE_CAUSES, SEVERITY_RANK, type ActiveAlarm, type FaultEvent } from '@faultline/schemas';
import { correlatorProcessor } from '@faultline/processor-correlator';
import { snmpSink } from '@faultline/sink-snmp';
import { freePort, waitFor } from '../support/index.js';
import { createFeed, type Feed } from '../support/feed.js';
import { freeUdpPort, run, snmpToolsEnv } from '../support/snmp.js';

const TOKEN = `snmp-pipeline-test-${randomUUID()}`;
const ACTIVE_ENTRY = '1.3.6.1.4.1.32473.2.1.1.1.1';
const host = `snmp-e2e-${randomUUID().slice(0, 6)}`;
const tmp = mkdtempSync(join(tmpdir(), 'fl-snmp-e2e-'));
let feed: Feed;
let p: RunningPipeline;
let api: string;
let agent: string;

test.before(async () => {
  feed = createFeed();
  const [apiPort, agentPort] = [await freePort(), await freeUdpPort()];
  api = `http://127.0.0.1:${apiPort}`;
  agent = `127.0.0.1:${agentPort}`;
  const text = JSON.stringify({
    node: host, data_dir: tmp, bus: { type: 'embedded' },
    collectors: { feed: { type: feed.factory.type } },
    processors: { correlator: { api: { enabled: true, listen: `127.0.0.1:${apiPort}`, tokens: [TOKEN] } } },
    sinks: { nms: { type: 'snmp', agent: { port: agentPort, communities: ['e2e'] } } },
  });
  const config = loadPipelineConfig('snmp-e2e.yaml', createRegistry([correlatorProcessor, snmpSink, feed.factory]), { text });
  p = await startPipeline(config, createEmbeddedBus(), createLogger('test', { level: 'error' }));
});
test.after(async () => {
  await p?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

const fault = (over: Partial<FaultEvent>): FaultEvent => ({ op: 'set', entity_instance_id: `host=${host}`, ts: Date.now(), ...over });

async function restAlarms(): Promise<ActiveAlarm[]> {
  const res = await fetch(`${api}/v1/alarms?limit=1000`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`GET /v1/alarms: ${res.status}`);
  return ((await res.json()) as { items: ActiveAlarm[] }).items.filter((a) => a.alarm.entity_instance_id.startsWith(`host=${host}`));
}

async function suppression(method: 'PUT' | 'DELETE', alarmId: string) {
  const res = await fetch(`${api}/v1/suppressions/${alarmId}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  if (!res.ok) throw new Error(`${method} /v1/suppressions/${alarmId}: ${res.status} ${await res.text()}`);
}

/** Active table rows, each as column number → value text (`-On -Oe`: numbers, enums as integers). */
async function walkRows(): Promise<Map<number, string>[]> {
  const { stdout } = await run('snmpwalk', ['-v2c', '-c', 'e2e', '-On', '-Oe', '-OQ', '-t', '1', '-r', '1', agent, ACTIVE_ENTRY], { env: snmpToolsEnv() });
  const rows = new Map<string, Map<number, string>>();
  for (const line of stdout.split('\n')) {
    const m = /^\.(\S+) = (.*)$/.exec(line);
    if (!m?.[1]!.startsWith(`${ACTIVE_ENTRY}.`)) continue; // an empty table walks as one 'No Such Object' line
    const [col, ...index] = m[1]!.slice(ACTIVE_ENTRY.length + 1).split('.');
    const key = index.join('.');
    if (!rows.has(key)) rows.set(key, new Map());
    rows.get(key)!.set(Number(col), m[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return [...rows.values()];
}

/**
 * The REST list and the walked table, once they agree on how many alarms there are. The SNMP table leaves
 * out alarms of suppressed alarm ids (not notified either), which the REST API lists with `suppressed: true`.
 */
let last = '';
async function settled(count: number) {
  return waitFor(`${count} alarms in both the REST API and the SNMP table`, async () => {
    const [rest, rows] = [(await restAlarms()).filter((a) => !a.alarm.suppressed), await walkRows()];
    last = `REST ${rest.length}, SNMP ${rows.length}`;
    return rest.length === count && rows.length === count ? { rest, rows } : undefined;
  }, 20_000, 100).catch((err: Error) => { throw new Error(`${err.message} (last: ${last})`); });
}

function assertSame(rest: ActiveAlarm[], rows: Map<number, string>[]) {
  const byUuid = new Map(rows.map((r) => [r.get(2), r]));
  for (const { alarm: a } of rest) {
    const r = byUuid.get(a.uuid);
    assert.ok(r, `alarm ${a.uuid} (${a.alarm_id} ${a.entity_instance_id}) is in the SNMP table`);
    assert.equal(
      [r.get(3), r.get(4), r.get(6), r.get(7), r.get(8), r.get(9), r.get(10), r.get(11), r.get(12)],
      [a.alarm_id, a.entity_instance_id, String(SEVERITY_RANK[a.severity]), a.reason_text, String(ALARM_TYPES[a.alarm_type]),
        String(PROBABLE_CAUSES[a.probable_cause]), a.proposed_repair_action, a.service_affecting ? '1' : '2', a.suppression_allowed ? '1' : '2'],
      a.alarm_id,
    );
  }
}

test('the SNMP active table matches the REST API alarm list as faults raise, update and clear', async () => {
  feed.emit('faults', fault({ alarm_id: '700.105', entity_instance_id: `host=${host}.filesystem=/var`, severity: 'major', reason_text: '/var remounted read-only' }));
  feed.emit('faults', fault({ alarm_id: '700.110', entity_instance_id: `host=${host}.interface=eth1`, severity: 'major' }));
  feed.emit('faults', fault({ alarm_id: '700.140', severity: 'minor' }));
  let s = await settled(3);
  assertSame(s.rest, s.rows);

  await suppression('PUT', '700.140');
  s = await settled(2);
  assertSame(s.rest, s.rows);
  assert.ok((await restAlarms()).some((a) => a.alarm.alarm_id === '700.140' && a.alarm.suppressed));
  await suppression('DELETE', '700.140');
  s = await settled(3);
  assertSame(s.rest, s.rows);

  feed.emit('faults', fault({ op: 'clear', alarm_id: '700.110', entity_instance_id: `host=${host}.interface=eth1` }));
  s = await settled(2);
  assertSame(s.rest, s.rows);

  feed.emit('faults', fault({ op: 'clear_all', entity_instance_id: `host=${host}` }));
  s = await settled(0);
});

test.run();
