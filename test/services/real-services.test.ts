// The foundation's proof that each service the tests lean on is the real thing, answering on loopback:
// a record through the Kafka broker, a row through ClickHouse, an endpoint scraped by Prometheus,
// and a v2c and a v3 authPriv trap logged by snmptrapd.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from '@clickhouse/client';
import { createKafkaBus, kafkaConfigOf, silentLogger, type BusRecord } from '@faultline/runtime';
import { DEV_DIR, SERVICES, ensureServices, waitFor } from '../support/index.js';

const run = promisify(execFile);
const marker = randomUUID().slice(0, 8);

test.before(async () => {
  await ensureServices('kafka', 'clickhouse', 'prometheus', 'snmptrapd');
});

test('Kafka: a record produced to the broker is consumed back by a consumer group', async () => {
  const config = kafkaConfigOf({ type: 'kafka', kafka: { brokers: [...SERVICES.kafka.brokers], client_id: `services-${marker}` } as never });
  const bus = createKafkaBus(config, { log: silentLogger });
  const topic = `services-check-${marker}`;
  await bus.start();
  try {
    await bus.ensureTopics([{ name: topic, partitions: 1 }]);
    await bus.producer().send([{ topic, key: 'k', value: Buffer.from(`hello ${marker}`) }]);
    let got: BusRecord | undefined;
    const sub = await bus.subscribe({
      group: `services-${marker}`, topics: [topic], from: 'earliest',
      onBatch: async (records) => { got ??= records[0]; },
    });
    const record = await waitFor('the record to come back', () => got, 60_000);
    await sub.stop();
    assert.is(record.value?.toString(), `hello ${marker}`);
    assert.is(record.key, 'k');
  } finally {
    await bus.stop();
  }
});

test('ClickHouse: a row inserted is selected back', async () => {
  const ch = createClient({ url: SERVICES.clickhouse.url, log: { level: 127 as never } });
  try {
    const table = `default.services_check_${marker}`;
    await ch.command({ query: `CREATE TABLE ${table} (id String, n UInt32) ENGINE = MergeTree ORDER BY id` });
    await ch.insert({ table, values: [{ id: marker, n: 42 }], format: 'JSONEachRow' });
    const rows = await (await ch.query({ query: `SELECT id, n FROM ${table}`, format: 'JSONEachRow' })).json<{ id: string; n: number }>();
    assert.equal(rows, [{ id: marker, n: 42 }]);
    await ch.command({ query: `DROP TABLE ${table}` });
  } finally {
    await ch.close();
  }
});

test('Prometheus: a tiny endpoint is scraped and its sample is visible through the query API', async () => {
  const server = createServer((_, res) => {
    res.setHeader('content-type', 'text/plain; version=0.0.4');
    res.end(`# TYPE faultline_services_check gauge\nfaultline_services_check{marker="${marker}"} 7\n`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const targets = resolve(DEV_DIR, `prometheus/targets/services-${marker}.json`);
  await writeFile(targets, JSON.stringify([{ targets: [`127.0.0.1:${port}`], labels: { job: 'services-check' } }]));
  try {
    const query = encodeURIComponent(`faultline_services_check{marker="${marker}"}`);
    const value = await waitFor('Prometheus to scrape the endpoint', async () => {
      const body = await (await fetch(`${SERVICES.prometheus.url}/api/v1/query?query=${query}`)).json() as any;
      return body.data?.result?.[0]?.value?.[1] as string | undefined;
    }, 30_000, 500);
    assert.is(value, '7');
  } finally {
    await rm(targets, { force: true });
    server.close();
  }
});

test('snmptrapd: a v2c trap and a v3 authPriv trap are logged; a v3 trap with a wrong key is not', async () => {
  const env = { ...process.env, MIBS: '', MIBDIRS: '/nonexistent' };
  const dest = `udp:${SERVICES.snmptrapd.host}:${SERVICES.snmptrapd.port}`;
  const oid = (n: number) => `.1.3.6.1.4.1.32473.99.${n}`;
  const trap = (args: string[], n: number, text: string) =>
    run('snmptrap', [...args, dest, '', oid(n), `${oid(n)}.1`, 's', text], { env });
  await trap(['-v', '2c', '-c', 'faultline'], 1, `v2c-${marker}`);
  const v3 = ['-v', '3', '-e', process.env.FAULTLINE_SNMP_CLI_ENGINE_ID ?? '0x80001f8804666c2d636c69', '-u', 'faultline-v3', '-l', 'authPriv', '-a', 'SHA', '-x', 'AES'];
  await trap([...v3, '-A', 'faultline-auth', '-X', 'faultline-priv'], 2, `v3-${marker}`);
  await trap([...v3, '-A', 'wrong-auth-key', '-X', 'faultline-priv'], 3, `v3bad-${marker}`);
  const log = await waitFor('both traps in the log', async () => {
    const text = await readFile(SERVICES.snmptrapd.log, 'utf8');
    return text.includes(`v2c-${marker}`) && text.includes(`v3-${marker}`) ? text : undefined;
  }, 15_000);
  await new Promise((r) => setTimeout(r, 1000)); // the refused trap would have arrived by now
  assert.not.ok((await readFile(SERVICES.snmptrapd.log, 'utf8')).includes(`v3bad-${marker}`), 'a wrong v3 key must be refused');
  assert.ok(log.includes(oid(2)));
});

test.run();
