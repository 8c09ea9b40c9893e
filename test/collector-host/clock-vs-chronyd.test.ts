// The clock group against two real chronyd (Debian chrony 4.3) started privately on loopback command ports:
// one synchronised to its local reference (`local stratum 10`), one with no source at all. Each runs with -x,
// so neither touches the system clock. Our reading must match `chronyc tracking`, and 700.140 must follow.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import type { FaultEvent, MetricBatch } from '@faultline/schemas';
import { silentLogger } from '@faultline/runtime';
import { HostCollectorConfigSchema, createHostCollector, type HostCollectorConfig } from '@faultline/collector-host';
import { waitFor } from '../support/index.js';

const run = promisify(execFile);
const PORT_SYNCED = Number(process.env.FAULTLINE_TEST_CHRONY_PORT ?? 19323);
const PORT_UNSYNCED = PORT_SYNCED + 1;
const dir = mkdtempSync(join(tmpdir(), 'faultline-chrony-'));
const daemons: ChildProcess[] = [];

function startChronyd(name: string, port: number, extra: string[]): ChildProcess {
  const conf = join(dir, `${name}.conf`);
  writeFileSync(conf, [`cmdport ${port}`, 'bindcmdaddress 127.0.0.1', `pidfile ${join(dir, `${name}.pid`)}`, 'port 0', ...extra, ''].join('\n'));
  const child = spawn('chronyd', ['-d', '-x', '-u', 'root', '-f', conf], { stdio: 'ignore' });
  daemons.push(child);
  return child;
}

const tracking = async (port: number) => (await run('chronyc', ['-h', '127.0.0.1', '-p', String(port), 'tracking'])).stdout;

async function collectOnce(port: number) {
  const metrics: MetricBatch[] = [];
  const faults: FaultEvent[] = [];
  const config = Value.Default(HostCollectorConfigSchema, {
    groups: ['clock'], heartbeat: { enabled: false }, clock: { chrony: `127.0.0.1:${port}`, chrony_timeout: '1s', sync_marker: join(dir, 'no-timesyncd/synchronized') },
  }) as HostCollectorConfig;
  const c = createHostCollector({
    id: 'collectors.host', node: 'compute-0', log: silentLogger, dataDir: dir,
    emit: (topic, value) => { if (topic === 'metrics') metrics.push(value as MetricBatch); else if (topic === 'faults') faults.push(value as FaultEvent); },
  }, config);
  await c.start();
  await c.stop();
  const value = (name: string) => metrics[0]!.samples.find((s) => s.name === name)?.value;
  return { value, faults };
}

test.before(async () => {
  await run('chronyd', ['--version']).catch(() => { throw new Error('chronyd is not installed: apt-get install -y --no-install-recommends chrony'); });
  startChronyd('synced', PORT_SYNCED, ['local stratum 10']);
  startChronyd('unsynced', PORT_UNSYNCED, []);
  await waitFor('chronyd synchronised to its local reference', async () => ((await tracking(PORT_SYNCED)).includes('Leap status     : Normal') ? true : undefined), 15_000);
  await waitFor('the second chronyd', async () => ((await tracking(PORT_UNSYNCED)).includes('Not synchronised') ? true : undefined), 15_000);
});

test.after(() => {
  for (const d of daemons) d.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('a synchronised chronyd: sync status 1, the stratum chronyc shows, and 700.140 cleared', async () => {
  const { value, faults } = await collectOnce(PORT_SYNCED);
  const stratum = Number(/Stratum\s+: (\d+)/.exec(await tracking(PORT_SYNCED))?.[1]);
  assert.is(value('node_timex_sync_status'), 1);
  assert.is(value('node_time_stratum'), stratum);
  assert.ok((value('node_time_last_sync_age_seconds') ?? -1) >= 0);
  assert.equal(faults.map((f) => `${f.op} ${f.alarm_id} ${f.entity_instance_id}`), ['clear 700.140 host=compute-0']);
});

test('an unsynchronised chronyd: sync status 0 and 700.140 raised, minor, on the host', async () => {
  const { value, faults } = await collectOnce(PORT_UNSYNCED);
  assert.is(value('node_timex_sync_status'), 0);
  assert.equal(faults.map((f) => `${f.op} ${f.alarm_id} ${f.severity} ${f.entity_instance_id}`), ['set 700.140 minor host=compute-0']);
  assert.match(faults[0]!.reason_text ?? '', /chronyd/);
});

test('no chronyd on the port and no timesyncd marker: the clock says nothing beyond the time', async () => {
  const { value, faults } = await collectOnce(PORT_UNSYNCED + 1);
  assert.is(value('node_timex_sync_status'), undefined);
  assert.ok((value('node_time_seconds') ?? 0) > 1.7e9);
  assert.equal(faults, []);
});

test.run();
