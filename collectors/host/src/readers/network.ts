import { counter, gauge, type MetricDef } from '../samples.js';
import type { InterfaceState } from '../observations.js';
import type { Reader } from './reader.js';

const RX = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'frame', 'compressed', 'multicast'];
const TX = ['bytes', 'packets', 'errs', 'drop', 'fifo', 'colls', 'carrier', 'compressed'];
const unit = (f: string) => (f === 'bytes' ? 'bytes' : '');
const DEV_DEFS: MetricDef[] = [
  ...RX.map((f) => counter(`node_network_receive_${f}_total`, unit(f), `Network device statistic receive_${f} (/proc/net/dev).`)),
  ...TX.map((f) => counter(`node_network_transmit_${f}_total`, unit(f), `Network device statistic transmit_${f} (/proc/net/dev).`)),
];
const UP = gauge('node_network_up', '', '1 when the operational state is up.');
const CARRIER = gauge('node_network_carrier', '', '1 when the link has carrier; absent while the interface is administratively down.');
const SPEED = gauge('node_network_speed_bytes', 'bytes', 'Link speed in bytes per second; absent when the driver does not say.');
const MTU = gauge('node_network_mtu_bytes', 'bytes', 'MTU.');
const CARRIER_CHANGES = counter('node_network_carrier_changes_total', '', 'Times the link went up or down since the interface appeared: a flapping cable shows here.');
const ADMIN_UP = gauge('node_network_admin_up', '', '1 when the interface is administratively up (IFF_UP).');

export interface NetDevCounters {
  device: string;
  /** Receive then transmit columns, in the order of /proc/net/dev. */
  values: number[];
}

export function parseNetDev(text: string): NetDevCounters[] {
  const devs: NetDevCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue; // the two header lines have `|`, not `:`
    const device = line.slice(0, colon).trim();
    devs.push({ device, values: line.slice(colon + 1).split(' ').filter(Boolean).map(Number) });
  }
  return devs;
}

/** Reads /sys/class/net/<device>: the attribute files one at a time, each absent one left out. */
export function interfaceState(
  device: string,
  attr: (name: string) => string | undefined,
  physical: boolean,
): InterfaceState & { speedMbps?: number; mtu?: number } {
  const flags = Number(attr('flags')?.trim());
  const adminUp = Number.isFinite(flags) && (flags & 1) === 1;
  // carrier and speed read EINVAL while the interface is down, and speed on virtual ones: don't ask then.
  const carrier = adminUp ? attr('carrier')?.trim() : undefined;
  const speed = adminUp && physical ? Number(attr('speed')?.trim()) : NaN;
  const mtu = Number(attr('mtu')?.trim());
  const state: InterfaceState & { speedMbps?: number; mtu?: number } = {
    device,
    adminUp,
    carrier: carrier === '1' ? true : carrier === '0' ? false : undefined,
    operstate: attr('operstate')?.trim() ?? 'unknown',
    physical,
  };
  if (Number.isFinite(speed) && speed > 0) state.speedMbps = speed;
  if (Number.isFinite(mtu)) state.mtu = mtu;
  return state;
}

export function createNetworkReader(opts: { excludeDevices: RegExp }): Reader {
  // Whether an interface has a device behind it does not change while it exists: look once.
  const physical = new Map<string, boolean>();
  return {
    read({ files, paths, out, obs }) {
      const text = files.read(`${paths.proc}/net/dev`);
      if (text === undefined) return;
      obs.interfaces = [];
      const seen = new Set<string>();
      for (const d of parseNetDev(text)) {
        if (opts.excludeDevices.test(d.device)) continue;
        seen.add(d.device);
        const labels = { device: d.device };
        for (let i = 0; i < d.values.length && i < DEV_DEFS.length; i++) out.add(DEV_DEFS[i]!, labels, d.values[i]!);
        const dir = `${paths.sys}/class/net/${d.device}`;
        let isPhysical = physical.get(d.device);
        if (isPhysical === undefined) physical.set(d.device, (isPhysical = files.exists(`${dir}/device`)));
        const s = interfaceState(d.device, (name) => files.read(`${dir}/${name}`), isPhysical);
        out.add(ADMIN_UP, labels, s.adminUp ? 1 : 0);
        out.add(UP, labels, s.operstate === 'up' ? 1 : 0);
        if (s.carrier !== undefined) out.add(CARRIER, labels, s.carrier ? 1 : 0);
        if (s.speedMbps !== undefined) out.add(SPEED, labels, s.speedMbps * 125_000);
        if (s.mtu !== undefined) out.add(MTU, labels, s.mtu);
        const changes = Number(files.read(`${dir}/carrier_changes`)?.trim());
        if (Number.isFinite(changes)) out.add(CARRIER_CHANGES, labels, changes);
        obs.interfaces.push({ device: s.device, adminUp: s.adminUp, carrier: s.carrier, operstate: s.operstate, physical: s.physical });
      }
      for (const dev of physical.keys()) if (!seen.has(dev)) physical.delete(dev);
    },
  };
}
