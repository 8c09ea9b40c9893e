// ClickHouse stopped under load and started again, with a real `faultline sink clickhouse` process
// consuming the faults topic, on a PRIVATE ClickHouse and a PRIVATE broker: the sink buffers and
// retries (back-pressure on the bus past max_buffer_rows), never exits, and once ClickHouse is back
// every fault is stored exactly once. FAULTLINE_CHAOS_OUTAGE (default 12s) sets the outage.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { toOutbound } from '@faultline/runtime';
import type { FaultEvent } from '@faultline/schemas';
import { privateService, waitFor } from '../support/index.js';
import { rows, testClient } from '../support/clickhouse.js';
import { PipelineProcess, chaosDuration, makeDir, printFigures, privateKafka } from '../support/chaos.js';

const OUTAGE_MS = chaosDuration('FAULTLINE_CHAOS_OUTAGE', '12s');
const ROUND_MS = 200, PER_ROUND = 50;
const BEFORE_MS = 4_000, AFTER_MS = 4_000;
const MAX_BUFFER_ROWS = 200_000;
const kafka = await privateKafka();
const clickhouse = await privateService('clickhouse');
await clickhouse.svc('start');
const url = `http://127.0.0.1:${clickhouse.ports.FAULTLINE_CLICKHOUSE_HTTP_PORT}`;
const dir = makeDir('ch');
const prefix = `h${randomBytes(3).toString('hex')}`;
const sink = new PipelineProcess('sink', dir, 'sink', 'clickhouse', [
  'node: chaos-ch', `data_dir: ${dir}/data`,
  'bus:', '  type: kafka', '  kafka:', `    brokers: [${kafka.brokers.join(', ')}]`, '    client_id: chaos-ch',
  'sinks:', '  clickhouse:', '    type: clickhouse', '    inputs: [faults]', `    url: ${url}`, '    database: chaos',
  '    flush_interval: 200ms', `    max_buffer_rows: ${MAX_BUFFER_ROWS}`, '    retry_backoff_max: 1s', '',
].join('\n'));
const client = testClient(url, 'default');

test.after(async () => {
  await sink.stop().catch(() => {});
  await client.close();
  await kafka.stop();
  await clickhouse.remove();
  if (!process.env.FAULTLINE_KEEP) rmSync(dir, { recursive: true, force: true });
});

const stored = async () => {
  const [r] = await rows<{ raw: number; final: number }>(client,
    `SELECT (SELECT count() FROM chaos.fault_events WHERE host LIKE '${prefix}-%') AS raw, (SELECT count() FROM chaos.fault_events FINAL WHERE host LIKE '${prefix}-%') AS final`);
  return r!;
};

test('ClickHouse down under load: the sink holds and retries, never exits; afterwards every fault is stored once', async () => {
  sink.start();
  await waitFor('the sink to create its tables', async () => ((await stored()).raw >= 0 ? true : undefined), 90_000, 500);
  const producer = kafka.bus.producer();
  const rounds = Math.ceil((BEFORE_MS + OUTAGE_MS + AFTER_MS) / ROUND_MS);
  let chDown = false;
  const outage = (async () => {
    await new Promise((r) => setTimeout(r, BEFORE_MS));
    await clickhouse.svc('stop');
    chDown = true;
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await clickhouse.svc('start');
    chDown = false;
  })();
  let sent = 0, sentDuringOutage = 0;
  const t0 = Date.now();
  for (let r = 0; r < rounds; r++) {
    const faults: FaultEvent[] = [];
    for (let i = 0; i < PER_ROUND; i++) {
      faults.push({ op: 'set', alarm_id: '700.110', entity_instance_id: `host=${prefix}-${i % 10}.interface=eth${r}-${i}`, ts: t0 + r * 1000 + i, severity: 'major' });
    }
    await producer.send(faults.map((f) => toOutbound('faults', f)));
    sent += faults.length;
    if (chDown) sentDuringOutage += faults.length;
    await new Promise((res) => setTimeout(res, ROUND_MS));
  }
  await outage;
  await producer.close();
  assert.ok(sentDuringOutage > 0, 'faults were sent while ClickHouse was down');
  const final = await waitFor(`${sent} faults stored`, async () => { const s = await stored(); return s.final >= sent ? s : undefined; }, 120_000, 500);
  await new Promise((r) => setTimeout(r, 1_500)); // a late duplicate insert would land by now
  const after = await stored();
  printFigures('clickhouse-outage', {
    sent, delivered: after.final, lost: Math.max(0, sent - after.final), duplicated: Math.max(0, after.final - sent), deadLettered: 0,
    crashes: sink.crashes, spoolBound: `sink buffer ${MAX_BUFFER_ROWS} rows, then back-pressure on the bus`,
  }, `outage ${OUTAGE_MS / 1000} s, faults sent during it ${sentDuringOutage}, rows before ReplacingMergeTree dedup ${after.raw} (retried inserts)`);
  assert.is(final.final, sent);
  assert.is(after.final, sent, 'every fault stored exactly once');
  assert.is(sink.crashes, 0, 'the sink never exited');
  assert.ok(sink.running);
});

test.run();
