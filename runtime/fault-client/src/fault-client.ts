import { randomUUID } from 'node:crypto';
import {
  TOPICS, alarmKey, decode, type ActiveAlarm, type AlarmType, type FaultEvent, type ProbableCause, type Severity,
} from '@faultline/schemas';
import { toOutbound, type Bus, type Producer } from '@faultline/runtime';
import { createApiClient, type ApiClientOptions } from './http.js';
import { checkFault } from './validate.js';

/** fm-api's Fault, in camelCase. What is left out comes from the alarm catalog. */
export interface Fault {
  alarmId: string;
  entityInstanceId: string;
  severity?: Severity;
  reasonText?: string;
  entityTypeId?: string;
  alarmType?: AlarmType;
  probableCause?: ProbableCause;
  proposedRepairAction?: string;
  serviceAffecting?: boolean;
  /** Whether an operator may suppress it (fm-api `suppression`). */
  suppression?: boolean;
  /** Epoch ms; default now. */
  timestamp?: number;
  /** Idempotency key: the same uuid sent twice is one fault. Default: a new one. */
  uuid?: string;
}

/** StarlingX fm-api for TypeScript: set_fault, clear_fault, clear_all, get_fault(s), over the bus or HTTP. */
export interface FaultClient {
  /** Raises or updates the alarm (alarmId, entityInstanceId); resolves with the fault's uuid once the bus or the service accepted it. */
  setFault(f: Fault): Promise<string>;
  /** Clears alarmId at the entity and below it. */
  clearFault(alarmId: string, entityInstanceId: string): Promise<void>;
  /** Clears every alarm of the entity and below it. */
  clearAll(entityInstanceId: string): Promise<void>;
  /** A customer log: recorded in the event log, never an active alarm. */
  log(f: Fault): Promise<string>;
  getFault(alarmId: string, entityInstanceId: string): Promise<ActiveAlarm | undefined>;
  /** Active alarms of the entity and below it (every alarm when omitted). */
  getFaults(entityInstanceId?: string): Promise<ActiveAlarm[]>;
  getFaultsById(alarmId: string): Promise<ActiveAlarm[]>;
  close(): Promise<void>;
}

export type FaultClientOptions =
  /** Through the alarm service's REST API. */
  | { http: ApiClientOptions; source?: string }
  /** Straight to the faults topic; queries read the compacted alarms.active topic. */
  | { bus: Bus; source?: string };

/** True when `entity` is `ancestor` or below it in the path (`host=c0.port=eth0` is below `host=c0`). */
const isAtOrBelow = (entity: string, ancestor: string) =>
  entity === ancestor || (entity.startsWith(ancestor) && entity[ancestor.length] === '.' && /^[A-Za-z0-9_-]+=/.test(entity.slice(ancestor.length + 1)));

function toEvent(op: FaultEvent['op'], f: Partial<Fault> & { entityInstanceId: string }, source: string): FaultEvent {
  const ev: FaultEvent = { op, entity_instance_id: f.entityInstanceId, ts: f.timestamp ?? Date.now(), uuid: f.uuid ?? randomUUID(), source };
  if (f.alarmId !== undefined) ev.alarm_id = f.alarmId;
  if (f.severity !== undefined) ev.severity = f.severity;
  if (f.reasonText !== undefined) ev.reason_text = f.reasonText;
  if (f.entityTypeId !== undefined) ev.entity_type_id = f.entityTypeId;
  if (f.alarmType !== undefined) ev.alarm_type = f.alarmType;
  if (f.probableCause !== undefined) ev.probable_cause = f.probableCause;
  if (f.proposedRepairAction !== undefined) ev.proposed_repair_action = f.proposedRepairAction;
  if (f.serviceAffecting !== undefined) ev.service_affecting = f.serviceAffecting;
  if (f.suppression !== undefined) ev.suppression = f.suppression;
  return checkFault(ev);
}

export function createFaultClient(opts: FaultClientOptions): FaultClient {
  const source = opts.source ?? `app/${process.title || 'node'}`;
  let submit: (ev: FaultEvent) => Promise<void>;
  let active: () => Promise<ActiveAlarm[]>;
  let close = async () => {};

  if ('http' in opts) {
    const api = createApiClient(opts.http);
    submit = async (ev) => { await api.submitFault(ev); };
    active = async () => {
      const all: ActiveAlarm[] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await api.listAlarms({ limit: 1000, offset });
        all.push(...page.items);
        if (all.length >= page.total || !page.items.length) return all;
      }
    };
  } else {
    const bus = opts.bus;
    let producer: Producer | undefined;
    submit = (ev) => (producer ??= bus.producer()).send([toOutbound('faults', ev)]);
    active = async () => {
      const last = new Map<string, ActiveAlarm>();
      for await (const r of bus.readAll('alarms.active')) {
        if (r.key === null) continue;
        last.delete(r.key);
        if (r.value === null) continue;
        const d = decode(TOPICS['alarms.active'].schema, r.headers, r.value);
        if (d.ok) last.set(r.key, d.value);
      }
      return [...last.values()];
    };
    close = async () => { await producer?.close(); };
  }

  const send = async (ev: FaultEvent) => { await submit(ev); return ev.uuid!; };
  return {
    setFault: (f) => send(toEvent('set', f, source)),
    log: (f) => send(toEvent('log', f, source)),
    clearFault: async (alarmId, entityInstanceId) => { await send(toEvent('clear', { alarmId, entityInstanceId }, source)); },
    clearAll: async (entityInstanceId) => { await send(toEvent('clear_all', { entityInstanceId }, source)); },
    getFault: async (alarmId, entity) => (await active()).find((a) => alarmKey(a.alarm) === alarmKey({ alarm_id: alarmId, entity_instance_id: entity })),
    getFaults: async (entity) => (await active()).filter((a) => entity === undefined || isAtOrBelow(a.alarm.entity_instance_id, entity)),
    getFaultsById: async (alarmId) => (await active()).filter((a) => a.alarm.alarm_id === alarmId),
    close,
  };
}
