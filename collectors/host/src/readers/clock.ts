import { dirname } from 'node:path';
import { gauge } from '../samples.js';
import type { ClockState } from '../observations.js';
import type { Reader } from './reader.js';

const SYNC = gauge('node_timex_sync_status', '', '1 when the clock is synchronised (per the time daemon\'s sync marker).');
const SYNC_AGE = gauge('node_time_last_sync_age_seconds', 'seconds', 'Seconds since the time daemon last synchronised the clock.');
const TIME = gauge('node_time_seconds', 'seconds', 'System time, seconds since the Unix epoch: compare across nodes for skew.');

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

export function createClockReader(opts: { syncMarker: string; maxSyncAgeMs: number }): Reader {
  const dir = dirname(opts.syncMarker);
  return {
    read({ files, out, obs, now }) {
      out.add(TIME, {}, now / 1000);
      const state = clockState(opts.syncMarker, files.exists(dir), files.mtimeMs(opts.syncMarker), now, opts.maxSyncAgeMs);
      if (!state) return;
      obs.clock = state;
      out.add(SYNC, {}, state.synced ? 1 : 0);
      if (state.lastSyncAgeSeconds !== undefined) out.add(SYNC_AGE, {}, state.lastSyncAgeSeconds);
    },
  };
}
