import {
  SEVERITIES, alarmKey, createActiveAlarmTable, type Alarm, type AlarmTransition, type TransitionKind,
} from '@faultline/schemas';
import { familyHeader, labelName, seriesPrefix } from './exposition.js';

const KINDS = [
  'raised', 'updated', 'cleared', 'cleared_all', 'inhibited', 'uninhibited', 'flapping', 'stable', 'suppressed', 'unsuppressed',
] as const satisfies readonly TransitionKind[];

const HEADERS = {
  active: familyHeader('faultline_alarm_active', 'gauge',
    'An active alarm: 1 while it is raised; the series goes away when it clears.'),
  raised: familyHeader('faultline_alarm_raised_timestamp_seconds', 'gauge', 'When the active alarm was raised.'),
  muted: familyHeader('faultline_alarm_muted', 'gauge',
    'An active alarm that is not notified, by reason: inhibited (by a parent alarm), suppressed (by an operator) or silenced.'),
  count: familyHeader('faultline_active_alarms', 'gauge', 'Active alarms by severity.'),
  transitions: familyHeader('faultline_alarm_transitions_total', 'counter', 'Alarm transitions applied, by kind.'),
};

interface Rendered { active: string; raised: string; muted: string; severity: Alarm['severity'] }

export interface AlarmMetrics {
  /** Applies transitions; a replayed one (already applied) changes nothing and is not counted. */
  apply(t: AlarmTransition): void;
  render(): string;
  readonly activeCount: number;
  /** The active alarms and the transition counters: saved so a restart neither loses alarms nor resets counters. */
  snapshot(): AlarmMetricsSnapshot;
  restore(s: AlarmMetricsSnapshot): void;
}

export interface AlarmMetricsSnapshot {
  alarms: { alarm: Alarm; seq: number }[];
  transitions: Record<string, number>;
}

/** `node` from the entity path when its root is a host (`host=compute-0.port=eth0`). */
const nodeOf = (entity: string) => (entity.startsWith('host=') ? entity.slice(5).split('.', 1)[0]! : '');

/**
 * Alarm state as series that stay the same while the alarm does: one `faultline_alarm_active`
 * series per active alarm, its label set rendered once when the alarm changes.
 */
export function createAlarmMetrics(nodeLabel: string): AlarmMetrics {
  const table = createActiveAlarmTable();
  const rendered = new Map<string, Rendered>();
  const transitions = new Map<string, number>(KINDS.map((k) => [k, 0]));

  function render(a: Alarm): Rendered {
    const id: [string, string][] = [['alarm_id', a.alarm_id], ['entity_instance_id', a.entity_instance_id]];
    const fixed: [string, string][] = [
      ...id,
      ['severity', a.severity],
      ['alarm_type', a.alarm_type],
      ['probable_cause', a.probable_cause],
      ['service_affecting', String(a.service_affecting)],
      [nodeLabel, nodeOf(a.entity_instance_id)],
    ];
    const taken = new Set(fixed.map(([k]) => k));
    for (const [k, v] of Object.entries(a.labels)) {
      const name = labelName(k);
      if (!taken.has(name)) { fixed.push([name, v]); taken.add(name); }
    }
    const reasons = [a.inhibited && 'inhibited', a.suppressed && 'suppressed', a.silenced_by.length > 0 && 'silenced'].filter(Boolean) as string[];
    return {
      active: seriesPrefix('faultline_alarm_active', fixed) + ' 1\n',
      raised: seriesPrefix('faultline_alarm_raised_timestamp_seconds', id) + ` ${a.raised_at / 1000}\n`,
      muted: reasons.map((r) => seriesPrefix('faultline_alarm_muted', [...id, ['reason', r]]) + ' 1\n').join(''),
      severity: a.severity,
    };
  }

  return {
    apply(t) {
      const changes = table.apply(t);
      if (!changes.length) return;
      transitions.set(t.kind, (transitions.get(t.kind) ?? 0) + 1);
      for (const c of changes) {
        if (c.active) rendered.set(c.key, render(c.alarm));
        else rendered.delete(c.key);
      }
    },
    render() {
      const bySeverity = new Map<string, number>(SEVERITIES.map((s) => [s, 0]));
      const active: string[] = [HEADERS.active];
      const raised: string[] = [HEADERS.raised];
      const muted: string[] = [HEADERS.muted];
      for (const r of rendered.values()) {
        active.push(r.active);
        raised.push(r.raised);
        if (r.muted) muted.push(r.muted);
        bySeverity.set(r.severity, bySeverity.get(r.severity)! + 1);
      }
      const out = [...(active.length > 1 ? active : []), ...(raised.length > 1 ? raised : []), ...(muted.length > 1 ? muted : [])];
      out.push(HEADERS.count);
      for (const [s, n] of bySeverity) out.push(`faultline_active_alarms{severity="${s}"} ${n}\n`);
      out.push(HEADERS.transitions);
      for (const [k, n] of transitions) out.push(`faultline_alarm_transitions_total{kind="${k}"} ${n}\n`);
      return out.join('');
    },
    get activeCount() { return rendered.size; },
    snapshot: () => ({ alarms: table.snapshot(), transitions: Object.fromEntries(transitions) }),
    restore(snap) {
      table.restore(snap.alarms);
      for (const a of table.values()) rendered.set(alarmKey(a), render(a));
      for (const [k, n] of Object.entries(snap.transitions)) transitions.set(k, n);
    },
  };
}
