// Runs a remediator as a process of its own on the embedded bus, the way `faultline run` would:
// transitions arrive as JSON lines on stdin and are produced to `alarms`; every RemediationResult that
// reaches `remediations` is printed as a JSON line on stdout, after a first line `READY`.
// Usage: node --conditions=@faultline/source --import tsx test/support/remediator-process.ts <config.json> <data_dir>
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import {
  BusConfigSchema, createEmbeddedBus, decodeBatch, silentLogger, startPipeline, toOutbound, type PipelineConfig,
} from '@faultline/runtime';
import { remediatorProcessor } from '@faultline/processor-remediator';
import type { AlarmTransition } from '@faultline/schemas';
import { remediatorConfig } from './remediation.js';

const [configFile, dataDir] = process.argv.slice(2) as [string, string];
const config: PipelineConfig = {
  file: configFile, node: 'test-node', dataDir,
  bus: Value.Default(BusConfigSchema, { type: 'embedded' }) as PipelineConfig['bus'],
  components: [{ kind: 'processor', id: 'processors.remediator', name: 'remediator', factory: remediatorProcessor, config: remediatorConfig(JSON.parse(readFileSync(configFile, 'utf8'))) }],
};
const bus = createEmbeddedBus();
const pipeline = await startPipeline(config, bus, silentLogger);
const tap = await bus.subscribe({
  group: 'test-tap', topics: ['remediations'],
  onBatch: async (records) => {
    for (const e of decodeBatch(records, 'test-tap').envelopes) process.stdout.write(JSON.stringify(e.value) + '\n');
  },
});
const producer = bus.producer();
process.stdout.write('READY\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim()) await producer.send([toOutbound('alarms', JSON.parse(line) as AlarmTransition)]);
}
await tap.stop();
await pipeline.stop();
