import { alarmKey, type ActiveAlarm, type EngineState } from '@faultline/schemas';
import type { EngineSnapshot } from '../engine/engine.js';
import type { AlarmTableSnapshot } from '../engine/alarm-table.js';
import type { HostSnapshot } from '../engine/heartbeat.js';
import type { ThresholdSnapshot } from '../engine/thresholds.js';
import { rootOf } from '../engine/entity.js';

/** The key of the operator state record (silences, suppression, maintenance, inventory). */
export const OPERATOR_KEY = '*';

/** One host's share of an engine snapshot; its active alarms live in alarms.active, not here. */
export interface HostState {
  flaps: AlarmTableSnapshot['flaps'];
  series: ThresholdSnapshot['series'];
  counters: ThresholdSnapshot['counters'];
  heartbeat?: HostSnapshot;
  in_multi: boolean;
}

export interface OperatorState {
  silences: AlarmTableSnapshot['silences'];
  suppressed_alarm_ids: string[];
  maintenance: AlarmTableSnapshot['maintenance'];
  inventory: AlarmTableSnapshot['inventory'];
  in_force: string;
}

const emptyHost = (): HostState => ({ flaps: [], series: [], counters: [], in_multi: false });

/**
 * Splits a snapshot into one record per host (keyed by the root of each piece's entity) plus the
 * operator record. `hosts` lists every host to write even when it has no state left, so a host
 * whose last piece went away gets an empty record rather than a stale one.
 */
export function splitSnapshot(s: EngineSnapshot, hosts: Iterable<string>): { hosts: Map<string, HostState>; operator: OperatorState } {
  const out = new Map<string, HostState>();
  for (const h of hosts) out.set(h, emptyHost());
  const at = (root: string) => {
    let h = out.get(root);
    if (!h) out.set(root, (h = emptyHost()));
    return h;
  };
  for (const f of s.table.flaps) at(rootOf(f.key.slice(f.key.indexOf('|') + 1))).flaps.push(f);
  for (const x of s.thresholds.series) at(x.node).series.push(x);
  for (const c of s.thresholds.counters) at(c.key.slice(0, c.key.indexOf('\u0000'))).counters.push(c);
  for (const h of s.heartbeats.hosts) at(h.node).heartbeat = h;
  for (const n of s.heartbeats.multi) at(n).in_multi = true;
  return {
    hosts: out,
    operator: {
      silences: s.table.silences, suppressed_alarm_ids: s.table.suppressed_alarm_ids,
      maintenance: s.table.maintenance, inventory: s.table.inventory, in_force: s.table.in_force,
    },
  };
}

/** Builds the snapshot a new owner restores: its hosts' records, the operator record and its hosts' active alarms. */
export function assembleSnapshot(hosts: Iterable<HostState>, operator: OperatorState | undefined, alarms: ActiveAlarm[]): EngineSnapshot {
  const snap: EngineSnapshot = {
    version: 1, id_counter: 0,
    table: {
      alarms, flaps: [],
      silences: operator?.silences ?? [], suppressed_alarm_ids: operator?.suppressed_alarm_ids ?? [],
      maintenance: operator?.maintenance ?? [], inventory: operator?.inventory ?? [],
      in_force: operator?.in_force ?? '',
    },
    thresholds: { series: [], counters: [] },
    heartbeats: { hosts: [], multi: [] },
  };
  for (const h of hosts) {
    snap.table.flaps.push(...h.flaps);
    snap.thresholds.series.push(...h.series);
    snap.thresholds.counters.push(...h.counters);
    if (h.heartbeat) snap.heartbeats.hosts.push(h.heartbeat);
    if (h.in_multi && h.heartbeat) snap.heartbeats.multi.push(h.heartbeat.node);
  }
  return snap;
}

export const hostRecord = (node: string, partition: number, state: HostState): EngineState =>
  ({ node, partition, state: state as unknown as Record<string, unknown> });
export const operatorRecord = (state: OperatorState): EngineState =>
  ({ node: OPERATOR_KEY, partition: -1, state: state as unknown as Record<string, unknown> });

export { alarmKey };
