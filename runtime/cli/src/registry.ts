import { createRegistry } from '@faultline/runtime';
import { correlatorProcessor } from '@faultline/processor-correlator';
import { remediatorProcessor } from '@faultline/processor-remediator';
import { snmpSink } from '@faultline/sink-snmp';
import { hostCollector } from '@faultline/collector-host';
import { clickhouseSink } from '@faultline/sink-clickhouse';
import { simulatorCollector } from '@faultline/collector-simulator';
import { prometheusSink } from '@faultline/sink-prometheus';
import { alertmanagerSink } from '@faultline/sink-alertmanager';

/** Every component this build of faultline knows, by kind and type. Add a factory here to make it configurable. */
export const registry = createRegistry([
  correlatorProcessor,
  remediatorProcessor,
  snmpSink,
  hostCollector,
  clickhouseSink,
  simulatorCollector,
  prometheusSink,
  alertmanagerSink,
]);
