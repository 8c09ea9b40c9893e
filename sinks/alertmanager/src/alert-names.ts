/** Readable alertnames for faultline's own alarm ids (the agreed catalog), so routes can match on them. */
export const FAULTLINE_ALERT_NAMES: Readonly<Record<string, string>> = {
  '700.101': 'HostCpuUsageHigh',
  '700.103': 'HostMemoryUsageHigh',
  '700.104': 'HostFilesystemUsageHigh',
  '700.105': 'HostFilesystemReadOnly',
  '700.106': 'HostDiskIoErrors',
  '700.110': 'HostInterfaceCarrierLost',
  '700.120': 'HostSensorCritical',
  '700.130': 'HostMemoryUncorrectableErrors',
  '700.140': 'HostClockNotSynchronised',
  '700.150': 'HostMetricStale',
  '710.001': 'HostHeartbeatLost',
  '710.002': 'HostRebooted',
  '710.010': 'MultiNodeFailure',
  '720.001': 'CollectorSpoolDropped',
  '720.002': 'DeadLettersRising',
  '730.001': 'RemediationFailed',
};
