import { counter, gauge, type MetricDef } from '../samples.js';
import type { Reader } from './reader.js';

/** /proc/diskstats columns after `major minor name`, as node_exporter names them, with the factor to base units. */
const SECTOR = 512; // diskstats counts 512-byte sectors whatever the device's block size
const FIELDS: [MetricDef, number][] = [
  [counter('node_disk_reads_completed_total', '', 'Reads completed.'), 1],
  [counter('node_disk_reads_merged_total', '', 'Adjacent reads merged.'), 1],
  [counter('node_disk_read_bytes_total', 'bytes', 'Bytes read.'), SECTOR],
  [counter('node_disk_read_time_seconds_total', 'seconds', 'Seconds spent by all reads.'), 0.001],
  [counter('node_disk_writes_completed_total', '', 'Writes completed.'), 1],
  [counter('node_disk_writes_merged_total', '', 'Adjacent writes merged.'), 1],
  [counter('node_disk_written_bytes_total', 'bytes', 'Bytes written.'), SECTOR],
  [counter('node_disk_write_time_seconds_total', 'seconds', 'Seconds spent by all writes.'), 0.001],
  [gauge('node_disk_io_now', '', 'I/Os in progress.'), 1],
  [counter('node_disk_io_time_seconds_total', 'seconds', 'Seconds the device had I/O in flight (utilisation).'), 0.001],
  [counter('node_disk_io_time_weighted_seconds_total', 'seconds', 'Seconds of I/O time weighted by the I/Os in flight.'), 0.001],
  [counter('node_disk_discards_completed_total', '', 'Discards completed.'), 1],
  [counter('node_disk_discards_merged_total', '', 'Adjacent discards merged.'), 1],
  [counter('node_disk_discarded_sectors_total', '', 'Sectors discarded.'), 1],
  [counter('node_disk_discard_time_seconds_total', 'seconds', 'Seconds spent by all discards.'), 0.001],
  [counter('node_disk_flush_requests_total', '', 'Flush requests completed.'), 1],
  [counter('node_disk_flush_requests_time_seconds_total', 'seconds', 'Seconds spent by all flush requests.'), 0.001],
];
const IO_ERRORS = counter('node_disk_io_errors_total', '', 'I/O requests that completed with an error (SCSI ioerr_cnt).');

export interface DiskStats {
  device: string;
  /** Raw columns, as many as the kernel has (11 before 4.18, 15 before 5.5, 17 since). */
  values: number[];
}

export function parseDiskstats(text: string, exclude: RegExp): DiskStats[] {
  const disks: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ').filter(Boolean);
    const device = f[2];
    if (!device || exclude.test(device)) continue;
    disks.push({ device, values: f.slice(3).map(Number) });
  }
  return disks;
}

/** SCSI's `ioerr_cnt` is hexadecimal (`0x1f`). */
export const parseIoErrCount = (text: string) => Number(text.trim());

export function createDiskReader(opts: { excludeDevices: RegExp }): Reader {
  return {
    read({ files, paths, out, obs }) {
      const text = files.read(`${paths.proc}/diskstats`);
      if (text === undefined) return;
      obs.disks = [];
      for (const d of parseDiskstats(text, opts.excludeDevices)) {
        const labels = { device: d.device };
        for (let i = 0; i < d.values.length && i < FIELDS.length; i++) {
          const [def, factor] = FIELDS[i]!;
          out.add(def, labels, d.values[i]! * factor);
        }
        // Only SCSI-like devices count failed I/O; virtio and NVMe have no such file and are skipped.
        const errText = files.read(`${paths.sys}/block/${d.device}/device/ioerr_cnt`);
        if (errText === undefined) continue;
        const ioErrors = parseIoErrCount(errText);
        if (!Number.isFinite(ioErrors)) continue;
        out.add(IO_ERRORS, labels, ioErrors);
        obs.disks.push({ device: d.device, ioErrors });
      }
    },
  };
}
