import { Type, type Static } from '@sinclair/typebox';
import { DurationSchema, PathSchema } from '@faultline/runtime';

export const METRIC_GROUPS = ['cpu', 'load', 'pressure', 'memory', 'filesystems', 'disks', 'network', 'hwmon', 'edac', 'clock'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

// node_exporter 1.5's defaults as Debian ships them, so the two agree on what a filesystem, disk or interface is.
const PSEUDO_FSTYPES = '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$';
const PSEUDO_MOUNTPOINTS = '^/(dev|proc|run|sys|mnt|media|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';
const PARTITIONS_AND_VIRTUAL = '^(ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$';

const Regex = (def: string, description: string) => Type.String({ default: def, description: `${description} (regular expression)` });

export const HostCollectorConfigSchema = Type.Object({
  interval: DurationSchema({ default: '10s', description: 'how often a MetricBatch is collected and sent; at least 1s' }),
  groups: Type.Array(Type.Union(METRIC_GROUPS.map((g) => Type.Literal(g))), {
    default: [...METRIC_GROUPS], uniqueItems: true, description: 'the metric groups to read',
  }),
  meta_every: Type.Integer({
    minimum: 1, default: 6,
    description: 'MetricBatch.meta (type, unit, help) goes in the first batch, whenever a new metric name appears, and every this many batches',
  }),
  paths: Type.Object({
    proc: PathSchema({ default: '/proc', description: 'where procfs is mounted (a container sees the host\'s at e.g. /host/proc)' }),
    sys: PathSchema({ default: '/sys', description: 'where sysfs is mounted' }),
    rootfs: PathSchema({ default: '/', description: 'prefix for mount points when calling statfs' }),
  }, { default: {}, additionalProperties: false }),
  filesystems: Type.Object({
    exclude_mountpoints: Regex(PSEUDO_MOUNTPOINTS, 'mount points to skip'),
    exclude_fstypes: Regex(PSEUDO_FSTYPES, 'filesystem types to skip (pseudo filesystems)'),
    statfs_timeout: DurationSchema({ default: '1s', description: 'a mount whose statfs takes longer is skipped until it answers (hung NFS)' }),
    must_be_read_write: Type.Array(Type.String(), {
      default: [], description: 'mount points that raise 700.105 whenever read-only, even if never seen read-write since the start',
    }),
  }, { default: {}, additionalProperties: false }),
  disks: Type.Object({
    exclude_devices: Regex(PARTITIONS_AND_VIRTUAL, 'block devices to skip (partitions, loop and ram disks)'),
  }, { default: {}, additionalProperties: false }),
  network: Type.Object({
    exclude_devices: Regex('^lo$', 'interfaces to skip'),
    carrier_alarm: Type.Union([Type.Literal('physical'), Type.Literal('all'), Type.Literal('none')], {
      default: 'physical', description: 'which interfaces raise 700.110 on carrier loss: those backed by a device, all, or none',
    }),
  }, { default: {}, additionalProperties: false }),
  clock: Type.Object({
    chrony: Type.String({
      default: '127.0.0.1:323', pattern: '^(|\\[?[^\\]]+\\]?:[0-9]+)$',
      description: 'chronyd\'s command port (host:port), asked for its tracking report each interval; empty: do not ask',
    }),
    chrony_timeout: DurationSchema({ default: '250ms', description: 'how long to wait for chronyd before falling back to the sync marker' }),
    sync_marker: PathSchema({
      default: '/run/systemd/timesync/synchronized', description: 'file systemd-timesyncd touches on each synchronisation, used when chronyd does not answer; its directory absent = no daemon, skipped',
    }),
    max_sync_age: DurationSchema({ default: '1h', description: 'a marker older than this means synchronisation was lost' }),
  }, { default: {}, additionalProperties: false }),
  faults: Type.Object({
    enabled: Type.Boolean({ default: true, description: 'send FaultEvents for the hardware faults (700.105 … 700.140)' }),
    rising_quiet_period: DurationSchema({ default: '30m', description: 'how long an error counter must stay flat before 700.106 / 700.130 clear' }),
    sensor_hysteresis: Type.Number({ minimum: 0, maximum: 0.5, default: 0.02, description: 'share of the limit a sensor must come back by before 700.120 clears' }),
  }, { default: {}, additionalProperties: false }),
  heartbeat: Type.Object({
    enabled: Type.Boolean({ default: true }),
    period: DurationSchema({ default: '100ms', description: 'heartbeat period (StarlingX mtce uses 100 ms)' }),
  }, { default: {}, additionalProperties: false }),
}, { additionalProperties: false });

export type HostCollectorConfig = Static<typeof HostCollectorConfigSchema>;
