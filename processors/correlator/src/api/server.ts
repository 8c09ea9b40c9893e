import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import bearerAuth from '@fastify/bearer-auth';
import swagger from '@fastify/swagger';
import type { Registry } from 'prom-client';
import { faultEventProblem, type ActiveAlarm, type FaultEvent } from '@faultline/schemas';
import { parseDuration } from '@faultline/runtime';
import type { CatalogEntry } from '../catalog/types.js';
import type { AlarmQuery, EventLogEntry, EventQuery, Silence } from '../engine/types.js';
import {
  AlarmIdParams, AlarmList, AlarmListQuery, CatalogList, ErrorSchema, EventList, EventsQuery, FaultAccepted, FaultBody,
  Health, SilenceBody, SilenceIdParams, SilenceList, SilenceSchema, Summary, Suppressions, UuidParams, authErrors,
} from './schemas.js';
import { byUrgency, summarize } from './summary.js';

/** What the API serves from: the correlator's engine and its way to the faults topic. */
export interface AlarmBackend {
  /** Why the service is not ready (not started, no partitions assigned yet, restoring, catching up), or undefined once it is. */
  notReady(): string | undefined;
  /** `member`: only the alarms this member's engine owns; `system` (default): the whole group's. */
  query(q: AlarmQuery, scope?: 'system' | 'member'): ActiveAlarm[];
  getByUuid(uuid: string): ActiveAlarm | undefined;
  events(q: EventQuery): EventLogEntry[];
  /** Publishes the fault to the faults topic; resolves once the bus accepted it. */
  submitFault(ev: FaultEvent): Promise<void>;
  silences(): Silence[];
  addSilence(s: Silence): void;
  expireSilence(id: string): boolean;
  suppressedAlarmIds(): string[];
  setSuppressed(alarmId: string, suppressed: boolean): void;
  catalog(): CatalogEntry[];
  /** The registries whose metrics /metrics exposes (the runtime's, the API's own). */
  registries(): Registry[];
}

export interface ApiServerOptions {
  tokens: readonly string[];
  maxPage: number;
  /** Default: Date.now; tests pin it. */
  now?: () => number;
  /** Called after every response (request metrics). */
  onResponse?: (route: string, status: number) => void;
}

const validationField = (err: FastifyError): string | undefined => {
  const v = err.validation?.[0];
  if (!v) return undefined;
  const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const missing = (v.params as { missingProperty?: string }).missingProperty;
  const extra = (v.params as { additionalProperty?: string }).additionalProperty;
  const leaf = [path, missing ?? extra].filter(Boolean).join('.');
  return [err.validationContext, leaf].filter(Boolean).join('.');
};

/**
 * The REST API of the alarm service (fastify 5). /v1 needs a bearer token; /healthz, /readyz,
 * /metrics and /openapi.json do not (probes and scrapers carry no secrets). Every route declares
 * its schemas, which both validate requests (400 naming the field) and make the OpenAPI document.
 * Responses are serialized with plain JSON.stringify: the schemas document them, the engine's
 * types guarantee them, and a test checks real responses against the document.
 */
