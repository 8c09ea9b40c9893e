import { Counter, Gauge, Registry } from 'prom-client';

/**
 * The pipeline's own metrics, in a prom-client Registry of their own (not the global one), so a
 * process can run two pipelines in tests and a sink can expose exactly these with
 * `registry.metrics()`. Names follow Prometheus conventions: `faultline_` prefix, `_total` counters.
 */
export interface Telemetry {
  registry: Registry;
  recordsProduced: Counter<'topic'>;
  recordsConsumed: Counter<'group' | 'topic'>;
  deadLetters: Counter<'component' | 'reason'>;
  /** Batches a processor's handle() threw on and was given again (processor_retry). */
  processorRetries: Counter<'component'>;
  /** High watermark minus the group's position, per partition, as of the last fetch. */
  consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  spoolRecords: Gauge<'spool'>;
  spoolBytes: Gauge<'spool'>;
  spoolDropped: Counter<'spool'>;
  spoolReplayed: Counter<'spool'>;
}

export function createTelemetry(): Telemetry {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    recordsProduced: new Counter({ name: 'faultline_bus_records_produced_total', help: 'Records the bus accepted for a topic (acknowledged by Kafka, or journaled).', labelNames: ['topic'], registers }),
    recordsConsumed: new Counter({ name: 'faultline_bus_records_consumed_total', help: 'Records a consumer group processed and committed.', labelNames: ['group', 'topic'], registers }),
    deadLetters: new Counter({ name: 'faultline_dead_letters_total', help: 'Records sent to the deadletter topic, by the component that refused them and why.', labelNames: ['component', 'reason'], registers }),
    processorRetries: new Counter({ name: 'faultline_processor_retries_total', help: 'Times a processor\'s handle() threw on a batch and the batch was handed to it again.', labelNames: ['component'], registers }),
    consumerLag: new Gauge({ name: 'faultline_bus_consumer_lag_records', help: 'Records between a group\'s position and the end of the partition.', labelNames: ['group', 'topic', 'partition'], registers }),
    spoolRecords: new Gauge({ name: 'faultline_spool_records', help: 'Records waiting in the on-disk spool for the broker to come back.', labelNames: ['spool'], registers }),
    spoolBytes: new Gauge({ name: 'faultline_spool_bytes', help: 'Bytes of the on-disk spool.', labelNames: ['spool'], registers }),
    spoolDropped: new Counter({ name: 'faultline_spool_dropped_total', help: 'Oldest records dropped because the spool reached its bound.', labelNames: ['spool'], registers }),
    spoolReplayed: new Counter({ name: 'faultline_spool_replayed_total', help: 'Spooled records delivered to the broker after it came back.', labelNames: ['spool'], registers }),
  };
}
