// Heartbeat-loss detection: hosts pulse every PERIOD through the embedded pipeline into the correlator
// (its defaults: degraded after 6 missed periods, failed after 10, checked every 250 ms tick); one host at
// a time goes silent, and the time from its last heartbeat to the 710.001 major and critical transitions
// is what an operator waits for.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline } from '@faultline/runtime';
import { correlatorProcessor } from '@faultline/processor-correlator';
import { createFeed, createRecorder } from './components.js';

export interface DetectionTrial { host: string; degradedMs: number; failedMs: number }

export async function heartbeatDetection(opts: { hosts: number; periodMs: number; warmupMs: number }): Promise<DetectionTrial[]> {
  const run = randomUUID().slice(0, 8);
  const dir = mkdtempSync(join(tmpdir(), 'fl-bench-heartbeat-'));
  const feed = createFeed();
  const recorder = createRecorder('alarms');
  const text = JSON.stringify({
    node: `plb-hb-${run}`, data_dir: dir, bus: { type: 'embedded' },
    collectors: { feed: { type: feed.factory.type } },
    processors: { correlator: { type: 'correlator', api: { enabled: false } } },
    sinks: { recorder: { type: recorder.factory.type } },
  });
  const config = loadPipelineConfig('bench-heartbeat.yaml', createRegistry([correlatorProcessor, feed.factory, recorder.factory]), { text });
  const p = await startPipeline(config, createEmbeddedBus(), createLogger('bench', { level: 'error' }));
  // The last host keeps pulsing throughout; the others go silent one after another.
  const hosts = Array.from({ length: opts.hosts + 1 }, (_, i) => ({ node: `plb-hb-${run}-${i}`, bootId: randomUUID(), seq: 0, lastAt: 0, alive: true }));
  const timer = setInterval(() => {
    for (const h of hosts.filter((x) => x.alive)) {
      h.lastAt = Date.now();
      feed.emit('heartbeats', { node: h.node, boot_id: h.bootId, seq: h.seq++, ts: h.lastAt, period_ms: opts.periodMs });
    }
  }, opts.periodMs);
  const transitionAt = (host: string, severity: string) => recorder.seen.find(({ value: t }) =>
    t.kind !== 'cleared_all' && t.alarm.alarm_id === '710.001' && t.alarm.entity_instance_id === `host=${host}` && t.alarm.severity === severity)?.at;
  const trials: DetectionTrial[] = [];
  try {
    await new Promise((r) => setTimeout(r, opts.warmupMs));
    for (const h of hosts.slice(0, -1)) {
      h.alive = false;
      const deadline = Date.now() + 20 * opts.periodMs + 2000;
      while (transitionAt(h.node, 'critical') === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      const degraded = transitionAt(h.node, 'major');
      const failed = transitionAt(h.node, 'critical');
      if (degraded === undefined || failed === undefined) throw new Error(`no 710.001 major and critical for ${h.node} within ${deadline - h.lastAt} ms`);
      trials.push({ host: h.node, degradedMs: degraded - h.lastAt, failedMs: failed - h.lastAt });
      // Apart by more than the multi-node window (1 s), so each is its own failure and not a 710.010.
      await new Promise((r) => setTimeout(r, 1200));
    }
    return trials;
  } finally {
    clearInterval(timer);
    await p.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
