// The audit trail end to end: alarm transitions → remediator → remediations topic → the ClickHouse sink →
// the real ClickHouse server, on the real pipeline (embedded bus); the same decisions are in the ledger.
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Value } from '@sinclair/typebox/value';
import { BusConfigSchema, createEmbeddedBus, silentLogger, startPipeline, type PipelineConfig } from '@faultline/runtime';
import { foldLedger, readLedger, remediatorProcessor } from '@faultline/processor-remediator';
import { clickhouseSink } from '@faultline/sink-clickhouse';
import { SERVICES, ensureServices, waitFor } from '../support/index.js';
import { rows, sinkConfig, testClient, testDatabase } from '../support/clickhouse.js';
import { createFeed } from '../support/feed.js';
import { alarm, remediatorConfig, tempDir, transition } from '../support/remediation.js';

test('every decision of a plan reaches ClickHouse and the ledger', async () => {
  await ensureServices('clickhouse');
  const database = testDatabase('remediation');
  const client = testClient(SERVICES.clickhouse.url);
  const dataDir = tempDir();
  const feed = createFeed();
  const config: PipelineConfig = {
    file: 'inline', node: 'test-0', dataDir,
    bus: Value.Default(BusConfigSchema, { type: 'embedded' }) as PipelineConfig['bus'],
    components: [
      { kind: 'collector', id: 'collectors.feed', name: 'feed', factory: feed.factory, config: {} },
      { kind: 'processor', id: 'processors.remediator', name: 'remediator', factory: remediatorProcessor, config: remediatorConfig({
        rules: [{ name: 'ntp', match: { alarm_id: ['700.140'] }, steps: [{ action: { type: 'command', argv: ['/bin/echo', 'resynced'] }, verify_within: '10m' }] }],
      }) },
      { kind: 'sink', id: 'sinks.ch', name: 'ch', factory: clickhouseSink, config: sinkConfig({ url: SERVICES.clickhouse.url, database, inputs: ['remediations'], flush_interval: '100ms' }) },
    ],
  };
  const pipeline = await startPipeline(config, createEmbeddedBus(), silentLogger);
  try {
    const a = alarm();
    const raised = transition('raised', a, 1);
    feed.emit('alarms', raised);
    const ledgerDir = join(dataDir, 'processors.remediator');
    await waitFor('the action executed', () => (foldLedger(readLedger(ledgerDir)).results.some((r) => r.outcome === 'executed') ? true : undefined), 20_000, 50);
    feed.emit('alarms', transition('cleared', a, 2));
    type Row = { outcome: string; rule: string; step: number; target: string; output: string; transition_uuid: string };
    const stored = await waitFor('three rows in ClickHouse', async () => {
      const got = await rows<Row>(client, `SELECT outcome, rule, step, target, output, transition_uuid FROM ${database}.remediation_results ORDER BY at_ms`);
      return got.length >= 3 ? got : undefined;
    }, 30_000, 200);
    assert.equal(stored.map((r) => r.outcome), ['matched', 'executed', 'verified']);
    assert.ok(stored.every((r) => r.transition_uuid === raised.uuid && r.rule === 'ntp' && r.target === 'compute-0'));
    assert.is(stored[1]!.output, 'resynced\n');
    assert.equal(foldLedger(readLedger(ledgerDir)).results.map((r) => r.outcome), ['matched', 'executed', 'verified']);
  } finally {
    await pipeline.stop();
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await client.close();
  }
});

test.run();
