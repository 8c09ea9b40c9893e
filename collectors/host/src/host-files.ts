import { closeSync, openSync, readdirSync, readSync, readlinkSync, existsSync, statSync } from 'node:fs';

/** How many intervals a path that failed to open is not tried again (a missing file throws, and throwing is dear). */
const RECHECK_ABSENT_EVERY = 60;

/**
 * Reads /proc and /sys files through file descriptors kept open between intervals, into one reused buffer.
 * procfs and sysfs regenerate a file's content when it is read again from offset 0, so a persistent fd saves
 * the open/close pair and the per-read Buffer a readFileSync would cost on every interval (measured in
 * bench/collector). A file that fails (gone, ENODEV, EINVAL for a down interface's carrier) reads as undefined
 * and its fd is closed, so a removed interface or disk leaves nothing behind. A path that does not exist
 * (no ioerr_cnt on a virtio disk, no EDAC) is remembered as absent and tried again every 60 intervals.
 */
export interface HostFiles {
  read(path: string): string | undefined;
  list(dir: string): string[];
  exists(path: string): boolean;
  link(path: string): string | undefined;
  mtimeMs(path: string): number | undefined;
  /** Closes the fds of files not read since the previous call: devices that went away. */
  sweep(): void;
  close(): void;
}

export function createHostFiles(): HostFiles {
  const fds = new Map<string, { fd: number; used: boolean }>();
  const absent = new Map<string, number>(); // path -> sweep at which it was found missing
  let sweeps = 0;
  const knownAbsent = (path: string) => {
    const at = absent.get(path);
    if (at === undefined) return false;
    if (sweeps - at < RECHECK_ABSENT_EVERY) return true;
    absent.delete(path);
    return false;
  };
  let buf = Buffer.allocUnsafe(64 * 1024);

  const forget = (path: string) => {
    const e = fds.get(path);
    if (!e) return;
    fds.delete(path);
    try { closeSync(e.fd); } catch { /* already gone */ }
  };

  function read(path: string): string | undefined {
    let e = fds.get(path);
    if (!e) {
      if (knownAbsent(path)) return undefined;
      try {
        e = { fd: openSync(path, 'r'), used: true };
      } catch {
        absent.set(path, sweeps);
        return undefined;
      }
      fds.set(path, e);
    }
    e.used = true;
    try {
      let total = 0;
      // A short read is the end: sysfs returns an attribute whole, and seq_file (procfs) keeps filling the
      // buffer until it is full or the file ends. So one pread per file per interval, unless the buffer fills.
      for (;;) {
        const want = buf.length - total;
        const n = readSync(e.fd, buf, total, want, total);
        total += n;
        if (n < want) break;
        const bigger = Buffer.allocUnsafe(buf.length * 2); // a large mountinfo: grow once, keep it
        buf.copy(bigger, 0, 0, total);
        buf = bigger;
      }
      return buf.toString('latin1', 0, total);
    } catch {
      forget(path);
      return undefined;
    }
  }

  return {
    read,
    list(dir) {
      if (knownAbsent(dir)) return [];
      try {
        return readdirSync(dir);
      } catch {
        absent.set(dir, sweeps);
        return [];
      }
    },
    exists: (path) => existsSync(path),
    link(path) {
      try { return readlinkSync(path); } catch { return undefined; }
    },
    mtimeMs: (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs,
    sweep() {
      sweeps++;
      for (const [path, at] of absent) if (sweeps - at >= RECHECK_ABSENT_EVERY) absent.delete(path);
      for (const [path, e] of fds) {
        if (!e.used) forget(path);
        else e.used = false;
      }
    },
    close() {
      for (const path of [...fds.keys()]) forget(path);
    },
  };
}
