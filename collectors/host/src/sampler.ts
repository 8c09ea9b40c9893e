import { createHostFiles, type HostFiles } from './host-files.js';
import type { HostCollectorConfig, MetricGroup } from './config.js';
import type { Observations } from './observations.js';
import { SampleBuffer } from './samples.js';
import { parseDuration } from '@faultline/runtime';
import { createClockReader } from './readers/clock.js';
import { createCpuReader } from './readers/cpu.js';
import { createDiskReader } from './readers/diskstats.js';
import { createEdacReader } from './readers/edac.js';
import { createFilesystemReader } from './readers/filesystems.js';
import { createHwmonReader } from './readers/hwmon.js';
import { createLoadReader } from './readers/load.js';
import { createMemoryReader } from './readers/memory.js';
import { createNetworkReader } from './readers/network.js';
import { createPressureReader } from './readers/pressure.js';
import type { HostPaths, Reader } from './readers/reader.js';

export interface Collection {
  buffer: SampleBuffer;
  obs: Observations;
  /** Groups whose reader threw this time, with the message; the other groups' samples are still there. */
  failed: { group: MetricGroup; error: string }[];
}

/** Reads every configured metric group once per call; the collector, the tests and the benchmark share it. */
export interface HostSampler {
  collect(now: number): Promise<Collection>;
  /** A one-line file under procfs (the boot id); undefined when absent. */
  readProc(rel: string): string | undefined;
  close(): void;
}

/** `127.0.0.1:323`, `[::1]:323` */
function hostPort(text: string): { host: string; port: number } {
  const colon = text.lastIndexOf(':');
  return { host: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(text.slice(colon + 1)) };
}

function readerFor(group: MetricGroup, config: HostCollectorConfig): Reader {
  switch (group) {
    case 'cpu': return createCpuReader();
    case 'load': return createLoadReader();
    case 'pressure': return createPressureReader();
    case 'memory': return createMemoryReader();
    case 'filesystems': return createFilesystemReader({
      excludeMountpoints: new RegExp(config.filesystems.exclude_mountpoints),
      excludeFstypes: new RegExp(config.filesystems.exclude_fstypes),
      statfsTimeoutMs: parseDuration(config.filesystems.statfs_timeout),
    });
    case 'disks': return createDiskReader({ excludeDevices: new RegExp(config.disks.exclude_devices) });
    case 'network': return createNetworkReader({ excludeDevices: new RegExp(config.network.exclude_devices) });
    case 'hwmon': return createHwmonReader();
    case 'edac': return createEdacReader();
    case 'clock': return createClockReader({
      syncMarker: config.clock.sync_marker,
      maxSyncAgeMs: parseDuration(config.clock.max_sync_age),
      ...(config.clock.chrony ? { chrony: { ...hostPort(config.clock.chrony), timeoutMs: parseDuration(config.clock.chrony_timeout) } } : {}),
    });
  }
}

/** Builds the readers (no I/O); the first collect() opens the files. */
export function createHostSampler(config: HostCollectorConfig, files: HostFiles = createHostFiles()): HostSampler {
  const readers = config.groups.map((group) => ({ group, reader: readerFor(group, config) }));
  const paths: HostPaths = { proc: config.paths.proc, sys: config.paths.sys, rootfs: config.paths.rootfs };
  return {
    async collect(now) {
      const buffer = new SampleBuffer();
      const obs: Observations = {};
      const failed: Collection['failed'] = [];
      for (const { group, reader } of readers) {
        // One group's surprise (a kernel format we do not know) must not cost the others their samples.
        try {
          await reader.read({ files, paths, out: buffer, obs, now });
        } catch (err) {
          failed.push({ group, error: (err as Error).message });
        }
      }
      files.sweep();
      return { buffer, obs, failed };
    },
    readProc: (rel) => files.read(`${paths.proc}/${rel}`)?.trim(),
    close: () => {
      for (const { reader } of readers) reader.close?.();
      files.close();
    },
  };
}
