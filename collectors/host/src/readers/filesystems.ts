// The callback statfs, not node:fs/promises: loading that module also loads readline and the REPL's history
// (~0.5 MB RSS) for one call the collector makes only on network filesystems.
import { statfs, statfsSync, type StatsFs } from 'node:fs';
import { gauge } from '../samples.js';
import type { Reader } from './reader.js';

export interface Mount {
  mountpoint: string;
  device: string;
  fstype: string;
  /** Read-only per the mount's own options or its superblock's (ext4 errors=remount-ro flips the superblock). */
  readonly: boolean;
}

/** mountinfo escapes space, tab, newline and backslash as octal (`\040`). */
const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
const hasRo = (opts: string | undefined) => opts !== undefined && opts.split(',').includes('ro');

/** Parses /proc/<pid>/mountinfo: `id parent maj:min root mountpoint opts [optional...] - fstype source superopts`. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-', 6);
    if (dash < 0 || f.length < dash + 3) continue;
    mounts.push({
      mountpoint: unescape(f[4]!),
      device: unescape(f[dash + 2]!),
      fstype: f[dash + 1]!,
      readonly: hasRo(f[5]) || hasRo(f[dash + 3]),
    });
  }
  return mounts;
}

/** Drops excluded mounts; when a mountpoint is mounted over, the later (visible) mount wins, as df shows it. */
export function selectMounts(mounts: readonly Mount[], excludeMountpoints: RegExp, excludeFstypes: RegExp): Mount[] {
  const byPoint = new Map<string, Mount>();
  for (const m of mounts) {
    if (excludeMountpoints.test(m.mountpoint) || excludeFstypes.test(m.fstype)) continue;
    byPoint.delete(m.mountpoint);
    byPoint.set(m.mountpoint, m);
  }
  return [...byPoint.values()];
}

/** df's Use%: used over what non-root users can have (used + avail); undefined for an empty filesystem. */
export function usageRatio(s: Pick<StatsFs, 'blocks' | 'bfree' | 'bavail'>): number | undefined {
  const used = s.blocks - s.bfree;
  return used + s.bavail > 0 ? used / (used + s.bavail) : undefined;
}

const SIZE = gauge('node_filesystem_size_bytes', 'bytes', 'Filesystem size.');
const FREE = gauge('node_filesystem_free_bytes', 'bytes', 'Free space, including the blocks reserved for root.');
const AVAIL = gauge('node_filesystem_avail_bytes', 'bytes', 'Space available to non-root users.');
const FILES = gauge('node_filesystem_files', '', 'Inodes.');
const FILES_FREE = gauge('node_filesystem_files_free', '', 'Free inodes.');
const READONLY = gauge('node_filesystem_readonly', '', '1 when the filesystem is mounted read-only.');
const DEVICE_ERROR = gauge('node_filesystem_device_error', '', '1 when statfs failed or did not answer within the timeout (a hung NFS mount).');
const USAGE = gauge('node_filesystem_usage_ratio', 'ratio', 'Share of the space non-root users can have that is used (df Use%), 0..1.');

/**
 * Filesystems whose statfs answers from memory and cannot hang: called synchronously, which costs a tenth of
 * a round trip through the thread pool. Everything else (nfs, cifs, fuse, ceph, ...) goes through the pool.
 */
export const LOCAL_FSTYPES = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'tmpfs', 'ramfs', 'vfat', 'f2fs']);

export interface FilesystemReaderOptions {
  excludeMountpoints: RegExp;
  excludeFstypes: RegExp;
  /** How long one statfs may take before the mount counts as stuck and is skipped until it answers. */
  statfsTimeoutMs: number;
}

/**
 * statfs of a network or FUSE filesystem runs on libuv's thread pool, never on the event loop, so a hung NFS
 * server cannot stop the heartbeats; a mount whose statfs has not answered is skipped (device_error 1) until it does.
 */
export function createFilesystemReader(opts: FilesystemReaderOptions): Reader {
  const stuck = new Set<string>();
  const timedStatfs = (path: string, fstype: string): StatsFs | undefined | Promise<StatsFs | undefined> => {
    if (LOCAL_FSTYPES.has(fstype)) {
      try { return statfsSync(path); } catch { return undefined; }
    }
    if (stuck.has(path)) return undefined;
    return new Promise((resolve) => {
      let done = false;
      const timer = setTimeout(() => { done = true; stuck.add(path); resolve(undefined); }, opts.statfsTimeoutMs);
      statfs(path, (err, s) => {
        stuck.delete(path);
        if (!done) { clearTimeout(timer); resolve(err ? undefined : s); }
      });
    });
  };
  return {
    async read({ files, paths, out, obs }) {
      const text = files.read(`${paths.proc}/1/mountinfo`) ?? files.read(`${paths.proc}/self/mountinfo`);
      if (text === undefined) return;
      const mounts = selectMounts(parseMountinfo(text), opts.excludeMountpoints, opts.excludeFstypes);
      const root = paths.rootfs === '/' ? '' : paths.rootfs;
      const stats = await Promise.all(mounts.map((m) => timedStatfs(root + m.mountpoint, m.fstype)));
      obs.filesystems = [];
      for (let i = 0; i < mounts.length; i++) {
        const m = mounts[i]!;
        const s = stats[i];
        const labels = { device: m.device, fstype: m.fstype, mountpoint: m.mountpoint };
        obs.filesystems.push(m);
        out.add(DEVICE_ERROR, labels, s ? 0 : 1);
        out.add(READONLY, labels, m.readonly ? 1 : 0);
        if (!s) continue;
        out.add(SIZE, labels, s.blocks * s.bsize);
        out.add(FREE, labels, s.bfree * s.bsize);
        out.add(AVAIL, labels, s.bavail * s.bsize);
        out.add(FILES, labels, s.files);
        out.add(FILES_FREE, labels, s.ffree);
        const usage = usageRatio(s);
        if (usage !== undefined) out.add(USAGE, labels, usage);
      }
    },
  };
}
