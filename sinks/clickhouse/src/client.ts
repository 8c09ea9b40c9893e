import { ClickHouseError, ClickHouseLogLevel, createClient, type ClickHouseClient } from '@clickhouse/client';
import { parseDuration } from '@faultline/runtime';
import type { ClickHouseSinkConfig } from './config.js';

/**
 * A client for the sink's database (or for `default`, to create it). The client's own logger is off: every
 * failure reaches the sink as an error, which logs it once with what it was doing (the client would log each
 * retry of an outage at ERROR as well).
 */
export function openClient(config: ClickHouseSinkConfig, database = config.database): ClickHouseClient {
  return createClient({
    url: config.url,
    username: config.username,
    password: config.password,
    database,
    request_timeout: parseDuration(config.request_timeout),
    compression: { request: config.compression, response: false },
    log: { level: ClickHouseLogLevel.OFF },
  });
}

export async function createDatabase(config: ClickHouseSinkConfig): Promise<void> {
  const admin = openClient(config, 'default');
  try {
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${config.database}` });
  } finally {
    await admin.close();
  }
}

/**
 * ClickHouse error codes that mean "try again later": the server is overloaded, restarting or out of a resource.
 * Any other server error (bad data, unknown table, wrong types) would fail the same way forever.
 */
const TRANSIENT_CODES = new Set([
  '3', // UNEXPECTED_END_OF_FILE: connection cut mid-request
  '159', // TIMEOUT_EXCEEDED
  '164', // READONLY
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '203', // NO_FREE_CONNECTION
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '285', // TOO_FEW_LIVE_REPLICAS
  '319', // UNKNOWN_STATUS_OF_INSERT
  '394', // QUERY_WAS_CANCELLED
  '425', // SYSTEM_ERROR
]);

/** Network failures (refused, reset, timed out) and transient server errors are retried; the rest are not. */
export function isTransient(err: unknown): boolean {
  if (err instanceof ClickHouseError) return TRANSIENT_CODES.has(err.code);
  if (!(err instanceof Error)) return false;
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT
  return /timeout|socket hang up|other side closed/i.test(err.message);
}
