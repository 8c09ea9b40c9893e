import type { MetricBatch, Sample } from '@faultline/schemas';
import { prng } from '@faultline/collector-simulator';

/**
 * Batches shaped like the host collector's (collectors/host): per-CPU counters for every mode,
 * memory, filesystems, disks and interfaces, with the three usage gauges the default rules select.
 * Values are seeded-random and sometimes beyond the thresholds, so alarms raise and clear.
 */
export interface Workload {
  batches: MetricBatch[];
  samples: number;
  /** Samples the default rules select (cpu, memory, filesystem usage). */
  selected: number;
}

const MODES = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'];
const MOUNTS = ['/', '/var', '/var/log', '/opt', '/scratch'];
const DISKS = ['sda', 'sdb', 'nvme0n1'];
const IFACES = ['eth0', 'eth1', 'bond0'];


export function makeWorkload(hosts: number, rounds: number, cpus = 4, seed = 42): Workload {
  const r = prng(seed);
  // Label objects are shared between rounds, as the collector does (it reuses them per series).
  const cpuLabels = Array.from({ length: cpus }, (_, c) => MODES.map((mode) => ({ cpu: String(c), mode })));
  const fsLabels = MOUNTS.map((mountpoint, i) => ({ mountpoint, device: `/dev/sd${i}`, fstype: 'ext4' }));
  const diskLabels = DISKS.map((device) => ({ device }));
  const ifLabels = IFACES.map((device) => ({ device }));
  const none = {};
  const batches: MetricBatch[] = [];
  let samples = 0;
  let selected = 0;
  const hot = new Set(Array.from({ length: Math.max(1, Math.floor(hosts / 20)) }, () => Math.floor(r() * hosts)));
  for (let round = 0; round < rounds; round++) {
    for (let h = 0; h < hosts; h++) {
      const s: Sample[] = [];
      const busy = hot.has(h) ? 0.9 + r() * 0.1 : r() * 0.6;
      for (let c = 0; c < cpus; c++) for (let m = 0; m < MODES.length; m++) s.push({ name: 'node_cpu_seconds_total', labels: cpuLabels[c]![m]!, value: round * 10 + m });
      s.push({ name: 'node_cpu_usage_ratio', labels: none, value: busy });
      for (const n of ['MemTotal', 'MemFree', 'MemAvailable', 'Buffers', 'Cached', 'SwapTotal', 'SwapFree']) s.push({ name: `node_memory_${n}_bytes`, labels: none, value: r() * 1e10 });
      s.push({ name: 'node_memory_usage_ratio', labels: none, value: hot.has(h) ? 0.85 + r() * 0.1 : r() * 0.7 });
      for (const l of fsLabels) {
        s.push({ name: 'node_filesystem_size_bytes', labels: l, value: 1e11 });
        s.push({ name: 'node_filesystem_avail_bytes', labels: l, value: r() * 1e11 });
        s.push({ name: 'node_filesystem_free_bytes', labels: l, value: r() * 1e11 });
        s.push({ name: 'node_filesystem_files', labels: l, value: 1e7 });
        s.push({ name: 'node_filesystem_files_free', labels: l, value: r() * 1e7 });
        s.push({ name: 'node_filesystem_readonly', labels: l, value: 0 });
        s.push({ name: 'node_filesystem_usage_ratio', labels: l, value: r() });
      }
      for (const l of diskLabels) {
        for (const n of ['reads_completed_total', 'writes_completed_total', 'read_bytes_total', 'written_bytes_total', 'io_time_seconds_total', 'io_errors_total']) {
          s.push({ name: `node_disk_${n}`, labels: l, value: round * 100 });
        }
      }
      for (const l of ifLabels) {
        for (const n of ['receive_bytes_total', 'transmit_bytes_total', 'receive_errs_total', 'transmit_errs_total', 'receive_drop_total', 'transmit_drop_total']) {
          s.push({ name: `node_network_${n}`, labels: l, value: round * 1000 });
        }
        s.push({ name: 'node_network_carrier', labels: l, value: 1 });
        s.push({ name: 'node_network_up', labels: l, value: 1 });
      }
      for (const n of ['load1', 'load5', 'load15', 'procs_running', 'procs_blocked', 'context_switches_total', 'forks_total', 'intr_total']) s.push({ name: `node_${n}`, labels: none, value: r() });
      samples += s.length;
      selected += 2 + MOUNTS.length;
      batches.push({ node: `compute-${h}`, collector: 'host', ts: 1_700_000_000_000 + round * 10_000, interval_ms: 10_000, samples: s });
    }
  }
  return { batches, samples, selected };
}
