import { Counter, Gauge, register, type Registry } from 'prom-client';

// The sink's counters, in the pipeline's registry (or prom-client's default one when the runtime gives
// none), so whatever exposes the process's metrics shows them. Labels: sink = instance id, destination = its name.

function counter(reg: Registry, name: string, help: string, labelNames: string[]): Counter {
  return (reg.getSingleMetric(name) as Counter | undefined) ?? new Counter({ name, help, labelNames, registers: [reg] });
}
function gauge(reg: Registry, name: string, help: string, labelNames: string[]): Gauge {
  return (reg.getSingleMetric(name) as Gauge | undefined) ?? new Gauge({ name, help, labelNames, registers: [reg] });
}

export interface SnmpMetrics {
  transitions: Counter;
  sent: Counter;
  acknowledged: Counter;
  failed: Counter;
  filtered: Counter;
  rateLimited: Counter;
  dropped: Counter;
  summaries: Counter;
  queued: Gauge;
}

export function snmpMetrics(reg: Registry = register): SnmpMetrics {
  return {
    transitions: counter(reg, 'faultline_snmp_transitions_total', 'Alarm transitions the SNMP sink received, by outcome (notified, held, resync)', ['sink', 'outcome']),
    sent: counter(reg, 'faultline_snmp_notifications_sent_total', 'Notifications handed to the network, by destination and notification', ['sink', 'destination', 'notification']),
    acknowledged: counter(reg, 'faultline_snmp_informs_acknowledged_total', 'Informs a manager acknowledged', ['sink', 'destination']),
    failed: counter(reg, 'faultline_snmp_notifications_failed_total', 'Notifications that could not be sent, or informs never acknowledged after every retry', ['sink', 'destination']),
    filtered: counter(reg, 'faultline_snmp_notifications_filtered_total', 'Notifications a destination\'s filter did not want', ['sink', 'destination']),
    rateLimited: counter(reg, 'faultline_snmp_notifications_rate_limited_total', 'Notifications held back by the destination\'s rate limit (reported in a storm summary)', ['sink', 'destination']),
    dropped: counter(reg, 'faultline_snmp_notifications_dropped_total', 'Notifications dropped from a full queue (reported in a storm summary)', ['sink', 'destination']),
    summaries: counter(reg, 'faultline_snmp_storm_summaries_total', 'Storm summary notifications sent', ['sink', 'destination']),
    queued: gauge(reg, 'faultline_snmp_queue_depth', 'Notifications waiting to be sent', ['sink', 'destination']),
  };
}
