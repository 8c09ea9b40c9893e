import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { silentLogger, type Envelope } from '@faultline/runtime';
import { CorrelatorConfigSchema, createCorrelator } from '@faultline/processor-correlator';
import type { FaultEvent } from '@faultline/schemas';
import { buildProgram } from '../src/program.js';

const TOKEN = 'cli-test-token-0123456789';
const faults: FaultEvent[] = [];
const c = createCorrelator(
  { id: 'correlator', node: 't', log: silentLogger, dataDir: mkdtempSync(join(tmpdir(), 'fl-cli-')), emit: (topic, v) => { if (topic === 'faults') faults.push(v as FaultEvent); } },
  Value.Parse(CorrelatorConfigSchema, { api: { enabled: true, listen: '127.0.0.1:0', tokens: [TOKEN] } }),
);
await c.start();
const env = (f: FaultEvent): Envelope => ({ topic: 'faults', key: null, value: f, partition: 0, offset: '0', timestamp: f.ts });
const now = Date.now();
await c.handle([
  env({ op: 'set', alarm_id: '700.110', entity_instance_id: 'host=c0.interface=eth0', ts: now, reason_text: 'carrier lost' }),
  env({ op: 'set', alarm_id: '700.120', entity_instance_id: 'host=c1.sensor=k10temp/Tctl', ts: now }),
], () => {});

async function rejects(fn: () => Promise<unknown>, re: RegExp) {
  try {
    await fn();
  } catch (err) {
    assert.match((err as Error).message, re);
    return;
  }
  assert.unreachable('expected a rejection');
}

/** Runs `faultline <args>` in this process and returns what it printed. */
async function cli(...args: string[]): Promise<string> {
  let out = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string) => { out += chunk; return true; }) as typeof process.stdout.write;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'faultline', ...args, '--url', c.apiUrl!, '--token', TOKEN]);
  } finally {
    process.stdout.write = write;
  }
  return out;
}

test('alarm list prints a table worst first; --json gives the page; filters reach the API', async () => {
  const table = await cli('alarm', 'list');
  const lines = table.trim().split('\n');
  assert.match(lines[0]!, /^UUID\s+ALARM\s+SEVERITY\s+ENTITY\s+RAISED\s+FLAGS\s+REASON$/);
  assert.match(lines[1]!, /700\.120\s+critical\s+host=c1\.sensor=k10temp\/Tctl/);
  assert.match(lines[2]!, /700\.110\s+major\s+host=c0\.interface=eth0 .* carrier lost$/);
  assert.is(lines[3], '2 alarm(s)');
  const page = JSON.parse(await cli('alarm', 'list', '--entity', 'host=c0', '--json'));
  assert.equal(page.items.map((a: any) => a.alarm.alarm_id), ['700.110']);
});

test('alarm show by uuid prefix, summary, and clear through the faults topic', async () => {
  const uuid = JSON.parse(await cli('alarm', 'list', '--severity', 'major', '--json')).items[0].alarm.uuid as string;
  const shown = await cli('alarm', 'show', uuid.slice(-12));
  assert.match(shown, new RegExp(`uuid\\s+${uuid}`));
  assert.match(await cli('alarm', 'summary'), /^status: critical {2}\(2 active, 2 notifiable\)/);
  assert.match(await cli('alarm', 'clear', uuid.slice(-12)), /clear of 700\.110 at host=c0\.interface=eth0 accepted/);
  assert.equal([faults.at(-1)!.op, faults.at(-1)!.alarm_id, faults.at(-1)!.entity_instance_id, faults.at(-1)!.source], ['clear', '700.110', 'host=c0.interface=eth0', 'cli']);
});

test('fault set/clear-all/log, with local validation naming the field', async () => {
  assert.match(await cli('fault', 'set', '700.105', 'host=c2.filesystem=/var', '--severity', 'major', '--reason', 'ro'), /set accepted/);
  assert.equal([faults.at(-1)!.op, faults.at(-1)!.severity, faults.at(-1)!.reason_text], ['set', 'major', 'ro']);
  await cli('fault', 'clear-all', 'host=c2');
  assert.equal([faults.at(-1)!.op, faults.at(-1)!.alarm_id], ['clear_all', undefined]);
  await cli('fault', 'log', '710.002', 'host=c2', '--reason', 'rebooted');
  assert.is(faults.at(-1)!.op, 'log');
  await rejects(() => cli('fault', 'set', '7.1', 'host=c2'), /alarm_id/);
});

test('silence add, list and expire; event list', async () => {
  const id = /silence (\S+) until/.exec(await cli('silence', 'add', 'host=c1', '--duration', '1h', '--comment', 'swap fan'))![1]!;
  assert.match(await cli('silence', 'list'), new RegExp(`${id}\\s+active .* host=c1\\s+swap fan`));
  assert.match(await cli('alarm', 'list', '--state', 'silenced'), /700\.120 .* silenced/);
  assert.match(await cli('silence', 'expire', id), new RegExp(`silence ${id} expired`));
  const events = await cli('event', 'list', '--since', '1h', '--type', 'alarm');
  assert.match(events, /raised\s+700\.110\s+major\s+host=c0\.interface=eth0\s+carrier lost/);
});

test('a wrong token says how to give one', async () => {
  const write = process.stdout.write;
  await rejects(() => buildProgram().exitOverride().parseAsync(['node', 'faultline', 'alarm', 'list', '--url', c.apiUrl!, '--token', 'nope-nope-nope-nope']), /401 .*FAULTLINE_API_TOKEN/);
  process.stdout.write = write;
});

test.after(() => c.stop());
test.run();
