// Test data and helpers for the ClickHouse sink and the Grafana dashboards: realistic events of every topic the
// sink stores, a pipeline-file loader for the sink's config, and a client with its ERROR logging silenced.
import { randomUUID } from 'node:crypto';
import { ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { createRegistry, loadPipelineConfig, silentLogger, type ComponentContext, type Envelope } from '@faultline/runtime';
import type { Alarm, FaultEvent, MetricBatch, RemediationResult, SingleAlarmTransition, TopicName } from '@faultline/schemas';
import { alarm as fixtureAlarm } from '@faultline/schemas/test-fixtures';
import { clickhouseSink, type ClickHouseSinkConfig } from '@faultline/sink-clickhouse';

/** A client for tests and benchmarks; the client's own ERROR log lines would only repeat what the test asserts. */
export function testClient(url: string, database = 'default'): ClickHouseClient {
  return createClient({ url, database, log: { level: ClickHouseLogLevel.OFF } });
}

/** A database name of its own for one test file on the shared server. */
export const testDatabase = (tag: string) => `fl_${tag}_${process.pid}_${Date.now().toString(36)}`;

export async function rows<T>(client: ClickHouseClient, query: string): Promise<T[]> {
  const rs = await client.query({ query, format: 'JSONEachRow', clickhouse_settings: { output_format_json_quote_64bit_integers: 0 } });
  return rs.json<T>();
}

/** The sink's config as the real pipeline-file loader produces it (defaults filled, validated). */
export function sinkConfig(settings: Record<string, unknown>): ClickHouseSinkConfig {
  const text = JSON.stringify({ bus: { type: 'embedded' }, sinks: { ch: { type: 'clickhouse', ...settings } } });
  const cfg = loadPipelineConfig('inline.yaml', createRegistry([clickhouseSink]), { text });
  return cfg.components[0]!.config as ClickHouseSinkConfig;
}

export const testContext = (id = 'sinks.ch'): ComponentContext => ({ id, node: 'test-0', log: silentLogger, dataDir: '/tmp' });

let offset = 0;
export const envelope = <T extends TopicName>(topic: T, value: unknown, traceparent?: string): Envelope =>
  ({ topic, key: null, value, partition: 0, offset: String(offset++), timestamp: Date.now(), ...(traceparent ? { traceparent } : {}) }) as Envelope;

/** One host's scrape as the host collector sends it (node_exporter names, a `node` per batch). */
export function metricBatch(node: string, ts: number, cpus = 2): MetricBatch {
  const samples: MetricBatch['samples'] = [];
  for (let cpu = 0; cpu < cpus; cpu++) {
    for (const mode of ['idle', 'user', 'system', 'iowait']) {
      samples.push({ name: 'node_cpu_seconds_total', labels: { cpu: String(cpu), mode }, value: ts / 1000 / (mode === 'idle' ? 2 : 20) });
    }
  }
  samples.push(
    { name: 'node_load1', labels: {}, value: 0.5 + (ts % 7) / 10 },
    { name: 'node_memory_MemTotal_bytes', labels: {}, value: 8 * 2 ** 30 },
    { name: 'node_memory_MemAvailable_bytes', labels: {}, value: 3 * 2 ** 30 + (ts % 1000) * 1024 },
    { name: 'node_filesystem_size_bytes', labels: { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }, value: 100 * 2 ** 30 },
    { name: 'node_filesystem_avail_bytes', labels: { device: '/dev/sda1', fstype: 'ext4', mountpoint: '/' }, value: 40 * 2 ** 30 },
    { name: 'node_network_receive_bytes_total', labels: { device: 'eth0' }, value: ts * 3 },
    { name: 'node_network_transmit_bytes_total', labels: { device: 'eth0' }, value: ts * 2 },
  );
  return { node, collector: 'host', ts, interval_ms: 1000, samples };
}

/** The shared alarm fixture (700.101 on host=compute-0), raised now like the other events here. */
export function alarm(over: Partial<Alarm> = {}): Alarm {
  const now = Date.now();
  return fixtureAlarm({ raised_at: now, updated_at: now, ...over });
}

export function transition(kind: SingleAlarmTransition['kind'], seq: number, a: Alarm, at = Date.now()): SingleAlarmTransition {
  return { uuid: randomUUID(), at, kind, seq, alarm: { ...a, updated_at: at, state: kind === 'cleared' ? 'cleared' : 'active' } };
}

export function faultLog(host: string, ts = Date.now()): FaultEvent {
  return {
    op: 'log', alarm_id: '710.002', entity_type_id: 'host', entity_instance_id: `host=${host}`, severity: 'minor',
    reason_text: `${host} rebooted`, alarm_type: 'operational-violation', probable_cause: 'unknown', ts, source: `collector/host@${host}`,
  };
}

export function remediation(a: Alarm, transitionUuid: string, outcome: RemediationResult['outcome'], at = Date.now()): RemediationResult {
  return {
    uuid: randomUUID(), transition_uuid: transitionUuid, alarm_id: a.alarm_id, entity_instance_id: a.entity_instance_id,
    rule: 'restart-noisy-service', step: 0, action: 'command', target: a.entity_instance_id.split('.')[0]!.slice(5),
    outcome, reason: outcome === 'failed' ? 'exit status 1' : 'exit status 0', dry_run: false, duration_ms: 120,
    details: { exit: outcome === 'failed' ? '1' : '0' }, at,
  };
}
