import { columnarBatch, type FaultEvent, type Heartbeat, type MetricBatch, type SeriesDictionary } from '@faultline/schemas';

/** mulberry32: a tiny seeded PRNG, so a fleet and its events replay exactly. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FleetOptions {
  hosts: number;
  /** Index of this fleet's first host: several simulators with disjoint ranges make one fleet. */
  hostOffset: number;
  seriesPerHost: number;
  intervalMs: number;
  /** 0: no heartbeats (the metrics path alone). */
  heartbeatPeriodMs: number;
  hostPrefix: string;
  seed: number;
  flappingShare: number;
  fillingShare: number;
  silentHosts: number;
  silentAfterMs: number;
}

interface SimHost {
  name: string;
  bootId: string;
  hbSeq: number;
  /** The offset inside the interval at which this host sends, so the fleet's load is even. */
  phaseMs: number;
  nextBatch: number;
  nextBeat: number;
  flapping: boolean;
  filling: boolean;
  silent: boolean;
  carrierUp: boolean;
  fsUsed: number;
  cpu: number;
  mem: number;
  /** The host's last values of every series, in the fleet's dictionary order. */
  values: Float64Array;
}

export interface FleetOutput {
  batches: MetricBatch[];
  heartbeats: Heartbeat[];
  faults: FaultEvent[];
}

/** cpu, memory, / and /var usage ratios (what the default threshold rules watch), then filler counters. */
const CPU = 0, MEM = 1, ROOT_FS = 2, VAR_FS = 3, FIXED = 4;

/** The series every simulated host sends: one dictionary for the whole fleet, encoded once. */
export function fleetSeries(seriesPerHost: number): SeriesDictionary {
  const names = ['node_cpu_usage_ratio', 'node_memory_usage_ratio', 'node_filesystem_usage_ratio', 'node_filesystem_usage_ratio'];
  const labels: Record<string, string>[] = [{}, {}, { mountpoint: '/' }, { mountpoint: '/var' }];
  for (let s = 0; s < seriesPerHost - FIXED; s++) { names.push('node_sim_series'); labels.push({ series: String(s) }); }
  return { names, labels };
}

/**
 * A fleet of simulated hosts, stepped by the caller's clock (pure: no timers, no I/O). Each host has
 * the usage ratios the default rules watch, filler series up to seriesPerHost, and its scenario.
 * Batches are columnar (one shared series dictionary, a Float64Array of values per batch), so
 * generating and encoding one costs a copy of its values, not an object per sample.
 */
export function createFleet(o: FleetOptions, startMs: number) {
  // Each host range draws its own numbers; the same seed and range replay the same fleet.
  const rand = prng(o.seed + o.hostOffset * 0x9e3779b1);
  const series = fleetSeries(o.seriesPerHost);
  const hosts: SimHost[] = [];
  for (let i = 0; i < o.hosts; i++) {
    const index = o.hostOffset + i;
    const phaseMs = Math.floor((i / o.hosts) * o.intervalMs);
    const values = new Float64Array(o.seriesPerHost);
    values[ROOT_FS] = 0.4;
    hosts.push({
      name: `${o.hostPrefix}${index}`, bootId: `boot-${o.seed}-${index}`, hbSeq: 0, phaseMs,
      nextBatch: startMs + phaseMs, nextBeat: o.heartbeatPeriodMs > 0 ? startMs + (phaseMs % o.heartbeatPeriodMs) : Infinity,
      flapping: rand() < o.flappingShare, filling: rand() < o.fillingShare, silent: index < o.silentHosts,
      carrierUp: true, fsUsed: 0.5, cpu: 0.2 + rand() * 0.3, mem: 0.3 + rand() * 0.3, values,
    });
  }

  function batchOf(h: SimHost, now: number): MetricBatch {
    h.cpu = Math.min(0.99, Math.max(0.01, h.cpu + (rand() - 0.5) * 0.05));
    h.mem = Math.min(0.99, Math.max(0.01, h.mem + (rand() - 0.5) * 0.02));
    if (h.filling) h.fsUsed = h.fsUsed >= 0.97 ? 0.5 : h.fsUsed + 0.02; // fills in ~25 intervals, then cleaned
    const v = h.values;
    v[CPU] = h.cpu;
    v[MEM] = h.mem;
    v[VAR_FS] = h.fsUsed;
    // Filler counters grow by a step that differs per series and per interval, without a draw per sample.
    const step = rand();
    for (let s = FIXED; s < v.length; s++) v[s] = v[s]! + step + (s & 7) * 0.125;
    return columnarBatch({ node: h.name, collector: 'simulator', ts: now, interval_ms: o.intervalMs }, series, v.slice());
  }

  /** Everything due at or before `now`. */
  function step(now: number): FleetOutput {
    const out: FleetOutput = { batches: [], heartbeats: [], faults: [] };
    const silentFrom = startMs + o.silentAfterMs;
    for (const h of hosts) {
      if (h.silent && now >= silentFrom) continue;
      while (h.nextBeat <= now) {
        out.heartbeats.push({ node: h.name, boot_id: h.bootId, seq: h.hbSeq++, ts: h.nextBeat, period_ms: o.heartbeatPeriodMs });
        h.nextBeat += o.heartbeatPeriodMs;
      }
      if (h.nextBatch <= now) {
        out.batches.push(batchOf(h, now));
        h.nextBatch += o.intervalMs;
        if (h.flapping && rand() < 0.5) {
          h.carrierUp = !h.carrierUp;
          out.faults.push({
            op: h.carrierUp ? 'clear' : 'set', alarm_id: '700.110', entity_type_id: 'host.interface',
            entity_instance_id: `host=${h.name}.interface=eth1`, severity: 'major', alarm_type: 'communication',
            probable_cause: 'loss-of-signal', reason_text: 'eth1 carrier lost (simulated)', ts: now, source: 'collector/simulator',
          });
        }
      }
    }
    return out;
  }

  return { step, hosts: hosts.length };
}
