import type { FaultEvent, ProbableCause } from '@faultline/schemas';
import type { FilesystemState, InterfaceState, Observations, SensorKind, SensorReading } from '../observations.js';
import { ALARMS, entityValue, faultEvent, type AlarmName, type FaultSource } from './alarms.js';
import { judgeRising, type RisingState } from './rising.js';
import { transitions, type Judgement, type Said } from './tracker.js';

export interface FaultOptions {
  /** Which interfaces raise 700.110: those backed by a device (default), every one, or none. */
  carrierInterfaces: 'physical' | 'all' | 'none';
  /** Mount points that raise 700.105 whenever read-only, even if never seen read-write since the start. */
  mustBeReadWrite: readonly string[];
  /** How long an error counter must stay flat before its "rising" fault clears. */
  risingQuietMs: number;
  /** A sensor alarm clears once the reading is back inside its limit by this share of the limit. */
  sensorHysteresis: number;
}

export interface FaultState {
  said: Record<AlarmName, Said>;
  /** Mount points seen read-write since the start: read-only after that is a remount, not the way it was mounted. */
  seenReadWrite: ReadonlySet<string>;
  diskErrors: ReadonlyMap<string, RisingState>;
  memoryErrors: ReadonlyMap<string, RisingState>;
}

export const initialFaultState = (): FaultState => ({
  said: {
    filesystemReadOnly: new Map(), diskIoErrors: new Map(), carrierLost: new Map(),
    sensorCritical: new Map(), memoryUncorrectable: new Map(), clockUnsynchronised: new Map(),
  },
  seenReadWrite: new Set(),
  diskErrors: new Map(),
  memoryErrors: new Map(),
});

/** 700.110: an interface the operator wants up has no carrier. Admin down is intent, not a fault. */
export function judgeCarrier(interfaces: readonly InterfaceState[], which: FaultOptions['carrierInterfaces']): Judgement[] {
  if (which === 'none') return [];
  return interfaces.filter((i) => which === 'all' || i.physical).map((i) => {
    const entity = `interface=${entityValue(i.device)}`;
    if (!i.adminUp) return { entity, verdict: 'ok' };
    if (i.carrier === undefined) return { entity, verdict: 'undecided' };
    return i.carrier
      ? { entity, verdict: 'ok' }
      : { entity, verdict: 'bad', reason: `Interface ${i.device} is administratively up but has lost carrier (operstate ${i.operstate})` };
  });
}

/** 700.105: a filesystem seen read-write is now read-only (or one that must be read-write is not). */
export function judgeReadOnly(filesystems: readonly FilesystemState[], seenReadWrite: ReadonlySet<string>, mustBeReadWrite: readonly string[]): { judgements: Judgement[]; seenReadWrite: Set<string> } {
  const seen = new Set<string>();
  const judgements = filesystems.map((fs): Judgement => {
    const entity = `filesystem=${entityValue(fs.mountpoint)}`;
    if (!fs.readonly) {
      seen.add(fs.mountpoint);
      return { entity, verdict: 'ok' };
    }
    if (seenReadWrite.has(fs.mountpoint) || mustBeReadWrite.includes(fs.mountpoint)) {
      seen.add(fs.mountpoint);
      return { entity, verdict: 'bad', reason: `Filesystem ${fs.mountpoint} (${fs.device}, ${fs.fstype}) is read-only` };
    }
    return { entity, verdict: 'undecided' }; // mounted read-only on purpose, or remounted before we started
  });
  return { judgements, seenReadWrite: seen };
}

const SENSOR_CAUSE: Record<SensorKind, ProbableCause> = {
  temp: 'temperature-unacceptable',
  in: 'power-problem',
  fan: 'heating-ventilation-cooling-system-problem',
};
const UNIT: Record<SensorKind, string> = { temp: '°C', in: 'V', fan: 'rpm' };

