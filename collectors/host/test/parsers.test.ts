import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  busyRatio, chipSensors, clockState, interfaceState, meminfoMetricName, parseDiskstats, parseIoErrCount, parseLoadavg,
  parseMeminfo, parseMountinfo, parseNetDev, parseProcStat, parsePressure, parseVmstat, selectMounts, sensorReading, usageRatio,
  HostCollectorConfigSchema, chronyClockState, decodeChronyFloat, parseTrackingReply, trackingRequest,
} from '../src/index.js';
import { Value } from '@sinclair/typebox/value';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'latin1');
const defaults = Value.Default(HostCollectorConfigSchema, {}) as { filesystems: { exclude_mountpoints: string; exclude_fstypes: string }; disks: { exclude_devices: string } };

test('/proc/stat: per-CPU and summary times in seconds by mode, guest apart, and the system counters', () => {
  const s = parseProcStat(fixture('proc-stat.txt'));
  assert.is(s.cpus.length, 2);
  assert.equal(s.all?.modes, [141.19, 0.1, 53.38, 2297.03, 5.54, 0, 2.21, 3.26]);
  assert.is(s.cpus[1]?.cpu, '1');
  assert.is(s.cpus[1]?.guest, 0.2);
  assert.is(s.contextSwitches, 1060692);
  assert.is(s.bootTime, 1795597299);
  assert.is(s.forks, 11977);
  assert.is(s.interrupts, 512223);
  assert.is(s.procsRunning, 2);
  assert.is(s.procsBlocked, 1);
});

test('busy ratio counts everything but idle and iowait, and needs two readings', () => {
  const a = { cpu: 'all', modes: [10, 0, 10, 70, 10, 0, 0, 0], guest: 0, guestNice: 0 };
  const b = { cpu: 'all', modes: [40, 0, 20, 100, 20, 0, 0, 0], guest: 5, guestNice: 0 };
  assert.is(busyRatio(undefined, a), undefined);
  assert.is(busyRatio(a, b), 40 / 80);
  assert.is(busyRatio(a, a), undefined);
});

test('loadavg and pressure totals (microseconds to seconds)', () => {
  assert.equal(parseLoadavg('0.02 0.10 0.12 1/93 11929\n'), [0.02, 0.1, 0.12]);
  assert.is(parseLoadavg('garbage'), undefined);
  assert.equal(parsePressure(fixture('pressure-memory.txt')), { some: 1.5, full: 0.25 });
});

test('meminfo: kB become bytes, counts stay counts, names as node_exporter spells them', () => {
  const m = parseMeminfo(fixture('meminfo.txt'));
  assert.equal(m.get('MemAvailable'), { value: 24330572 * 1024, bytes: true });
  assert.equal(m.get('HugePages_Total'), { value: 4, bytes: false });
  assert.is(meminfoMetricName('Active(anon)', true), 'node_memory_Active_anon_bytes');
  assert.is(meminfoMetricName('HugePages_Total', false), 'node_memory_HugePages_Total');
  assert.equal(parseVmstat('nr_free_pages 5\npgpgin 10\npswpout 3\npgmajfault 7\noom_kill 1\n'), [['pgpgin', 10], ['pswpout', 3], ['pgmajfault', 7], ['oom_kill', 1]]);
});

test('mountinfo: octal escapes, optional fields, read-only from mount or superblock options', () => {
  const mounts = parseMountinfo(fixture('mountinfo.txt'));
  const data = mounts.find((m) => m.mountpoint === '/var/lib/data');
  assert.equal(data, { mountpoint: '/var/lib/data', device: '/dev/sdb1', fstype: 'xfs', readonly: false });
  const spaced = mounts.find((m) => m.device === '/dev/sdc1');
  assert.is(spaced?.mountpoint, '/srv/my files');
  assert.is(spaced?.readonly, true, 'superblock ro (errors=remount-ro fired) counts');
  assert.is(mounts.find((m) => m.mountpoint === '/mnt/iso')?.readonly, true);
});

test('pseudo filesystems and pseudo mount points are skipped; the visible mount of a stacked mount point wins', () => {
  const sel = selectMounts(parseMountinfo(fixture('mountinfo.txt')),
    new RegExp(defaults.filesystems.exclude_mountpoints), new RegExp(defaults.filesystems.exclude_fstypes));
  assert.equal(sel.map((m) => m.mountpoint), ['/', '/var/lib/data', '/srv/my files']);
  const stacked = selectMounts(parseMountinfo(fixture('mountinfo.txt')), /^\/(proc|sys|dev)/, /^$/).filter((m) => m.mountpoint === '/run');
  assert.equal(stacked.map((m) => m.device), ['tmpfs'], 'one /run, the later mount');
  assert.is(usageRatio({ blocks: 100, bfree: 20, bavail: 10 }), 80 / 90);
  assert.is(usageRatio({ blocks: 0, bfree: 0, bavail: 0 }), undefined);
});

test('diskstats: whole disks only (partitions and loop devices skipped), every column the kernel has', () => {
  const disks = parseDiskstats(fixture('diskstats.txt'), new RegExp(defaults.disks.exclude_devices));
  assert.equal(disks.map((d) => d.device), ['vda', 'sda', 'nvme0n1']);
  assert.is(disks[0]?.values.length, 17);
  assert.is(disks[1]?.values.length, 11, 'an old kernel has 11 columns');
  assert.is(parseIoErrCount('0x1f\n'), 31);
});

