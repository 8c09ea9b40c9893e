import { createRegistry } from '@faultline/runtime';
import { snmpSink } from '@faultline/sink-snmp';
import { hostCollector } from '@faultline/collector-host';
import { remediatorProcessor } from '@faultline/processor-remediator';
import { clickhouseSink } from '@faultline/sink-clickhouse';

/** Every component this build of faultline knows, by kind and type. Add a factory here to make it configurable. */
export const registry = createRegistry([
  snmpSink,
  hostCollector,
  remediatorProcessor,
  clickhouseSink,
]);
