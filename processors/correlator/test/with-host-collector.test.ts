import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hostCollector } from '@faultline/collector-host';
import { createEmbeddedBus, createRegistry, loadPipelineConfig, silentLogger, startPipeline } from '@faultline/runtime';
import { decode, type AlarmTransition } from '@faultline/schemas';
import { correlatorProcessor } from '../src/index.js';

// The real host collector on this machine feeds the correlator through the embedded bus: its metric
// names and heartbeats are what the default rules and the heartbeat monitor expect.
test('host collector → correlator: a memory rule on node_memory_usage_ratio raises 700.103 for this node; heartbeats keep 710.001 away', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'corr-host-'));
  // Memory in use is surely above 1 %: the shipped rule with a threshold anyone's machine crosses.
  writeFileSync(join(dir, 'rules.yaml'), `
rules:
  - { name: memory-low-bar, alarm_id: "700.103", metric: node_memory_usage_ratio, entity: host=<node>.memory=total, scale: 100, levels: { major: { raise: 1, clear: 0.5 } }, raise_after: 2, clear_after: 2 }
`);
  const text = `
node: corr-it-0
data_dir: ${join(dir, 'data')}
bus: { type: embedded }
collectors:
  host: { interval: 1s, groups: [memory], faults: { enabled: false } }
processors:
  correlator:
    type: correlator
    tick: 100ms
    rules: { builtin: false, files: [${join(dir, 'rules.yaml')}] }
    api: { enabled: false }
`;
  const config = loadPipelineConfig(join(dir, 'p.yaml'), createRegistry([hostCollector, correlatorProcessor]), { text });
  const bus = createEmbeddedBus();
  const running = await startPipeline(config, bus, silentLogger);
  try {
    const transitions = async () => {
      const out: AlarmTransition[] = [];
      for await (const r of bus.readAll('alarms')) {
        const d = decode('alarm_transition', r.headers, r.value);
        if (d.ok) out.push(d.value);
      }
      return out;
    };
    let seen: AlarmTransition[] = [];
    for (let i = 0; i < 100 && !seen.some((t) => t.kind === 'raised' && t.alarm.alarm_id === '700.103'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await transitions();
    }
    const raised = seen.find((t) => t.kind === 'raised' && t.alarm.alarm_id === '700.103');
    assert.ok(raised, `no 700.103 raised; saw ${seen.map((t) => t.kind).join(', ') || 'nothing'}`);
    if (raised?.kind !== 'raised') return;
    assert.is(raised.alarm.entity_instance_id, 'host=corr-it-0.memory=total');
    assert.is(raised.alarm.severity, 'major');
    assert.is(raised.alarm.source, 'threshold');
    const active = [];
    for await (const r of bus.readAll('alarms.active')) if (r.value) active.push(r.key);
    assert.ok(active.includes('700.103|host=corr-it-0.memory=total'), active.join(', '));
    // The collector pulses every 100 ms: more than 6 periods have passed, and no heartbeat alarm.
    assert.not.ok(seen.some((t) => t.kind !== 'cleared_all' && t.alarm.alarm_id === '710.001'));
  } finally {
    await running.stop();
  }
});

test.run();
