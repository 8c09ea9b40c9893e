// Helpers for tests that need the real Prometheus to scrape a faultline pipeline:
//
//   const p = await startPrometheusSinkPipeline({ job: 'my-test' });  // embedded bus, test feed → prometheus sink
//   p.feed.emit('metrics', batch);                                       // through the real pipeline
//   await waitFor('scraped', async () => (await promQuery(`up{instance="${p.instance}"}`)).length || undefined);
//   await p.stop();                                                      // stops the pipeline, removes the target file
//
// The target file goes to .dev/prometheus/targets/, which the dev Prometheus (127.0.0.1:19090) reads every second.
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createEmbeddedBus, createLogger, createRegistry, loadPipelineConfig, startPipeline, type SinkFactory,
} from '@faultline/runtime';
import type { MetricBatch } from '@faultline/schemas';
import { prometheusSink } from '@faultline/sink-prometheus';
import { createFeed, type Feed } from './feed.js';
import { DEV_DIR, SERVICES, freePort } from './services.js';

/** Makes the dev Prometheus scrape `hostPort` with these labels; returns the function that takes it away. */
export function addScrapeTarget(
  name: string, hostPort: string, labels: Record<string, string> = {}, targetsDir = join(DEV_DIR, 'prometheus/targets'),
): () => void {
  const file = join(targetsDir, `${name}.json`);
  // Written whole, then renamed: Prometheus watches the folder and would read a half-written file.
  writeFileSync(`${file}.tmp`, JSON.stringify([{ targets: [hostPort], labels }]));
  renameSync(`${file}.tmp`, file);
  return () => rmSync(file, { force: true });
}

/** A call of the Prometheus HTTP API; throws with Prometheus's own error text. */
export async function promApi<T = any>(path: string, params: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${SERVICES.prometheus.url}${path}?${new URLSearchParams(params)}`);
  const body = (await res.json()) as { status: string; error?: string; data: T };
  if (body.status !== 'success') throw new Error(`${path} ${params.query ?? ''}: ${body.error}`);
  return body.data;
}

export interface InstantSample { metric: Record<string, string>; value: [number, string] }

/** An instant query: the vector it returns. */
export const promQuery = async (expr: string): Promise<InstantSample[]> =>
  (await promApi<{ result: InstantSample[] }>('/api/v1/query', { query: expr })).result;

export interface PrometheusSinkPipeline {
  /** `127.0.0.1:PORT`: the `instance` label Prometheus gives this run's series (series of earlier runs linger in the TSDB). */
  instance: string;
  url: string;
  feed: Feed;
  stop(): Promise<void>;
}

/**
 * A real pipeline on the embedded bus: a test feed collector → the Prometheus sink on a free port,
 * registered as a scrape target of the dev Prometheus under `job`. Extra sinks (ClickHouse, ...) may
 * be added with their factories and config.
 */
export async function startPrometheusSinkPipeline(opts: {
  job: string;
  sinkConfig?: Record<string, unknown>;
  extraSinks?: { factories: SinkFactory<any>[]; config: Record<string, unknown> };
  /** The file_sd folder of another Prometheus (a private one); default: the dev Prometheus's. */
  targetsDir?: string;
}): Promise<PrometheusSinkPipeline> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'fl-prom-'));
  const feed = createFeed();
  const text = JSON.stringify({
    node: 'prometheus-test', data_dir: dataDir, bus: { type: 'embedded' },
    collectors: { feed: { type: feed.factory.type } },
    sinks: { prometheus: { type: 'prometheus', listen: `127.0.0.1:${port}`, ...opts.sinkConfig }, ...opts.extraSinks?.config },
  });
  const registry = createRegistry([prometheusSink, feed.factory, ...(opts.extraSinks?.factories ?? [])]);
  const config = loadPipelineConfig(`${opts.job}.yaml`, registry, { text });
  const pipeline = await startPipeline(config, createEmbeddedBus(), createLogger('test', { level: 'error' }));
  const instance = `127.0.0.1:${port}`;
  const removeTarget = addScrapeTarget(`${opts.job}-${process.pid}`, instance, { job: opts.job }, opts.targetsDir);
  return {
    instance,
    url: `http://${instance}/metrics`,
    feed,
    async stop() {
      removeTarget();
      await pipeline.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const META: MetricBatch['meta'] = {
  node_load1: { type: 'gauge', unit: '', help: 'Load average over 1 minute.' },
  node_cpu_seconds_total: { type: 'counter', unit: 'seconds', help: 'CPU time spent in each mode.' },
  node_filesystem_avail: { type: 'gauge', unit: 'bytes', help: 'Filesystem space available to non-root users.' },
  node_network_receive: { type: 'counter', unit: 'bytes', help: 'Bytes received on the interface.' },
};

/** One host collector batch: a gauge, counters that grow with `tick`, and device-labelled series. */
export function hostBatch(node: string, tick: number): MetricBatch {
  return {
    node, collector: 'host', ts: Date.now(), interval_ms: 1000, meta: META,
    samples: [
      { name: 'node_load1', labels: {}, value: 0.5 },
      { name: 'node_cpu_seconds_total', labels: { cpu: '0', mode: 'user' }, value: 100 + tick },
      { name: 'node_filesystem_avail', labels: { device: '/dev/sda1', mountpoint: '/' }, value: 5e9 },
      { name: 'node_network_receive', labels: { device: 'eth0' }, value: 1e6 + tick * 1000 },
    ],
  };
}

