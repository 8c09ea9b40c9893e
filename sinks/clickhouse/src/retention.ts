import type { ClickHouseClient } from '@clickhouse/client';
import { parseDuration } from '@faultline/runtime';
import type { ClickHouseSinkConfig } from './config.js';
import type { Table } from './rows.js';

export interface Partition {
  table: string;
  /** toYYYYMMDD (daily) or toYYYYMM (monthly) of the row time, in UTC. */
  id: string;
}

/** The first instant after a partition: the next day or the next month, UTC. */
export function partitionEnd(id: string): number {
  const y = Number(id.slice(0, 4));
  const m = Number(id.slice(4, 6)) - 1;
  if (id.length === 8) return Date.UTC(y, m, Number(id.slice(6, 8)) + 1);
  if (id.length === 6) return Date.UTC(y, m + 1, 1);
  throw new Error(`partition "${id}" is neither YYYYMMDD nor YYYYMM`);
}

/** Partitions whose every row is older than now − keep: only whole partitions go, so a table keeps at least `keep`. */
export function expiredPartitions(parts: readonly Partition[], keepMs: Readonly<Record<string, number>>, now: number): Partition[] {
  return parts.filter((p) => {
    const keep = keepMs[p.table];
    return keep !== undefined && partitionEnd(p.id) <= now - keep;
  });
}

export const retentionMs = (r: ClickHouseSinkConfig['retention']): Record<Table, number> => ({
  metric_samples: parseDuration(r.metric_samples),
  alarm_transitions: parseDuration(r.alarm_transitions),
  fault_events: parseDuration(r.fault_events),
  remediation_results: parseDuration(r.remediation_results),
});

/**
 * The retention step: drops the partitions of the sink's tables that lie wholly before now − retention.
 * ClickHouse 18.16 has no TTL, and dropping a partition is a cheap metadata operation on every version.
 */
export async function applyRetention(
  client: ClickHouseClient, database: string, keepMs: Readonly<Record<string, number>>, now = Date.now(),
): Promise<Partition[]> {
  const tables = Object.keys(keepMs).map((t) => `'${t}'`).join(',');
  const rs = await client.query({
    query: `SELECT DISTINCT table, partition_id AS id FROM system.parts
            WHERE database = '${database}' AND active AND table IN (${tables}) ORDER BY table, id`,
    format: 'JSONEachRow',
  });
  const expired = expiredPartitions(await rs.json<Partition>(), keepMs, now);
  for (const p of expired) await client.command({ query: `ALTER TABLE ${p.table} DROP PARTITION ID '${p.id}'` });
  return expired;
}
