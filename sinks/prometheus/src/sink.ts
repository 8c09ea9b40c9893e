import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry } from 'prom-client';
import { parseDuration, type ComponentContext, type Envelope, type Sink } from '@faultline/runtime';
import type { AlarmTransition, MetricBatch } from '@faultline/schemas';
import { createAlarmMetrics, type AlarmMetricsSnapshot } from './alarm-metrics.js';
import { parseListen, type PrometheusSinkConfig } from './config.js';
import { createHostMetricStore } from './host-metrics.js';

const gzip = promisify(gzipCallback);

export interface PrometheusSink extends Sink {
  /** The exposition URL once started (the real port when `listen` asked for port 0). */
  readonly url: string;
  /** The whole exposition text, as a scrape gets it. */
  exposition(): Promise<string>;
}

export interface PrometheusSinkDeps {
  /** prom-client registries appended to the exposition: the pipeline's own metrics. */
  pipelineRegistries?: () => readonly Registry[];
}

export function createPrometheusSink(ctx: ComponentContext, config: PrometheusSinkConfig, deps: PrometheusSinkDeps = {}): PrometheusSink {
  const expiry = { seriesMs: parseDuration(config.series_expiry), livenessMs: parseDuration(config.liveness_expiry) };
  const { host, port } = parseListen(config.listen);
  const hosts = createHostMetricStore(config.node_label);
  const alarms = createAlarmMetrics(config.node_label);
  const exposeAlarms = config.inputs.includes('alarms');

  // The sink's own few metrics go through prom-client: collect() reads state at scrape time.
  const own = new Registry();
  const lastRender = { seconds: 0 };
  new Gauge({
    name: 'faultline_prometheus_sink_series', help: 'Host metric series this sink exposes.', registers: [own],
    collect() { this.set(hosts.seriesCount); },
  });
  new Gauge({
    name: 'faultline_prometheus_sink_render_seconds', help: 'Time the previous scrape took to render the exposition.', registers: [own],
    collect() { this.set(lastRender.seconds); },
  });

  const stateFile = join(ctx.dataDir, 'prometheus-alarms.json');

  /** Written whole then renamed: a crash leaves the previous state, and the bus replays what came after it. */
  function saveAlarms() {
    mkdirSync(ctx.dataDir, { recursive: true });
    writeFileSync(`${stateFile}.tmp`, JSON.stringify(alarms.snapshot()));
    renameSync(`${stateFile}.tmp`, stateFile);
  }

  let server: Server | undefined;
  let url = '';
  let stopping: Promise<void> | undefined;

  async function exposition(): Promise<string> {
    const started = performance.now();
    let text = hosts.render(Date.now(), expiry);
    if (exposeAlarms) text += alarms.render();
    lastRender.seconds = (performance.now() - started) / 1000;
    const registries = [own, ...(config.pipeline_metrics ? deps.pipelineRegistries?.() ?? [] : [])];
    for (const r of registries) text += await r.metrics();
    return text;
  }

  async function serve(head: boolean, gzipped: boolean, res: ServerResponse) {
    const text = await exposition();
    const headers: Record<string, string> = { 'content-type': Registry.PROMETHEUS_CONTENT_TYPE };
    if (head) return void res.writeHead(200, headers).end();
    if (!gzipped) return void res.writeHead(200, headers).end(text);
    // Prometheus asks for gzip: 100k series are ~8 MB of text, several times less compressed. zlib
    // runs in libuv's thread pool, off the event loop; level 1 because the scrape waits for it.
    const body = await gzip(text, { level: 1 });
    res.writeHead(200, { ...headers, 'content-encoding': 'gzip' }).end(body);
  }

  return {
    inputs: config.inputs,
    get url() { return url; },
    exposition,

    async start() {
      if (server) return;
      if (exposeAlarms) {
        try {
          alarms.restore(JSON.parse(readFileSync(stateFile, 'utf8')) as AlarmMetricsSnapshot);
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
      }
      const s = createServer((req, res) => {
        const path = (req.url ?? '/').split('?', 1)[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET, HEAD' }).end();
          return;
        }
        if (path !== config.path) {
          res.writeHead(404, { 'content-type': 'text/plain' }).end(`metrics are at ${config.path}\n`);
          return;
        }
        serve(req.method === 'HEAD', /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')), res).catch((err: Error) => {
          ctx.log.error('exposition failed', { error: err.message });
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message);
        });
      });
      // Idle scrape connections outlive a scrape interval: a server that closes them sooner races the
      // scraper's next request on the same connection (a reset instead of a scrape).
      s.keepAliveTimeout = 65_000;
      s.headersTimeout = 66_000;
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject);
        s.listen(port, host, () => { s.off('error', reject); resolve(); });
      });
      server = s;
      const addr = s.address() as AddressInfo;
      url = `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}${config.path}`;
      ctx.log.info('exposition endpoint listening', { url });
    },

    // Not once(): a stop before start must not turn the stop after start into a no-op.
    async stop() {
      const s = server;
      if (!s) return stopping;
      server = undefined;
      s.closeAllConnections();
      stopping = new Promise<void>((resolve) => s.close(() => resolve()));
      return stopping;
    },

    async write(batch: readonly Envelope[]) {
      const at = Date.now();
      let alarmsChanged = false;
      for (const e of batch) {
        if (e.topic === 'metrics') hosts.ingest(e.value as MetricBatch, at);
        else if (e.topic === 'alarms') {
          alarms.apply(e.value as AlarmTransition);
          alarmsChanged = true;
        }
      }
      if (alarmsChanged) saveAlarms();
    },
  };
}
