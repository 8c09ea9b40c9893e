import { createHash } from 'node:crypto';
import {
  rootEntity, type Alarm, type AlarmTransition, type FaultEvent, type MetricBatch, type RemediationResult,
} from '@faultline/schemas';
import type { Envelope } from '@faultline/runtime';

/** The tables the sink writes, in the order a flush inserts them. */
export const TABLES = ['metric_samples', 'alarm_transitions', 'fault_events', 'remediation_results'] as const;
export type Table = (typeof TABLES)[number];
export type Row = Record<string, unknown>;
export type RowsByTable = Record<Table, Row[]>;

export const emptyRows = (): RowsByTable => ({ metric_samples: [], alarm_transitions: [], fault_events: [], remediation_results: [] });

/** DateTime columns get epoch seconds: ClickHouse 18.16 parses them in JSONEachRow without date_time_input_format. */
const seconds = (ms: number) => Math.floor(ms / 1000);
const flag = (b: boolean) => (b ? 1 : 0);

const sortedKeys = (labels: Readonly<Record<string, string>>) => {
  const keys = Object.keys(labels);
  return keys.length > 1 ? keys.sort() : keys;
};

const joinLabels = (keys: readonly string[], labels: Readonly<Record<string, string>>) => {
  let out = '';
  for (const k of keys) out += (out ? ',' : '') + k + '=' + labels[k];
  return out;
};

/** `k=v,k=v` with keys sorted: the series identity, stable whatever order the collector listed the labels in. */
export const seriesKey = (labels: Readonly<Record<string, string>>): string => joinLabels(sortedKeys(labels), labels);

export function metricRows(b: MetricBatch, out: Row[]): void {
  const ts = seconds(b.ts);
  for (const s of b.samples) {
    const keys = sortedKeys(s.labels);
    out.push({
      ts, ts_ms: b.ts, node: b.node, collector: b.collector, name: s.name, series: joinLabels(keys, s.labels),
      'labels.k': keys, 'labels.v': keys.map((k) => s.labels[k]), value: s.value, interval_ms: b.interval_ms,
    });
  }
}

function alarmRow(t: AlarmTransition, kind: string, seq: number, a: Alarm, previousSeverity: string, traceparent: string): Row {
  const keys = Object.keys(a.labels).sort();
  return {
    at: seconds(t.at), at_ms: t.at, transition_uuid: t.uuid, kind, seq, host: rootEntity(a.entity_instance_id),
    alarm_uuid: a.uuid, alarm_id: a.alarm_id, entity_type_id: a.entity_type_id, entity_instance_id: a.entity_instance_id,
    severity: a.severity, previous_severity: previousSeverity, state: a.state, reason_text: a.reason_text,
    alarm_type: a.alarm_type, probable_cause: a.probable_cause, proposed_repair_action: a.proposed_repair_action,
    service_affecting: flag(a.service_affecting), suppression_allowed: flag(a.suppression_allowed),
    inhibited: flag(a.inhibited), inhibited_by: a.inhibited_by ?? '', suppressed: flag(a.suppressed),
    silenced_by: a.silenced_by, flapping: flag(a.flapping), source: a.source, raised_at: seconds(a.raised_at),
    'labels.k': keys, 'labels.v': keys.map((k) => a.labels[k]), traceparent,
  };
}

/**
 * One row per alarm a transition touched: a clear_all fans out to every alarm it cleared. The trace is the
 * transition's own, else the record's `traceparent` header.
 */
export function transitionRows(t: AlarmTransition, out: Row[], header?: string): void {
  const trace = t.traceparent ?? header ?? '';
  if (t.kind === 'cleared_all') {
    for (const c of t.cleared) out.push(alarmRow(t, t.kind, c.seq, c.alarm, '', trace));
    return;
  }
  out.push(alarmRow(t, t.kind, t.seq, t.alarm, t.previous_severity ?? '', trace));
}

/** The event's uuid, or a digest of its content: the same report delivered twice gets the same id. */
export function faultEventId(e: FaultEvent): string {
  if (e.uuid) return e.uuid;
  const h = createHash('sha256').update(JSON.stringify(e)).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

const optionalFlag = (b: boolean | undefined) => (b === undefined ? null : flag(b));

export function faultRow(e: FaultEvent, traceparent: string | undefined): Row {
  return {
    ts: seconds(e.ts), ts_ms: e.ts, event_id: faultEventId(e), op: e.op, host: rootEntity(e.entity_instance_id),
    alarm_id: e.alarm_id ?? '', entity_type_id: e.entity_type_id ?? '', entity_instance_id: e.entity_instance_id,
    severity: e.severity ?? '', reason_text: e.reason_text ?? '', alarm_type: e.alarm_type ?? '',
    probable_cause: e.probable_cause ?? '', proposed_repair_action: e.proposed_repair_action ?? '',
    service_affecting: optionalFlag(e.service_affecting), suppression: optionalFlag(e.suppression),
    source: e.source ?? '', traceparent: traceparent ?? '',
  };
}

export function remediationRow(r: RemediationResult, header?: string): Row {
  const keys = Object.keys(r.details ?? {}).sort();
  return {
    at: seconds(r.at), at_ms: r.at, uuid: r.uuid, request_uuid: r.request_uuid ?? '', transition_uuid: r.transition_uuid,
    host: rootEntity(r.entity_instance_id), alarm_id: r.alarm_id, entity_instance_id: r.entity_instance_id,
    rule: r.rule, step: r.step, action: r.action, target: r.target, outcome: r.outcome, reason: r.reason,
    dry_run: flag(r.dry_run), duration_ms: r.duration_ms ?? null, output: r.output ?? '',
    'details.k': keys, 'details.v': keys.map((k) => r.details![k]), traceparent: r.traceparent ?? header ?? '',
  };
}

/** Turns a batch of envelopes into rows per table; topics the sink does not store are ignored. */
export function toRows(batch: readonly Envelope[], into: RowsByTable = emptyRows()): RowsByTable {
  for (const env of batch) {
    switch (env.topic) {
      case 'metrics': metricRows(env.value as MetricBatch, into.metric_samples); break;
      case 'alarms': transitionRows(env.value as AlarmTransition, into.alarm_transitions, env.traceparent); break;
      case 'faults': into.fault_events.push(faultRow(env.value as FaultEvent, env.traceparent)); break;
      case 'remediations': into.remediation_results.push(remediationRow(env.value as RemediationResult, env.traceparent)); break;
      default: break;
    }
  }
  return into;
}

export const rowCount = (r: RowsByTable): number =>
  r.metric_samples.length + r.alarm_transitions.length + r.fault_events.length + r.remediation_results.length;