/** 700.120: a reading at or beyond its critical limit; it clears only once back inside by the hysteresis margin. */
export function judgeSensors(sensors: readonly SensorReading[], said: Said, hysteresis: number): Judgement[] {
  const out: Judgement[] = [];
  for (const s of sensors) {
    if (s.crit === undefined && s.lcrit === undefined) continue; // no limit, nothing to judge
    const entity = `sensor=${entityValue(`${s.chip}/${s.sensor}`)}`;
    const raised = said.get(entity) === 'raised';
    const high = s.crit !== undefined && (raised ? s.value > s.crit - Math.abs(s.crit) * hysteresis : s.value >= s.crit);
    const low = s.lcrit !== undefined && (raised ? s.value < s.lcrit + Math.abs(s.lcrit) * hysteresis : s.value <= s.lcrit);
    if (!high && !low) {
      out.push({ entity, verdict: 'ok' });
      continue;
    }
    const limit = high ? `critical limit ${s.crit} ${UNIT[s.kind]}` : `${s.kind === 'fan' ? 'minimum' : 'critical low limit'} ${s.lcrit} ${UNIT[s.kind]}`;
    out.push({
      entity, verdict: 'bad', probableCause: SENSOR_CAUSE[s.kind],
      reason: `Sensor ${s.chip}/${s.sensor} reads ${s.value} ${UNIT[s.kind]}, beyond its ${limit}`,
    });
  }
  return out;
}

/** 700.106 and 700.130: an error counter per entity, judged by judgeRising. */
export function judgeCounts(
  counts: readonly { entity: string; count: number; what: string }[], states: ReadonlyMap<string, RisingState>, now: number, quietMs: number,
): { judgements: Judgement[]; states: Map<string, RisingState> } {
  const next = new Map<string, RisingState>();
  const judgements = counts.map((c): Judgement => {
    const prev = states.get(c.entity);
    const { state, verdict } = judgeRising(prev, c.count, now, quietMs);
    next.set(c.entity, state);
    return verdict === 'bad'
      ? { entity: c.entity, verdict, reason: `${c.what} rising: ${c.count} since boot` }
      : { entity: c.entity, verdict };
  });
  return { judgements, states: next };
}

/**
 * One interval of fault detection: this interval's observations and the previous state in, the next state
 * and the FaultEvents to send out. Groups not observed this interval keep their state and say nothing.
 */
export function detectFaults(state: FaultState, obs: Observations, now: number, opts: FaultOptions, src: FaultSource): { state: FaultState; events: FaultEvent[] } {
  const said = { ...state.said };
  const next: FaultState = { ...state, said };
  const events: FaultEvent[] = [];
  const apply = (name: AlarmName, judgements: Judgement[]) => {
    const r = transitions(said[name], judgements);
    said[name] = r.said;
    for (const t of r.out) events.push(faultEvent(ALARMS[name], t, now, src));
  };

  if (obs.interfaces) apply('carrierLost', judgeCarrier(obs.interfaces, opts.carrierInterfaces));
  if (obs.filesystems) {
    const r = judgeReadOnly(obs.filesystems, state.seenReadWrite, opts.mustBeReadWrite);
    next.seenReadWrite = r.seenReadWrite;
    apply('filesystemReadOnly', r.judgements);
  }
  if (obs.sensors) apply('sensorCritical', judgeSensors(obs.sensors, said.sensorCritical, opts.sensorHysteresis));
  if (obs.disks) {
    const counts = obs.disks.map((d) => ({ entity: `disk=${entityValue(d.device)}`, count: d.ioErrors, what: `I/O errors on ${d.device}` }));
    const r = judgeCounts(counts, state.diskErrors, now, opts.risingQuietMs);
    next.diskErrors = r.states;
    apply('diskIoErrors', r.judgements);
  }
  if (obs.memoryControllers) {
    const counts = obs.memoryControllers.map((m) => ({ entity: `memory_controller=${m.controller}`, count: m.uncorrectable, what: `Uncorrectable memory errors on ${m.controller}` }));
    const r = judgeCounts(counts, state.memoryErrors, now, opts.risingQuietMs);
    next.memoryErrors = r.states;
    apply('memoryUncorrectable', r.judgements);
  }
  if (obs.clock) {
    const c = obs.clock;
    apply('clockUnsynchronised', [c.synced
      ? { entity: '', verdict: 'ok' }
      : { entity: '', verdict: 'bad', reason: c.lastSyncAgeSeconds === undefined
        ? `The clock is not synchronised and has not been since the time daemon started (${c.source})`
        : `The clock is not synchronised: last synchronised ${Math.round(c.lastSyncAgeSeconds)} s ago (${c.source})` }]);
  }
  return { state: next, events };
}