export async function buildApiServer(backend: AlarmBackend, opts: ApiServerOptions): Promise<FastifyInstance> {
  if (!opts.tokens.length) throw new Error('api: no bearer token configured (api.tokens, or FAULTLINE_API_TOKENS)');
  const now = opts.now ?? Date.now;
  // The logger stays off: fastify would log request headers, and with them the tokens.
  const app = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false, allErrors: false } } });
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  const onResponse = opts.onResponse;
  if (onResponse) app.addHook('onResponse', async (req, reply) => onResponse(req.routeOptions.url ?? 'unknown', reply.statusCode));
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    const status = err.statusCode ?? 500;
    const field = err.validation ? validationField(err) : undefined;
    const message = field ? `${field}: ${err.message.replace(/^[^ ]+ /, '')}` : err.message;
    void reply.status(status).send({
      statusCode: status, error: status >= 500 ? 'Internal Server Error' : status === 401 ? 'Unauthorized' : 'Bad Request',
      message, ...(field ? { field } : {}),
    });
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'faultline alarm service', version: '1.0.0', description: 'Active alarms, events, faults, silences and suppression of a faultline correlator.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { summary: 'The process is alive', response: { 200: Health } } }, async () => ({ status: 'ok' }));
  app.get('/readyz', {
    schema: {
      summary: 'Started, assigned its partitions and restored them, and (on Kafka) caught up with the group\'s alarms',
      response: { 200: Health, 503: Health },
    },
  }, async (_req, reply) => {
    const reason = backend.notReady();
    return reason === undefined ? { status: 'ready' } : reply.status(503).send({ status: 'not ready', reason });
  });
  app.get('/metrics', {
    schema: { summary: 'Prometheus metrics of the runtime and the API', produces: ['text/plain'], response: { 200: { type: 'string' } } },
  }, async (_req, reply) => {
    const texts = await Promise.all(backend.registries().map((r) => r.metrics()));
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(texts.join('\n'));
  });

  await app.register(async (v1) => {
    await v1.register(bearerAuth, {
      keys: new Set(opts.tokens),
      addHook: true,
      errorResponse: (err) => ({ statusCode: 401, error: 'Unauthorized', message: err.message }),
    });
    const secured = { security: [{ bearer: [] }] };

    v1.get<{ Querystring: AlarmListQuery }>('/alarms', {
      schema: { ...secured, summary: 'Active alarms, filtered and paged', querystring: AlarmListQuery, response: { 200: AlarmList, ...authErrors } },
    }, async (req, reply) => {
      const q = req.query;
      if (q.limit > opts.maxPage) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', field: 'querystring.limit', message: `querystring.limit: must be <= ${opts.maxPage}` });
      const filter: AlarmQuery = {
        ...(q.alarm_id !== undefined && { alarm_id: q.alarm_id }),
        ...(q.entity !== undefined && { entity_prefix: q.entity }),
        ...(q.severity !== undefined && { severity: q.severity }),
        ...(q.alarm_type !== undefined && { alarm_type: q.alarm_type }),
        ...(q.state !== undefined && { state: q.state }),
      };
      const all = backend.query(filter, q.scope).sort(byUrgency);
      return { total: all.length, offset: q.offset, limit: q.limit, items: all.slice(q.offset, q.offset + q.limit) };
    });

    v1.get('/alarms/summary', {
      schema: { ...secured, summary: 'Counts per severity and the overall status', response: { 200: Summary, 401: ErrorSchema } },
    }, async () => summarize(backend.query({})));

    v1.get<{ Params: { uuid: string } }>('/alarms/:uuid', {
      schema: { ...secured, summary: 'One active alarm by its uuid', params: UuidParams, response: { 200: AlarmList.properties.items.items, 404: ErrorSchema, ...authErrors } },
    }, async (req, reply) => {
      const a = backend.getByUuid(req.params.uuid);
      return a ?? reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no active alarm with uuid ${req.params.uuid}` });
    });

    v1.get<{ Querystring: EventsQuery }>('/events', {
      schema: { ...secured, summary: 'Alarm transitions and customer logs in a time range', querystring: EventsQuery, response: { 200: EventList, ...authErrors } },
    }, async (req) => {
      const q = req.query;
      const items = backend.events({
        limit: Math.min(q.limit, opts.maxPage),
        ...(q.from !== undefined && { from: q.from }), ...(q.to !== undefined && { to: q.to }), ...(q.type && { type: q.type }),
      });
      return { items };
    });

    v1.post<{ Body: FaultBody }>('/faults', {
      schema: {
        ...secured, summary: 'Report a fault (fm-api set, clear, clear_all, log); it goes through the faults topic',
        body: FaultBody, response: { 202: FaultAccepted, ...authErrors },
      },
    }, async (req, reply) => {
      const b = req.body;
      const problem = faultEventProblem(b);
      if (problem) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', field: `body.${problem.field}`, message: `body.${problem.field}: ${problem.message}` });
      const ev: FaultEvent = { ...b, ts: b.ts ?? now(), uuid: b.uuid ?? randomUUID(), source: b.source ?? 'api' };
      await backend.submitFault(ev);
      return reply.status(202).send({ accepted: true, uuid: ev.uuid });
    });

    v1.get('/silences', {
      schema: { ...secured, summary: 'Silences, active and recently ended', response: { 200: SilenceList, 401: ErrorSchema } },
    }, async () => ({ items: backend.silences() }));

    v1.post<{ Body: SilenceBody }>('/silences', {
      schema: { ...secured, summary: 'Create a silence: matching alarms stay active but are not notified', body: SilenceBody, response: { 201: SilenceSchema, ...authErrors } },
    }, async (req, reply) => {
      const b = req.body;
      const starts = b.starts_at ?? now();
      const ends = b.ends_at ?? (b.duration ? starts + parseDuration(b.duration) : undefined);
      if (ends === undefined) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', field: 'body.duration', message: 'body.duration: give duration or ends_at' });
      if (ends <= starts) return reply.status(400).send({ statusCode: 400, error: 'Bad Request', field: 'body.ends_at', message: 'body.ends_at: must be after starts_at' });
      const s: Silence = { id: randomUUID(), matchers: b.matchers, starts_at: starts, ends_at: ends, created_by: b.created_by, comment: b.comment };
      backend.addSilence(s);
      return reply.status(201).send(s);
    });

    v1.delete<{ Params: { id: string } }>('/silences/:id', {
      schema: { ...secured, summary: 'Expire a silence now', params: SilenceIdParams, response: { 200: SilenceSchema, 404: ErrorSchema, ...authErrors } },
    }, async (req, reply) => {
      if (!backend.expireSilence(req.params.id)) return reply.status(404).send({ statusCode: 404, error: 'Not Found', message: `no silence ${req.params.id}` });
      return backend.silences().find((s) => s.id === req.params.id)!;
    });

    v1.get('/suppressions', {
      schema: { ...secured, summary: 'Alarm ids an operator has suppressed', response: { 200: Suppressions, 401: ErrorSchema } },
    }, async () => ({ alarm_ids: backend.suppressedAlarmIds() }));

    for (const [method, suppressed] of [['PUT', true], ['DELETE', false]] as const) {
      v1.route<{ Params: { alarm_id: string } }>({
        method, url: '/suppressions/:alarm_id',
        schema: {
          ...secured, summary: suppressed ? 'Suppress an alarm id: its alarms stay active but are not notified' : 'Lift the suppression of an alarm id',
          params: AlarmIdParams, response: { 200: Suppressions, ...authErrors },
        },
        handler: async (req) => {
          backend.setSuppressed(req.params.alarm_id, suppressed);
          return { alarm_ids: backend.suppressedAlarmIds() };
        },
      });
    }

    v1.get('/catalog', {
      schema: { ...secured, summary: 'The alarm catalog this correlator knows', response: { 200: CatalogList, 401: ErrorSchema } },
    }, async () => ({
      items: backend.catalog().map((e) => ({
        id: e.id, kind: e.kind, description: e.description, entity_type: e.entity_type, entity: e.entity, severities: e.severities,
        alarm_type: e.alarm_type, probable_cause: e.probable_cause, repair_action: e.repair_action,
        service_affecting: e.service_affecting, suppression_allowed: e.suppression_allowed, clears: e.clears,
      })),
    }));
  }, { prefix: '/v1' });

  return app;
}
