import { Counter, Gauge, Registry } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import type { ProcessorContext } from '@faultline/runtime';
import type { Catalog } from '../catalog/types.js';
import type { Engine } from '../engine/engine.js';
import { newOutput, type EngineOutput, type Silence } from '../engine/types.js';
import type { AlarmReader } from './view.js';
import { apiTokens, parseListen, type ApiConfig } from './config.js';
import { buildApiServer, type AlarmBackend } from './server.js';
import { ensureTokenFile } from './token-file.js';

export interface RunningApi {
  /** Where it listens (the real port when the config said 0). */
  url: string;
  close(): Promise<void>;
}

export interface ApiDeps {
  ctx: ProcessorContext;
  config: ApiConfig;
  engine: Engine;
  catalog: Catalog;
  /** Publishes what an operator action produced, and persists the operator state (silences, suppression). */
  publish(out: EngineOutput): void;
  /** Why the correlator is not ready, or undefined once it is. */
  notReady(): string | undefined;
  /** Where alarms and events are read: the whole group's view on Kafka; default: this engine (the only member). */
  reader?: AlarmReader;
  /** Shares an operator action with the other members of the group (on Kafka). */
  share?: { silence(s: Silence): void; suppression(alarmId: string, suppressed: boolean): void };
  /** More registries for /metrics (the bus's telemetry when the runtime gives it). */
  registries?: Registry[];
}

/** Starts the REST API over a started engine; operator actions change the engine and publish their transitions. */
export async function startAlarmApi(deps: ApiDeps): Promise<RunningApi> {
  const { ctx, engine } = deps;
  const reader = deps.reader ?? engine;
  const registry = new Registry();
  const requests = new Counter({ name: 'faultline_api_requests_total', help: 'REST API requests by route and status code.', labelNames: ['route', 'status'], registers: [registry] });
  new Gauge({
    name: 'faultline_alarms_active', help: 'Active alarms of the whole system, as this API serves them.', registers: [registry],
    collect() { this.set(reader.activeCount); },
  });
  new Gauge({
    name: 'faultline_alarms_owned', help: 'Active alarms this member\'s engine owns (the hosts of its partitions).', registers: [registry],
    collect() { this.set(engine.activeCount); },
  });
  const operator = (fn: (at: number, out: EngineOutput) => void) => {
    const out = newOutput();
    fn(Date.now(), out);
    deps.publish(out);
  };
  const backend: AlarmBackend = {
    notReady: deps.notReady,
    query: (q, scope) => (scope === 'member' ? engine : reader).query(q),
    getByUuid: (uuid) => reader.getByUuid(uuid),
    events: (q) => reader.events(q),
    submitFault: async (ev) => { ctx.emit('faults', ev); },
    silences: () => engine.silences(),
    addSilence: (s) => {
      operator((at, out) => engine.addSilence(s, at, out));
      deps.share?.silence(s);
    },
    expireSilence: (id) => {
      let found = false;
      operator((at, out) => { found = engine.expireSilence(id, at, out); });
      const expired = found && engine.silences().find((s) => s.id === id);
      if (expired) deps.share?.silence(expired);
      return found;
    },
    suppressedAlarmIds: () => engine.suppressedAlarmIds(),
    setSuppressed: (id, on) => {
      operator((at, out) => engine.setSuppressed(id, on, at, out));
      deps.share?.suppression(id, on);
    },
    catalog: () => [...deps.catalog.entries.values()].sort((a, b) => (a.id < b.id ? -1 : 1)),
    registries: () => [registry, ...(deps.registries ?? [])],
  };
  const tokens = apiTokens(deps.config);
  if (!tokens.length) {
    const t = ensureTokenFile(ctx.dataDir);
    tokens.push(t.token);
    ctx.log.info(`no api.tokens configured: ${t.created ? 'generated' : 'using'} the token in ${t.file}`);
  }
  const app: FastifyInstance = await buildApiServer(backend, {
    tokens, maxPage: deps.config.max_page,
    onResponse: (route, status) => requests.inc({ route, status: String(status) }),
  });
  const { host, port } = parseListen(deps.config.listen);
  await app.listen({ host, port });
  const addr = app.server.address();
  const url = `http://${host}:${typeof addr === 'object' && addr ? addr.port : port}`;
  ctx.log.info('alarm API listening', { url });
  return { url, close: () => app.close() };
}
