import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { FaultEventSchema, HeartbeatSchema, MetricBatchSchema, type FaultEvent, type Heartbeat, type MetricBatch } from '@faultline/schemas';
import { silentLogger, type CollectorContext } from '@faultline/runtime';
import {
  HostCollectorConfigSchema, createHostCollector, createHostFiles, createHostSampler, createMetaPolicy, type HostCollectorConfig,
} from '../src/index.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');

/** A fake host: procfs and sysfs as plain files, the root mount pointing at the tree itself so statfs works. */
function fakeHost() {
  const root = mkdtempSync(join(tmpdir(), 'faultline-host-'));
  const put = (rel: string, text: string) => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  put('proc/stat', fixture('proc-stat.txt'));
  put('proc/loadavg', '0.50 0.40 0.30 1/93 11929\n');
  put('proc/meminfo', fixture('meminfo.txt'));
  put('proc/vmstat', 'pgfault 100\noom_kill 0\n');
  put('proc/diskstats', fixture('diskstats.txt'));
  put('proc/net/dev', fixture('net-dev.txt'));
  put('proc/pressure/io', 'some avg10=0.00 avg60=0.00 avg300=0.00 total=2000000\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=1000000\n');
  put('proc/sys/kernel/random/boot_id', '677b154a-3f85-457e-8428-9638527e4858\n');
  put('proc/1/mountinfo', '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n');
  for (const [f, v] of Object.entries({ flags: '0x1003', carrier: '1', operstate: 'up', mtu: '1500', speed: '1000', carrier_changes: '2' })) put(`sys/class/net/eth0/${f}`, `${v}\n`);
  mkdirSync(join(root, 'sys/class/net/eth0/device'));
  put('sys/class/hwmon/hwmon0/name', 'coretemp\n');
  put('sys/class/hwmon/hwmon0/temp1_input', '45000\n');
  put('sys/class/hwmon/hwmon0/temp1_crit', '100000\n');
  put('sys/class/hwmon/hwmon0/temp1_label', 'Package id 0\n');
  put('sys/devices/system/edac/mc/mc0/ce_count', '3\n');
  put('sys/devices/system/edac/mc/mc0/ue_count', '0\n');
  put('sys/block/sda/device/ioerr_cnt', '0x0\n');
  return { root, put, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

function config(root: string, overrides: Record<string, unknown> = {}): HostCollectorConfig {
  return Value.Default(HostCollectorConfigSchema, {
    interval: '1s',
    paths: { proc: join(root, 'proc'), sys: join(root, 'sys'), rootfs: root },
    clock: { sync_marker: join(root, 'run/timesync/synchronized'), chrony: '' },
    heartbeat: { period: '20ms' },
    ...overrides,
  }) as HostCollectorConfig;
}

function capture() {
  const metrics: MetricBatch[] = [];
  const faults: FaultEvent[] = [];
  const heartbeats: Heartbeat[] = [];
  const ctx: CollectorContext = {
    id: 'collectors.host', node: 'compute-0', log: silentLogger, dataDir: tmpdir(),
    emit: (topic, value) => {
      if (topic === 'metrics') metrics.push(value as MetricBatch);
      else if (topic === 'faults') faults.push(value as FaultEvent);
      else if (topic === 'heartbeats') heartbeats.push(value as Heartbeat);
    },
  };
  return { ctx, metrics, faults, heartbeats };
}

async function until(what: string, cond: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const value = (b: MetricBatch, name: string, labels: Record<string, string> = {}) =>
  b.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

test('start() sends a schema-valid first batch at once, with meta and every group the fake host has', async () => {
  const host = fakeHost();
  const { ctx, metrics } = capture();
  const c = createHostCollector(ctx, config(host.root));
  try {
    await c.start();
    assert.is(metrics.length, 1);
    const b = metrics[0]!;
    assert.ok(Value.Check(MetricBatchSchema, b), JSON.stringify([...Value.Errors(MetricBatchSchema, b)][0]));
    assert.is(b.node, 'compute-0');
    assert.is(b.interval_ms, 1000);
    assert.is(value(b, 'node_cpu_seconds_total', { cpu: '1', mode: 'user' }), 76.46);
    assert.is(value(b, 'node_load15'), 0.3);
    assert.is(value(b, 'node_memory_MemAvailable_bytes'), 24330572 * 1024);
    assert.is(value(b, 'node_pressure_io_stalled_seconds_total'), 1);
    assert.is(value(b, 'node_disk_read_bytes_total', { device: 'vda' }), 3288274 * 512);
    assert.is(value(b, 'node_disk_io_errors_total', { device: 'sda' }), 0);
    assert.is(value(b, 'node_network_receive_bytes_total', { device: 'eth0' }), 361259111);
    assert.is(value(b, 'node_network_receive_bytes_total', { device: 'lo' }), undefined, 'lo is excluded by default');
    assert.is(value(b, 'node_network_speed_bytes', { device: 'eth0' }), 125_000_000);
    assert.is(value(b, 'node_hwmon_temp_celsius', { chip: 'coretemp', sensor: 'Package id 0' }), 45);
    assert.is(value(b, 'node_edac_correctable_errors_total', { controller: '0' }), 3);
    assert.ok((value(b, 'node_filesystem_size_bytes', { mountpoint: '/' }) ?? 0) > 0, 'statfs of the fake root');
    assert.is(value(b, 'node_timex_sync_status'), undefined, 'no time daemon directory: clock sync skipped quietly');
    for (const s of b.samples) assert.ok(b.meta?.[s.name], `meta for ${s.name}`);
    assert.equal(b.meta?.['node_cpu_seconds_total'], { type: 'counter', unit: 'seconds', help: 'Seconds each CPU spent in each mode.' });
  } finally {
    await c.stop();
    host.cleanup();
  }
});

test('a network filesystem is statfs-ed on the thread pool; one that is gone reads as a device error', async () => {
  const host = fakeHost();
  mkdirSync(join(host.root, 'mnt-nfs'));
  host.put('proc/1/mountinfo', [
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '40 27 0:50 / /mnt-nfs rw,relatime - nfs4 server:/export rw',
    '41 27 0:51 / /gone rw,relatime - nfs4 server:/gone rw',
  ].join('\n') + '\n');
  const { ctx, metrics } = capture();
  const c = createHostCollector(ctx, config(host.root, { heartbeat: { enabled: false }, filesystems: { exclude_mountpoints: '^/proc($|/)' } }));
  try {
    await c.start();
    const b = metrics[0]!;
    assert.ok((value(b, 'node_filesystem_size_bytes', { mountpoint: '/mnt-nfs', fstype: 'nfs4' }) ?? 0) > 0, 'statfs answered through the pool');
    assert.is(value(b, 'node_filesystem_device_error', { mountpoint: '/mnt-nfs' }), 0);
    assert.is(value(b, 'node_filesystem_device_error', { mountpoint: '/gone' }), 1);
    assert.is(value(b, 'node_filesystem_size_bytes', { mountpoint: '/gone' }), undefined);
  } finally {
    await c.stop();
    host.cleanup();
  }
});

test('heartbeats: the boot id, a sequence from 0 without gaps, the configured period', async () => {
  const host = fakeHost();
  const { ctx, heartbeats } = capture();
  const c = createHostCollector(ctx, config(host.root));
  try {
    await c.start();
    await until('5 heartbeats', () => heartbeats.length >= 5);
  } finally {
    await c.stop();
    host.cleanup();
  }
  const n = heartbeats.length;
  for (const h of heartbeats) assert.ok(Value.Check(HeartbeatSchema, h));
  assert.equal(heartbeats.map((h) => h.seq), [...Array(n).keys()]);
  assert.is(heartbeats[0]?.boot_id, '677b154a-3f85-457e-8428-9638527e4858');
  assert.is(heartbeats[0]?.period_ms, 20);
  await new Promise((r) => setTimeout(r, 60));
  assert.is(heartbeats.length, n, 'no heartbeat after stop()');
});

test('heartbeats and collection go on when the wall clock steps back an hour (collection is aligned to it)', async () => {
  const host = fakeHost();
  const { ctx, heartbeats, metrics } = capture();
  const c = createHostCollector(ctx, config(host.root));
  const realNow = Date.now;
  try {
    await c.start();
    await until('3 heartbeats', () => heartbeats.length >= 3);
    Date.now = () => realNow() - 3_600_000;
    const [beats, batches] = [heartbeats.length, metrics.length];
    // Counted in timer turns, not by the (stepped) clock: ~2.5 s of real time.
    for (let i = 0; i < 250 && (heartbeats.length < beats + 5 || metrics.length < batches + 1); i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(heartbeats.length >= beats + 5, `heartbeats after the step: ${heartbeats.length - beats}`);
    assert.ok(metrics.length >= batches + 1, 'a collection after the step');
  } finally {
    Date.now = realNow;
    await c.stop();
    host.cleanup();
  }
});

test('hardware faults end to end: healthy entities cleared at start; carrier loss, hot sensor, UE errors raised on change', async () => {
  const host = fakeHost();
  const { ctx, faults, metrics } = capture();
  const c = createHostCollector(ctx, config(host.root, { heartbeat: { enabled: false } }));
  try {
    await c.start();
    for (const f of faults) assert.ok(Value.Check(FaultEventSchema, f));
    assert.equal(faults.map((f) => `${f.op} ${f.alarm_id} ${f.entity_instance_id}`).sort(), [
      'clear 700.105 host=compute-0.filesystem=/',
      'clear 700.106 host=compute-0.disk=sda',
      'clear 700.110 host=compute-0.interface=eth0',
      'clear 700.120 host=compute-0.sensor=coretemp/Package id 0',
      'clear 700.130 host=compute-0.memory_controller=mc0',
    ]);
    faults.length = 0;
    host.put('sys/class/net/eth0/carrier', '0\n');
    host.put('sys/class/net/eth0/operstate', 'down\n');
    host.put('sys/class/hwmon/hwmon0/temp1_input', '101000\n');
    host.put('sys/devices/system/edac/mc/mc0/ue_count', '1\n');
    await until('three faults', () => faults.length >= 3);
    assert.equal(faults.map((f) => `${f.op} ${f.alarm_id} ${f.severity} ${f.entity_instance_id}`).sort(), [
      'set 700.110 major host=compute-0.interface=eth0',
      'set 700.120 critical host=compute-0.sensor=coretemp/Package id 0',
      'set 700.130 critical host=compute-0.memory_controller=mc0',
    ]);
    assert.is(value(metrics.at(-1)!, 'node_network_carrier', { device: 'eth0' }), 0);
  } finally {
    await c.stop();
    host.cleanup();
  }
});

/** Metric names in docs/host-collector.md, with `{a,b}` alternatives expanded. */
function documentedNames(): Set<string> {
  const doc = readFileSync(new URL('../../../docs/host-collector.md', import.meta.url), 'utf8');
  const names = new Set<string>();
  for (const [token] of doc.matchAll(/node_[A-Za-z0-9_]*(\{[a-z,]+\}[A-Za-z0-9_]*)?/g)) {
    const m = /^(.*)\{([a-z,]+)\}(.*)$/.exec(token);
    if (m) for (const alt of m[2]!.split(',')) names.add(m[1] + alt + m[3]);
    else names.add(token);
  }
  return names;
}

test('every metric the collector sends is documented in docs/host-collector.md', async () => {
  const documented = documentedNames();
  const host = fakeHost();
  const sent = new Set<string>();
  for (const cfg of [config(host.root), Value.Default(HostCollectorConfigSchema, {}) as HostCollectorConfig]) {
    const sampler = createHostSampler(cfg);
    for (let i = 0; i < 2; i++) for (const s of (await sampler.collect(Date.now())).buffer.samples) sent.add(s.name); // ratios need two
    sampler.close();
  }
  host.cleanup();
  const undocumented = [...sent].filter((n) => !documented.has(n) && !/^node_(memory|vmstat)_/.test(n));
  assert.equal(undocumented, []);
});

test('a group whose reader throws is reported and the other groups keep their samples', async () => {
  const host = fakeHost();
  const files = createHostFiles();
  const broken = { ...files, read: (path: string) => { if (path.endsWith('/loadavg')) throw new Error('EIO'); return files.read(path); } };
  const sampler = createHostSampler(config(host.root), broken);
  try {
    const c = await sampler.collect(Date.now());
    assert.equal(c.failed, [{ group: 'load', error: 'EIO' }]);
    assert.not.ok(c.buffer.samples.some((s) => s.name === 'node_load1'));
    assert.ok(c.buffer.samples.some((s) => s.name === 'node_memory_MemTotal_bytes'));
  } finally {
    sampler.close();
    host.cleanup();
  }
});

test('hwmon: two chips with one driver name are told apart by their hwmon directory; old drivers under device/', async () => {
  const host = fakeHost();
  for (const n of [1, 2]) {
    host.put(`sys/class/hwmon/hwmon${n}/name`, 'nvme\n');
    host.put(`sys/class/hwmon/hwmon${n}/temp1_input`, `${30 + n}000\n`);
  }
  host.put('sys/class/hwmon/hwmon3/device/name', 'w83627\n');
  host.put('sys/class/hwmon/hwmon3/device/in0_input', '1200\n');
  const sampler = createHostSampler(config(host.root, { groups: ['hwmon'] }));
  try {
    const c = await sampler.collect(Date.now());
    const temps = c.buffer.samples.filter((s) => s.name === 'node_hwmon_temp_celsius').map((s) => `${s.labels.chip}/${s.labels.sensor}=${s.value}`);
    assert.equal(temps.sort(), ['coretemp/Package id 0=45', 'nvme_hwmon1/temp1=31', 'nvme_hwmon2/temp1=32']);
    assert.ok(c.buffer.samples.some((s) => s.name === 'node_hwmon_in_volts' && s.labels.chip === 'w83627' && s.value === 1.2));
  } finally {
    sampler.close();
    host.cleanup();
  }
});

test('an interval below 1s, or periods that are not whole milliseconds, are refused with the field named', () => {
  const { ctx } = capture();
  assert.throws(() => createHostCollector(ctx, config('/nonexistent', { interval: '500ms' })), /collectors\.host\.interval must be whole milliseconds and at least 1s/);
  assert.throws(() => createHostCollector(ctx, config('/nonexistent', { heartbeat: { period: '0.5ms' } })), /collectors\.host\.heartbeat\.period/);
});

test('meta: in the first batch, when a new name appears, and every Nth batch', () => {
  const policy = createMetaPolicy(3);
  const defs = (...names: string[]) => new Map(names.map((name) => [name, { name, type: 'gauge' as const, unit: '', help: name }]));
  const due = [policy(defs('a')), policy(defs('a')), policy(defs('a', 'b')), policy(defs('a', 'b')), policy(defs('a', 'b'))].map((m) => m && Object.keys(m));
  assert.equal(due, [['a'], undefined, ['a', 'b'], ['a', 'b'], undefined]);
});

test.run();
