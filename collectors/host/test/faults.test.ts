import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  detectFaults, initialFaultState, judgeRising, transitions, type FaultOptions, type FaultSource, type Observations,
} from '../src/index.js';
import { FaultEventSchema } from '@faultline/schemas';
import { Value } from '@sinclair/typebox/value';

const opts: FaultOptions = { carrierInterfaces: 'physical', mustBeReadWrite: [], risingQuietMs: 60_000, sensorHysteresis: 0.02 };
const src: FaultSource = { node: 'compute-0', source: 'collector/host@compute-0' };

/** Feeds observations interval by interval; returns the (op alarm_id entity) of each interval's events. */
function run(steps: Observations[], o: FaultOptions = opts, every = 10_000) {
  let state = initialFaultState();
  return steps.map((obs, i) => {
    const r = detectFaults(state, obs, 1_000_000 + i * every, o, src);
    state = r.state;
    for (const e of r.events) assert.ok(Value.Check(FaultEventSchema, e), `schema-valid: ${JSON.stringify(e)}`);
    return r.events.map((e) => `${e.op} ${e.alarm_id} ${e.entity_instance_id}`);
  });
}

const nic = (carrier: boolean | undefined, adminUp = true, physical = true) => ({ interfaces: [{ device: 'eth0', adminUp, carrier, operstate: carrier ? 'up' : 'down', physical }] });

test('tracker: speaks on change only; first sight of a healthy entity clears; a vanished raised entity clears', () => {
  const a = transitions(new Map(), [{ entity: 'x=1', verdict: 'ok' }, { entity: 'x=2', verdict: 'bad', reason: 'r' }, { entity: 'x=3', verdict: 'undecided' }]);
  assert.equal(a.out, [{ op: 'clear', entity: 'x=1' }, { op: 'set', entity: 'x=2', reason: 'r' }]);
  const b = transitions(a.said, [{ entity: 'x=1', verdict: 'ok' }, { entity: 'x=2', verdict: 'bad' }]);
  assert.equal(b.out, []);
  const c = transitions(b.said, [{ entity: 'x=1', verdict: 'ok' }]);
  assert.equal(c.out, [{ op: 'clear', entity: 'x=2' }]);
});

test('700.110 carrier lost on a physical admin-up interface; restored clears; admin down clears', () => {
  const out = run([nic(true), nic(false), nic(false), nic(true), nic(false), nic(undefined, false)]);
  assert.equal(out, [
    ['clear 700.110 host=compute-0.interface=eth0'],
    ['set 700.110 host=compute-0.interface=eth0'],
    [],
    ['clear 700.110 host=compute-0.interface=eth0'],
    ['set 700.110 host=compute-0.interface=eth0'],
    ['clear 700.110 host=compute-0.interface=eth0'],
  ]);
  assert.equal(run([nic(false, true, false)]), [[]], 'a virtual interface does not alarm by default');
  assert.equal(run([nic(false, true, false)], { ...opts, carrierInterfaces: 'all' }), [['set 700.110 host=compute-0.interface=eth0']]);
});

test('700.110 set carries the catalog fields a correlator needs', () => {
  let state = initialFaultState();
  state = detectFaults(state, nic(true), 1, opts, src).state;
  const [e] = detectFaults(state, nic(false), 2, opts, src).events;
  assert.is(e?.severity, 'major');
  assert.is(e?.alarm_type, 'communication');
  assert.is(e?.probable_cause, 'loss-of-signal');
  assert.is(e?.entity_type_id, 'host.interface');
  assert.match(e?.reason_text ?? '', /eth0/);
});

const fs = (readonly: boolean, mountpoint = '/var') => ({ filesystems: [{ mountpoint, device: '/dev/sda1', fstype: 'ext4', readonly }] });

test('700.105 only for a remount: read-only after read-write raises; read-write again clears; unmounted clears', () => {
  assert.equal(run([fs(false), fs(true), fs(true), fs(false), fs(true), { filesystems: [] }]), [
    ['clear 700.105 host=compute-0.filesystem=/var'],
    ['set 700.105 host=compute-0.filesystem=/var'],
    [],
    ['clear 700.105 host=compute-0.filesystem=/var'],
    ['set 700.105 host=compute-0.filesystem=/var'],
    ['clear 700.105 host=compute-0.filesystem=/var'],
  ]);
  assert.equal(run([fs(true, '/mnt/iso'), fs(true, '/mnt/iso')]), [[], []], 'mounted read-only on purpose: says nothing');
  assert.equal(run([fs(true, '/')], { ...opts, mustBeReadWrite: ['/'] }), [['set 700.105 host=compute-0.filesystem=/']]);
});

