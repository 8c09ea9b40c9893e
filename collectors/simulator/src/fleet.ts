import type { FaultEvent, Heartbeat, MetricBatch, Sample } from '@faultline/schemas';

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
  seriesPerHost: number;
  intervalMs: number;
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
  filler: Sample[];
}

export interface FleetOutput {
  batches: MetricBatch[];
  heartbeats: Heartbeat[];
  faults: FaultEvent[];
}

const FIXED = 4; // cpu, memory, /, /var usage ratios: what the default threshold rules watch

/**
 * A fleet of simulated hosts, stepped by the caller's clock (pure: no timers, no I/O). Each host has
 * the three usage ratios the default rules watch, filler series up to seriesPerHost, and its scenario.
 */
export function createFleet(o: FleetOptions, startMs: number) {
  const rand = prng(o.seed);
  const hosts: SimHost[] = [];
  for (let i = 0; i < o.hosts; i++) {
    const name = `${o.hostPrefix}${i}`;
    const phaseMs = Math.floor((i / o.hosts) * o.intervalMs);
    const filler: Sample[] = [];
    for (let s = 0; s < o.seriesPerHost - FIXED; s++) {
      filler.push({ name: 'node_sim_series', labels: { series: String(s) }, value: 0 });
    }
    hosts.push({
      name, bootId: `boot-${o.seed}-${i}`, hbSeq: 0, phaseMs,
      nextBatch: startMs + phaseMs, nextBeat: startMs + (phaseMs % o.heartbeatPeriodMs),
      flapping: rand() < o.flappingShare, filling: rand() < o.fillingShare, silent: i < o.silentHosts,
      carrierUp: true, fsUsed: 0.5, cpu: 0.2 + rand() * 0.3, mem: 0.3 + rand() * 0.3, filler,
    });
  }

  function batchOf(h: SimHost, now: number): MetricBatch {
    h.cpu = Math.min(0.99, Math.max(0.01, h.cpu + (rand() - 0.5) * 0.05));
    h.mem = Math.min(0.99, Math.max(0.01, h.mem + (rand() - 0.5) * 0.02));
    if (h.filling) h.fsUsed = h.fsUsed >= 0.97 ? 0.5 : h.fsUsed + 0.02; // fills in ~25 intervals, then cleaned
    for (const s of h.filler) s.value += rand();
    return {
      node: h.name, collector: 'simulator', ts: now, interval_ms: o.intervalMs,
      samples: [
        { name: 'node_cpu_usage_ratio', labels: {}, value: h.cpu },
        { name: 'node_memory_usage_ratio', labels: {}, value: h.mem },
        { name: 'node_filesystem_usage_ratio', labels: { mountpoint: '/' }, value: 0.4 },
        { name: 'node_filesystem_usage_ratio', labels: { mountpoint: '/var' }, value: h.fsUsed },
        ...h.filler,
      ],
    };
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
