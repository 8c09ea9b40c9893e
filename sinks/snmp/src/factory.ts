import type { SinkFactory } from '@faultline/runtime';
import { SnmpSinkConfigSchema } from './config.js';
import { createSnmpSink } from './sink.js';

export const snmpSink: SinkFactory<typeof SnmpSinkConfigSchema> = {
  kind: 'sink',
  type: 'snmp',
  stability: 'alpha',
  description: 'SNMP traps and informs (v2c, v3 with SHA-2/AES) to several managers, and an agent serving the active alarm and event tables (FAULTLINE-ALARM-MIB)',
  configSchema: SnmpSinkConfigSchema,
  create: createSnmpSink,
};
