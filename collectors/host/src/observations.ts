/**
 * What the readers saw this interval that the fault detectors judge. A group the collector did not read
 * (disabled, or absent on this machine) is undefined, and its detector leaves its state alone.
 */
export interface Observations {
  interfaces?: InterfaceState[];
  filesystems?: FilesystemState[];
  disks?: DiskErrorCount[];
  sensors?: SensorReading[];
  memoryControllers?: MemoryControllerErrors[];
  clock?: ClockState;
}

export interface InterfaceState {
  device: string;
  /** IFF_UP: the operator wants it up. */
  adminUp: boolean;
  /** undefined when the kernel does not say (carrier reads EINVAL while the interface is admin down). */
  carrier: boolean | undefined;
  operstate: string;
  /** Backed by a device (/sys/class/net/<if>/device exists), not a bridge, bond slave stub, veth or tunnel. */
  physical: boolean;
}

export interface FilesystemState {
  mountpoint: string;
  device: string;
  fstype: string;
  readonly: boolean;
}

export interface DiskErrorCount {
  device: string;
  ioErrors: number;
}

export type SensorKind = 'temp' | 'in' | 'fan';

export interface SensorReading {
  chip: string;
  sensor: string;
  kind: SensorKind;
  /** In base units: celsius, volts, rpm. */
  value: number;
  /** Upper critical limit (temp, in). */
  crit?: number;
  /** Lower critical limit (in), or the minimum speed (fan). */
  lcrit?: number;
}

export interface MemoryControllerErrors {
  controller: string;
  uncorrectable: number;
}

export interface ClockState {
  synced: boolean;
  /** What told us: the sync marker's path. */
  source: string;
  lastSyncAgeSeconds?: number;
}
