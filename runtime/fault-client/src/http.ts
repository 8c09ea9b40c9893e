import type { ActiveAlarm, AlarmTransition, FaultEvent, Severity } from '@faultline/schemas';

/** A response other than 2xx from the alarm service, with the field it names on a 400. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  /** Base URL of the alarm service. Default http://127.0.0.1:8080. */
  url?: string;
  /** Bearer token (one of the server's api.tokens / FAULTLINE_API_TOKENS). */
  token?: string;
  /** Per request. Default 10 s. */
  timeoutMs?: number;
}

export interface AlarmFilter {
  alarm_id?: string;
  entity?: string;
  severity?: Severity;
  alarm_type?: string;
  state?: 'inhibited' | 'suppressed' | 'silenced' | 'flapping' | 'notifiable';
  /** system (default): the whole correlator group; member: only what the answering member owns. */
  scope?: 'system' | 'member';
  limit?: number;
  offset?: number;
}

export interface AlarmPage { total: number; offset: number; limit: number; items: ActiveAlarm[] }
export interface AlarmSummary {
  status: 'OK' | 'degraded' | 'critical';
  total: number;
  by_severity: Record<Severity, number>;
  notifiable: number; inhibited: number; suppressed: number; silenced: number; flapping: number;
}
export interface LogEntry { uuid: string; at: number; log_id: string; entity_instance_id: string; severity: Severity; reason_text: string; source: string }
export type EventEntry = { type: 'alarm'; at: number; transition: AlarmTransition } | { type: 'log'; at: number; log: LogEntry };
export interface Silence { id: string; matchers: Record<string, string>; starts_at: number; ends_at: number; created_by: string; comment: string }
export interface NewSilence { matchers: Record<string, string>; duration?: string; starts_at?: number; ends_at?: number; comment?: string; created_by?: string }
export interface CatalogEntry {
  id: string; kind: 'alarm' | 'log'; description: string; entity_type: string; entity: string; severities: Severity[];
  alarm_type: string; probable_cause: string; repair_action: string; service_affecting: boolean; suppression_allowed: boolean; clears: string;
}

/** A typed client of the alarm service's REST API (/v1, docs/alarm-api.md): the CLI and the HTTP fault client use it. */
export interface ApiClient {
  readonly url: string;
  listAlarms(f?: AlarmFilter): Promise<AlarmPage>;
  getAlarm(uuid: string): Promise<ActiveAlarm>;
  summary(): Promise<AlarmSummary>;
  events(q?: { from?: number; to?: number; type?: 'alarm' | 'log'; limit?: number }): Promise<EventEntry[]>;
  submitFault(f: Omit<FaultEvent, 'ts'> & { ts?: number }): Promise<{ uuid: string }>;
  listSilences(): Promise<Silence[]>;
  addSilence(s: NewSilence): Promise<Silence>;
  expireSilence(id: string): Promise<Silence>;
  suppressions(): Promise<string[]>;
  setSuppressed(alarmId: string, suppressed: boolean): Promise<string[]>;
  catalog(): Promise<CatalogEntry[]>;
}

const query = (q: Record<string, string | number | undefined>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export function createApiClient(opts: ApiClientOptions = {}): ApiClient {
  const url = (opts.url ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(url + path, {
        method, headers, signal: AbortSignal.timeout(timeoutMs),
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ApiError(0, `cannot reach the alarm service at ${url} (${cause})`);
    }
    const text = await res.text();
    const parsed = text ? JSON.parse(text) as Record<string, unknown> : {};
    if (!res.ok) {
      const hint = res.status === 401 ? ' (give --token or set FAULTLINE_API_TOKEN)' : '';
      throw new ApiError(res.status, `${method} ${path}: ${res.status} ${String(parsed.message ?? res.statusText)}${hint}`, parsed.field as string | undefined);
    }
    return parsed as T;
  }

  return {
    url,
    listAlarms: (f = {}) => request('GET', `/v1/alarms${query({ ...f })}`),
    getAlarm: (uuid) => request('GET', `/v1/alarms/${encodeURIComponent(uuid)}`),
    summary: () => request('GET', '/v1/alarms/summary'),
    events: async (q = {}) => (await request<{ items: EventEntry[] }>('GET', `/v1/events${query({ ...q })}`)).items,
    submitFault: (f) => request('POST', '/v1/faults', f),
    listSilences: async () => (await request<{ items: Silence[] }>('GET', '/v1/silences')).items,
    addSilence: (s) => request('POST', '/v1/silences', s),
    expireSilence: (id) => request('DELETE', `/v1/silences/${encodeURIComponent(id)}`),
    suppressions: async () => (await request<{ alarm_ids: string[] }>('GET', '/v1/suppressions')).alarm_ids,
    setSuppressed: async (id, on) => (await request<{ alarm_ids: string[] }>(on ? 'PUT' : 'DELETE', `/v1/suppressions/${encodeURIComponent(id)}`)).alarm_ids,
    catalog: async () => (await request<{ items: CatalogEntry[] }>('GET', '/v1/catalog')).items,
  };
}
