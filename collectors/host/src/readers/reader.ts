import type { HostFiles } from '../host-files.js';
import type { Observations } from '../observations.js';
import type { SampleBuffer } from '../samples.js';

/** Where the host's pseudo filesystems are: `/proc`, `/sys`, `/` normally; another root in a container or a test. */
export interface HostPaths {
  proc: string;
  sys: string;
  rootfs: string;
}

export interface ReadContext {
  files: HostFiles;
  paths: HostPaths;
  out: SampleBuffer;
  obs: Observations;
  /** Collection time, ms since the epoch. */
  now: number;
}

/** One metric group. Readers keep what they need between intervals (previous counters, stuck mounts). */
export interface Reader {
  read(ctx: ReadContext): void | Promise<void>;
  /** Releases what the reader holds besides files (a socket). */
  close?(): void;
}
