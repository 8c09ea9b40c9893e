// Runs the host collector alone in this process, so its CPU and RSS are its own: every emitted event is
// encoded as the runtime would put it on the bus, then dropped. Config JSON in argv[2]; SIGTERM prints
// the counts as one JSON line and exits.
import { tmpdir } from 'node:os';
import { Value } from '@sinclair/typebox/value';
import { TOPICS, encode, metricColumns, type MetricBatch } from '@faultline/schemas';
import { silentLogger } from '@faultline/runtime';
import { HostCollectorConfigSchema, createHostCollector, type HostCollectorConfig } from '@faultline/collector-host';

const config = Value.Default(HostCollectorConfigSchema, JSON.parse(process.argv[2] ?? '{}')) as HostCollectorConfig;
const counts = { metrics: 0, heartbeats: 0, faults: 0, bytes: 0, samples: 0 };
const collector = createHostCollector({
  id: 'collectors.host', node: 'bench', log: silentLogger, dataDir: tmpdir(),
  emit: (topic, value) => {
    if (value === null) return;
    counts.bytes += encode(TOPICS[topic].schema, value as never).value.length;
    // Counted from the columns: reading `samples` would build one object per sample, which the bus never does.
    if (topic === 'metrics') { counts.metrics++; counts.samples += metricColumns(value as MetricBatch).values.length; }
    else if (topic === 'heartbeats') counts.heartbeats++;
    else if (topic === 'faults') counts.faults++;
  },
}, config);
// No top-level await: bundled as CommonJS like the collector itself (collectors/host/lean/bundle.ts).
void collector.start().then(() => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  void collector.stop().then(() => {
    process.stdout.write(JSON.stringify(counts) + '\n');
    process.exit(0);
  });
});
