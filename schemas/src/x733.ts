// X.733 / M.3100 vocabulary shared by the catalog, the alarm engine and the SNMP MIB.
// The numeric codes are ITU's (IANA-ITU-ALARM-TC, RFC 3877); names use the kebab-case spelling of
// StarlingX's fm-api so its catalog maps without translation. Codes >= 75 are faultline's own
// extensions for causes fm-api uses that ITU never numbered.

export const SEVERITIES = ['warning', 'minor', 'major', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is worse; used to compare and step severities. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { warning: 1, minor: 2, major: 3, critical: 4 };

export const ALARM_TYPES = {
  other: 0,
  communication: 1,
  qos: 2,
  'processing-error': 3,
  equipment: 4,
  environmental: 5,
  'integrity-violation': 6,
  'operational-violation': 7,
  'physical-violation': 8,
  'security-service-or-mechanism-violation': 9,
  'time-domain-violation': 10,
} as const;
export type AlarmType = keyof typeof ALARM_TYPES;

export const PROBABLE_CAUSES = {
  'not-applicable': 0,
  'adaptor-error': 1,
  'application-subsystem-failure': 2,
  'bandwidth-reduced': 3,
  'call-establishment-error': 4,
  'communication-protocol-error': 5,
  'communication-subsystem-failure': 6,
  'configuration-or-customization-error': 7,
  congestion: 8,
  'corrupt-data': 9,
  'cpu-cycles-limit-exceeded': 10,
  'dataset-or-modem-error': 11,
  'degraded-signal': 12,
  'dte-dce-interface-error': 13,
  'enclosure-door-open': 14,
  'equipment-malfunction': 15,
  'excessive-vibration': 16,
  'file-error': 17,
  'fire-detected': 18,
  'flood-detected': 19,
  'framing-error': 20,
  'heating-ventilation-cooling-system-problem': 21,
  'humidity-unacceptable': 22,
  'io-device-error': 23,
  'input-device-error': 24,
  'lan-error': 25,
  'leak-detected': 26,
  'local-node-transmission-error': 27,
  'loss-of-frame': 28,
  'loss-of-signal': 29,
  'material-supply-exhausted': 30,
  'multiplexer-problem': 31,
  'out-of-memory': 32,
  'output-device-error': 33,
  'performance-degraded': 34,
  'power-problem': 35,
  'processor-problem': 36,
  'pump-failure': 37,
  'queue-size-exceeded': 38,
  'receive-failure': 39,
  'receiver-failure': 40,
  'remote-node-transmission-error': 41,
  'resource-at-or-nearing-capacity': 42,
  'response-time-excessive': 43,
  'retransmission-rate-excessive': 44,
  'software-error': 45,
  'software-program-abnormally-terminated': 46,
  'software-program-error': 47,
  'storage-capacity-problem': 48,
  'temperature-unacceptable': 49,
  'threshold-crossed': 50,
  'timing-problem': 51,
  'toxic-leak-detected': 52,
  'transmit-failure': 53,
  'transmitter-failure': 54,
  'underlying-resource-unavailable': 55,
  'version-mismatch': 56,
  'duplicate-information': 57,
  'information-missing': 58,
  'information-modification-detected': 59,
  'information-out-of-sequence': 60,
  'unexpected-information': 61,
  'denial-of-service': 62,
  'out-of-service': 63,
  'procedural-error': 64,
  'unspecified-reason': 65,
  'cable-tamper': 66,
  'intrusion-detection': 67,
  'authentication-failure': 68,
  'breach-of-confidentiality': 69,
  'non-repudiation-failure': 70,
  'unauthorized-access-attempt': 71,
  'delayed-information': 72,
  'key-expired': 73,
  'out-of-hours-activity': 74,
  'configuration-out-of-date': 75,
  'configuration-provisioning-mismatch': 76,
  unknown: 77,
  'certificate-expiration': 78,
} as const;
export type ProbableCause = keyof typeof PROBABLE_CAUSES;

export const isSeverity = (s: unknown): s is Severity => typeof s === 'string' && s in SEVERITY_RANK;
export const isAlarmType = (s: unknown): s is AlarmType => typeof s === 'string' && Object.hasOwn(ALARM_TYPES, s);
export const isProbableCause = (s: unknown): s is ProbableCause => typeof s === 'string' && Object.hasOwn(PROBABLE_CAUSES, s);
