import { dirname } from 'node:path';
import { gauge } from '../samples.js';
import type { ClockState } from '../observations.js';
import { LEAP_UNSYNCHRONISED, createChronyClient, type ChronyTracking } from './chrony.js';
import type { Reader } from './reader.js';

const SYNC = gauge('node_timex_sync_status', '', '1 when the clock is synchronised (per chronyd, or the systemd-timesyncd sync marker).');
const SYNC_AGE = gauge('node_time_last_sync_age_seconds', 'seconds', 'Seconds since the time daemon last synchronised the clock.');
const TIME = gauge('node_time_seconds', 'seconds', 'System time, seconds since the Unix epoch: compare across nodes for skew.');
const OFFSET = gauge('node_time_offset_seconds', 'seconds', 'How far the system clock is from true time per chronyd (positive: fast).');
const STRATUM = gauge('node_time_stratum', '', 'chronyd\'s NTP stratum (16 or 0: unsynchronised).');

/**
 * Node cannot call adjtimex(2), which is where the kernel keeps STA_UNSYNC, and /proc and /sys do not
 * expose it. systemd-timesyncd touches a marker file on every successful synchronisation, so: its state
 * directory exists but the marker does not → not synchronised yet; the marker is older than `maxAgeMs`
 * → synchronisation lost; no state directory → no such daemon here, nothing to say.
 */
export function clockState(marker: string, dirExists: boolean, markerMtimeMs: number | undefined, now: number, maxAgeMs: number): ClockState | undefined {
  if (!dirExists) return undefined;
  if (markerMtimeMs === undefined) return { synced: false, source: marker };
  const age = Math.max(0, now - markerMtimeMs);
  return { synced: age <= maxAgeMs, source: marker, lastSyncAgeSeconds: age / 1000 };
}

/** chronyd is synchronised unless its leap status says not (it also reports stratum 0 then). */
export function chronyClockState(t: ChronyTracking, now: number): ClockState {
  const state: ClockState = { synced: t.leapStatus !== LEAP_UNSYNCHRONISED, source: 'chronyd' };
  if (t.refTimeSeconds > 0) state.lastSyncAgeSeconds = Math.max(0, now / 1000 - t.refTimeSeconds);
  return state;
}

export interface ClockReaderOptions {
  syncMarker: string;
  maxSyncAgeMs: number;
  /** chronyd's command port; undefined: do not ask. */
  chrony?: { host: string; port: number; timeoutMs: number };
}

/** After chronyd did not answer, how many intervals pass before it is asked again. */
const CHRONY_RETRY_EVERY = 30;

/** chronyd when it answers (RHEL, StarlingX, most servers), else the systemd-timesyncd marker, else nothing. */
export function createClockReader(opts: ClockReaderOptions): Reader {
  const dir = dirname(opts.syncMarker);
  const chrony = opts.chrony && createChronyClient(opts.chrony.host, opts.chrony.port, opts.chrony.timeoutMs);
  let skipChrony = 0;
  return {
    async read({ files, out, obs, now }) {
      out.add(TIME, {}, now / 1000);
      let tracking: ChronyTracking | undefined;
      if (chrony && skipChrony-- <= 0) {
        tracking = await chrony.tracking();
        if (!tracking) skipChrony = CHRONY_RETRY_EVERY - 1;
      }
      let state: ClockState | undefined;
      if (tracking) {
        state = chronyClockState(tracking, now);
        out.add(STRATUM, {}, tracking.stratum);
        out.add(OFFSET, {}, tracking.systemTimeOffsetSeconds);
      } else {
        const daemon = files.exists(dir);
        state = clockState(opts.syncMarker, daemon, daemon ? files.mtimeMs(opts.syncMarker) : undefined, now, opts.maxSyncAgeMs);
      }
      if (!state) return;
      obs.clock = state;
      out.add(SYNC, {}, state.synced ? 1 : 0);
      if (state.lastSyncAgeSeconds !== undefined) out.add(SYNC_AGE, {}, state.lastSyncAgeSeconds);
    },
    close: () => chrony?.close(),
  };
}
