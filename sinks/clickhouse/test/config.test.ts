import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, createRegistry, loadPipelineConfig } from '@faultline/runtime';
import { clickhouseSink, type ClickHouseSinkConfig } from '../src/index.js';

const registry = createRegistry([clickhouseSink]);
const load = (sink: string) => loadPipelineConfig('p.yaml', registry, { text: `bus: { type: embedded }\nsinks:\n  history:\n    type: clickhouse\n${sink}` });

test('an entry with no settings gets every default, nested retention included', () => {
  const config = load('    url: http://ch:8123\n').components[0]!.config as ClickHouseSinkConfig;
  assert.equal(config.inputs, ['metrics', 'alarms', 'faults', 'remediations']);
  assert.is(config.database, 'faultline');
  assert.is(config.batch_rows, 10_000);
  assert.is(config.flush_interval, '1s');
  assert.equal(config.retention, { metric_samples: '30d', alarm_transitions: '400d', fault_events: '400d', remediation_results: '400d' });
});

test('mistakes are reported with their line and field', () => {
  try {
    load('    database: "fault-line"\n    inputs: [metrics, heartbeats]\n    retention: { metrics: 30d }\n    flush_interval: 1000\n');
    assert.unreachable('the file was accepted');
  } catch (err) {
    assert.instance(err, ConfigError);
    const text = (err as Error).message;
    for (const field of ['sinks.history.database', 'sinks.history.inputs.1', 'sinks.history.retention', 'sinks.history.flush_interval']) {
      assert.match(text, field);
    }
  }
});

test.run();
