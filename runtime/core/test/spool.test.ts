// The spool's bookkeeping (order, cursor across restarts, bound, 720.001) with the embedded bus as
// its destination and a switch that makes sends fail. The real broker outage is test/bus/spool.test.ts.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { FaultEvent } from '@faultline/schemas';
import {
  createEmbeddedBus, createSpool, createTelemetry, silentLogger, type Bus, type BusRecord, type OutboundRecord,
} from '../src/index.js';

/** A destination that refuses every send while `down` is set, like a producer whose broker is away. */
function destination(bus: Bus) {
  const link = { down: false };
  const make = () => {
    const p = bus.producer();
    return {
      send: async (r: readonly OutboundRecord[]) => { if (link.down) throw new Error('broker unreachable'); await p.send(r); },
      close: () => p.close(),
      abort: () => p.close(),
    };
  };
  return { link, make };
}

const read = async (bus: Bus, topic: string) => {
  const out: BusRecord[] = [];
  for await (const r of bus.readAll(topic)) out.push(r);
  return out;
};
const until = async (what: string, probe: () => Promise<boolean>) => {
  for (let i = 0; i < 200; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
};
const rec = (i: number, pad = 0): OutboundRecord => ({ topic: 't', key: `k${i % 3}`, value: Buffer.from(`${i}${'x'.repeat(pad)}`) });

test('records spooled while the destination is down are replayed in order, also by the next process', async () => {
  const bus = createEmbeddedBus();
  await bus.start();
  const { link, make } = destination(bus);
  const dir = mkdtempSync(join(tmpdir(), 'fl-spool-'));
  const telemetry = createTelemetry();
  const opts = { name: 'host', dir, node: 'edge-1', sendTimeoutMs: 200 };
  const first = createSpool(make, opts, { telemetry, log: silentLogger });
  await first.send([rec(0), rec(1)]);
  link.down = true;
  for (let i = 2; i < 50; i++) await first.send([rec(i)]);
  await first.close(); // the broker is still away: the backlog stays on disk
  assert.is((await read(bus, 't')).length, 2);

  link.down = false;
  const second = createSpool(make, opts, { telemetry, log: silentLogger });
  for (let i = 50; i < 60; i++) await second.send([rec(i)]);
  await until('60 records', async () => (await read(bus, 't')).length >= 60);
  await second.close();
  assert.equal((await read(bus, 't')).map((r) => Number(r.value!.toString())), Array.from({ length: 60 }, (_, i) => i));
  await bus.stop();
});

test('a send left unanswered past its deadline goes to disk, its producer is abandoned, and a fresh one replays it', async () => {
  const bus = createEmbeddedBus();
  await bus.start();
  const link = { hung: false };
  let made = 0;
  let aborted = 0;
  const make = () => {
    made++;
    const p = bus.producer();
    return {
      // Like a client waiting for a broker that went away: the send neither resolves nor fails.
      send: (r: readonly OutboundRecord[]) => (link.hung ? new Promise<void>(() => {}) : p.send(r)),
      close: () => p.close(),
      abort: async () => { aborted++; await p.close(); },
    };
  };
  const spool = createSpool(make, { name: 'host', dir: mkdtempSync(join(tmpdir(), 'fl-spool-')), node: 'edge-1', sendTimeoutMs: 100 }, { telemetry: createTelemetry(), log: silentLogger });
  await spool.send([rec(0)]);
  link.hung = true;
  await spool.send([rec(1)]); // resolves once the record is on disk, after the deadline
  assert.is(made, 2, 'a fresh producer took over');
  assert.is(aborted, 1, 'the unanswered one was abandoned');
  link.hung = false;
  await spool.send([rec(2)]);
  await until('3 records', async () => (await read(bus, 't')).length >= 3);
  await spool.close();
  assert.equal((await read(bus, 't')).map((r) => Number(r.value!.toString())), [0, 1, 2]);
  await bus.stop();
});

test('past the bound the oldest records are dropped and counted; 720.001 is set once the destination is back, then cleared', async () => {
  const bus = createEmbeddedBus();
  await bus.start();
  const { link, make } = destination(bus);
  const telemetry = createTelemetry();
  const spool = createSpool(make, {
    name: 'host', dir: mkdtempSync(join(tmpdir(), 'fl-spool-')), node: 'edge-1', maxBytes: 64 * 1024, clearAfterMs: 300, sendTimeoutMs: 200,
  }, { telemetry, log: silentLogger });
  link.down = true;
  for (let i = 0; i < 400; i++) await spool.send([rec(i, 500)]);
  const dropped = (await telemetry.spoolDropped.get()).values[0]!.value;
  assert.ok(dropped > 0 && dropped < 400, `${dropped} dropped`);
  link.down = false;
  await until('the clear', async () => (await read(bus, 'faults')).length >= 2);
  await spool.close();
  const kept = (await read(bus, 't')).map((r) => Number.parseInt(r.value!.toString(), 10));
  assert.is(kept.length + dropped, 400, 'every record arrived or was counted');
  assert.equal(kept, Array.from({ length: kept.length }, (_, i) => 400 - kept.length + i), 'the newest survive, in order');
  const faults = (await read(bus, 'faults')).map((r) => JSON.parse(r.value!.toString()) as FaultEvent);
  assert.equal(faults.map((f) => [f.op, f.alarm_id, f.entity_instance_id]), [
    ['set', '720.001', 'host=edge-1.collector=host'], ['clear', '720.001', 'host=edge-1.collector=host'],
  ]);
  assert.match(faults[0]!.reason_text!, new RegExp(`dropped ${dropped} records`));
  assert.is((await telemetry.spoolRecords.get()).values[0]!.value, 0);
  await bus.stop();
});

test.run();