test('/proc/net/dev counters and /sys/class/net attributes', () => {
  const devs = parseNetDev(fixture('net-dev.txt'));
  assert.equal(devs.map((d) => d.device), ['lo', 'eth0']);
  assert.equal(devs[1]?.values, [361259111, 12205, 1, 2, 3, 4, 5, 6, 1227272, 8752, 7, 8, 9, 10, 11, 12]);
  const attrs: Record<string, string> = { flags: '0x1003\n', carrier: '0\n', speed: '10000\n', mtu: '1500\n', operstate: 'down\n' };
  assert.equal(interfaceState('eth0', (n) => attrs[n], true),
    { device: 'eth0', adminUp: true, carrier: false, operstate: 'down', physical: true, speedMbps: 10000, mtu: 1500 });
  const down = interfaceState('eth1', (n) => ({ flags: '0x1002', speed: '-1' } as Record<string, string>)[n], true);
  assert.is(down.adminUp, false);
  assert.is(down.carrier, undefined, 'carrier reads EINVAL while admin down: unknown, not lost');
  assert.is(down.speedMbps, undefined);
});

test('hwmon: attributes grouped into sensors, units converted, limits and labels picked up', () => {
  const sensors = chipSensors(['name', 'temp1_input', 'temp1_crit', 'temp1_label', 'temp10_input', 'temp2_max', 'in0_input', 'in0_lcrit', 'fan1_input', 'fan1_min', 'uevent']);
  assert.equal(sensors.map((s) => s.stem), ['fan1', 'in0', 'temp1', 'temp10'], 'temp2 has no input and is no reading');
  const temp1 = sensors.find((s) => s.stem === 'temp1')!;
  const raw: Record<string, string> = { input: '45500\n', crit: '100000\n' };
  const r = sensorReading('coretemp', temp1, 'Package id 0\n', (a) => raw[a]);
  assert.equal(r?.reading, { chip: 'coretemp', sensor: 'Package id 0', kind: 'temp', value: 45.5, crit: 100 });
  const fan = sensorReading('nct6775', sensors[0]!, undefined, (a) => ({ input: '0', min: '300' } as Record<string, string>)[a]);
  assert.equal(fan?.reading, { chip: 'nct6775', sensor: 'fan1', kind: 'fan', value: 0, lcrit: 300 });
  assert.is(sensorReading('x', temp1, undefined, () => undefined), undefined);
});

test('clock: no time daemon says nothing; no marker or a stale one is unsynchronised', () => {
  const now = 1_800_000_000_000;
  assert.is(clockState('/run/systemd/timesync/synchronized', false, undefined, now, 3_600_000), undefined);
  assert.equal(clockState('/m', true, undefined, now, 3_600_000), { synced: false, source: '/m' });
  assert.equal(clockState('/m', true, now - 60_000, now, 3_600_000), { synced: true, source: '/m', lastSyncAgeSeconds: 60 });
  assert.is(clockState('/m', true, now - 7_200_000, now, 3_600_000)?.synced, false);
});

const hexFixture = (name: string) => Buffer.from(fixture(name).trim(), 'hex');

test('chrony: the tracking request is 104 bytes (padded to the reply), version 6, command 33, our sequence', () => {
  const r = trackingRequest(0x01020304);
  assert.is(r.length, 104);
  assert.equal([...r.subarray(0, 12)], [6, 1, 0, 0, 0, 33, 0, 0, 1, 2, 3, 4]);
});

test('chrony: replies captured from a real chronyd 4.3, synchronised (local stratum 10) and not', () => {
  const synced = parseTrackingReply(hexFixture('chrony-tracking-synced.hex'), 7);
  assert.is(synced?.stratum, 10);
  assert.is(synced?.leapStatus, 0);
  assert.is(synced?.refId, 0x7f7f0101);
  assert.is(Math.floor(synced!.refTimeSeconds), 1795600208);
  assert.equal(chronyClockState(synced!, 1795600218_000), { synced: true, source: 'chronyd', lastSyncAgeSeconds: 10 - (synced!.refTimeSeconds - 1795600208) });
  const unsynced = parseTrackingReply(hexFixture('chrony-tracking-unsynced.hex'), 7);
  assert.is(unsynced?.leapStatus, 3);
  assert.equal(chronyClockState(unsynced!, 1795600218_000), { synced: false, source: 'chronyd' });
  assert.is(parseTrackingReply(hexFixture('chrony-tracking-synced.hex'), 8), undefined, 'another sequence: not our answer');
  assert.is(parseTrackingReply(hexFixture('chrony-tracking-synced.hex').subarray(0, 60), 7), undefined);
});

test('chrony floats: 7-bit exponent, 25-bit signed coefficient', () => {
  assert.is(decodeChronyFloat(0), 0);
  assert.is(decodeChronyFloat((1 << 25) | 1), 2 ** -24, 'coef 1, exp 1');
  assert.is(decodeChronyFloat(0x1ffffff), -(2 ** -25), 'coef -1, exp 0');
  assert.is(decodeChronyFloat(0x04800000), 0x800000 * 2 ** (2 - 25), 'exp 2, coef 2^23: 1.0, the root delay of an unsynchronised chronyd');
});

test.run();