const sensor = (value: number) => ({ sensors: [{ chip: 'coretemp', sensor: 'Core 0', kind: 'temp' as const, value, crit: 100 }] });

test('700.120 beyond the critical limit, cleared only back inside by the hysteresis margin', () => {
  assert.equal(run([sensor(50), sensor(100), sensor(99), sensor(97.9), sensor(99)]), [
    ['clear 700.120 host=compute-0.sensor=coretemp/Core 0'],
    ['set 700.120 host=compute-0.sensor=coretemp/Core 0'],
    [],
    ['clear 700.120 host=compute-0.sensor=coretemp/Core 0'],
    [],
  ]);
  const fan = { sensors: [{ chip: 'nct', sensor: 'fan1', kind: 'fan' as const, value: 0, lcrit: 300 }] };
  let state = initialFaultState();
  const [e] = detectFaults(state, fan, 1, opts, src).events;
  assert.is(e?.probable_cause, 'heating-ventilation-cooling-system-problem');
  state = detectFaults(state, { sensors: [{ chip: 'x', sensor: 'y', kind: 'temp', value: 20 }] }, 1, opts, src).state;
  assert.equal(state.said.sensorCritical.size, 0, 'a sensor without limits is not judged');
});

test('rising counters: zero at start is ok; a rise is bad until quiet; non-zero at start is undecided until it rises or stays quiet', () => {
  const q = 60_000;
  let r = judgeRising(undefined, 0, 0, q);
  assert.is(r.verdict, 'ok');
  r = judgeRising(r.state, 2, 10_000, q);
  assert.is(r.verdict, 'bad');
  r = judgeRising(r.state, 2, 69_999, q);
  assert.is(r.verdict, 'bad');
  r = judgeRising(r.state, 2, 70_000, q);
  assert.is(r.verdict, 'ok');
  let u = judgeRising(undefined, 5, 0, q);
  assert.is(u.verdict, 'undecided');
  u = judgeRising(u.state, 5, 30_000, q);
  assert.is(u.verdict, 'undecided');
  assert.is(judgeRising(u.state, 6, 30_000, q).verdict, 'bad');
  assert.is(judgeRising(u.state, 5, 60_000, q).verdict, 'ok');
  assert.is(judgeRising(u.state, 1, 40_000, q).verdict, 'undecided', 'a reset counter is a new baseline, not a rise');
});

test('700.130 uncorrectable memory errors rising, and 700.106 disk I/O errors rising, clear after the quiet period', () => {
  const mc = (ue: number) => ({ memoryControllers: [{ controller: 'mc0', uncorrectable: ue }] });
  // quiet period 60 s, one interval every 10 s
  assert.equal(run([mc(0), mc(1), mc(1), mc(1), mc(1), mc(1), mc(1), mc(1)]), [
    ['clear 700.130 host=compute-0.memory_controller=mc0'],
    ['set 700.130 host=compute-0.memory_controller=mc0'],
    [], [], [], [], [],
    ['clear 700.130 host=compute-0.memory_controller=mc0'],
  ]);
  const disk = (n: number) => ({ disks: [{ device: 'sda', ioErrors: n }] });
  assert.equal(run([disk(3), disk(4)]), [[], ['set 700.106 host=compute-0.disk=sda']]);
});

test('700.140 clock unsynchronised raises on the host entity and clears when synchronised', () => {
  const clock = (synced: boolean) => ({ clock: { synced, source: '/run/systemd/timesync/synchronized' } });
  assert.equal(run([clock(false), clock(false), clock(true)]), [['set 700.140 host=compute-0'], [], ['clear 700.140 host=compute-0']]);
});

test('a group not observed this interval keeps its state and says nothing', () => {
  assert.equal(run([nic(false), {}, nic(false)]), [['set 700.110 host=compute-0.interface=eth0'], [], []]);
});

test.run();
