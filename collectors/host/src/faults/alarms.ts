import type { AlarmType, FaultEvent, ProbableCause, Severity } from '@faultline/schemas';
import type { Transition } from './tracker.js';

/** The host collector's faults, with the ids agreed in the correlator's default catalog. */
export interface AlarmSpec {
  id: string;
  severity: Severity;
  alarmType: AlarmType;
  probableCause: ProbableCause;
  serviceAffecting: boolean;
  repair: string;
}

export const ALARMS = {
  filesystemReadOnly: {
    id: '700.105', severity: 'major', alarmType: 'equipment', probableCause: 'file-error', serviceAffecting: true,
    repair: 'Check the kernel log for the I/O or filesystem error that forced the read-only remount; repair (fsck) and remount read-write.',
  },
  diskIoErrors: {
    id: '700.106', severity: 'major', alarmType: 'equipment', probableCause: 'io-device-error', serviceAffecting: false,
    repair: 'Check the disk\'s SMART data and the kernel log; replace the disk if errors keep rising.',
  },
  carrierLost: {
    id: '700.110', severity: 'major', alarmType: 'communication', probableCause: 'loss-of-signal', serviceAffecting: true,
    repair: 'Check the cable, the transceiver and the switch port of this interface.',
  },
  sensorCritical: {
    id: '700.120', severity: 'critical', alarmType: 'environmental', probableCause: 'temperature-unacceptable', serviceAffecting: true,
    repair: 'Check cooling (fans, airflow, ambient temperature) and power supplies; the hardware may shut down to protect itself.',
  },
  memoryUncorrectable: {
    id: '700.130', severity: 'critical', alarmType: 'equipment', probableCause: 'equipment-malfunction', serviceAffecting: true,
    repair: 'Identify the failing DIMM from the EDAC csrow counters and the kernel log, and replace it.',
  },
  clockUnsynchronised: {
    id: '700.140', severity: 'minor', alarmType: 'time-domain-violation', probableCause: 'timing-problem', serviceAffecting: false,
    repair: 'Check the time daemon (systemd-timesyncd) and that its NTP servers are reachable.',
  },
} as const satisfies Record<string, AlarmSpec>;

export type AlarmName = keyof typeof ALARMS;

/** `=` and a leading `.` would break the entity path grammar; mount points and sensor labels may hold either. */
export const entityValue = (v: string) => v.replace(/=/g, '_');

export interface FaultSource {
  node: string;
  /** `collector/host@compute-0` */
  source: string;
}

/**
 * The one FaultEvent builder: a set or clear of `spec` for a transition the tracker found. A clear carries
 * only what identifies the alarm; a set carries the spec's X.733 fields, with the transition's reason and
 * probable cause where the judge gave them.
 */
export function faultEvent(spec: AlarmSpec, t: Transition, ts: number, src: FaultSource): FaultEvent {
  const entityPath = t.entity ? `host=${src.node}.${t.entity}` : `host=${src.node}`;
  // No uuid: set and clear are idempotent per (alarm_id, entity) in fm-api semantics, so a resent event changes
  // nothing; and leaving node:crypto unloaded keeps ~3 MB out of the collector's RSS (bench/collector).
  const base: FaultEvent = { op: t.op, alarm_id: spec.id, entity_instance_id: entityPath, ts, source: src.source };
  if (t.op === 'clear') return base;
  return {
    ...base,
    entity_type_id: t.entity ? `host.${t.entity.slice(0, t.entity.indexOf('='))}` : 'host',
    severity: spec.severity,
    reason_text: t.reason ?? spec.id,
    alarm_type: spec.alarmType,
    probable_cause: t.probableCause ?? spec.probableCause,
    proposed_repair_action: spec.repair,
    service_affecting: spec.serviceAffecting,
    suppression: true,
  };
}
