import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';

export interface Migration {
  version: number;
  name: string;
  checksum: string;
  statements: string[];
}

const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/**
 * Splits a migration file into statements: `--` comment lines are dropped and a statement ends at a line
 * ending with `;`. The ClickHouse HTTP interface takes one statement per request.
 */
export function splitStatements(sql: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  for (const line of sql.split('\n')) {
    if (/^\s*--/.test(line) || (!line.trim() && !current.length)) continue;
    current.push(line);
    if (/;\s*$/.test(line)) {
      out.push(current.join('\n').replace(/;\s*$/, '').trim());
      current = [];
    }
  }
  const rest = current.join('\n').trim();
  if (rest) out.push(rest);
  return out;
}

export function parseMigration(file: string, sql: string): Migration {
  const m = FILE.exec(file);
  if (!m) throw new Error(`${file}: a migration is named NNNN_name.sql`);
  return {
    version: Number(m[1]), name: m[2]!, checksum: createHash('sha256').update(sql).digest('hex'), statements: splitStatements(sql),
  };
}

/** Every NNNN_name.sql of a folder, in version order; two files with one version are an error. */
export function readMigrations(dir: string): Migration[] {
  const list = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()
    .map((f) => parseMigration(f, readFileSync(join(dir, f), 'utf8')));
  for (let i = 1; i < list.length; i++) {
    if (list[i]!.version === list[i - 1]!.version) throw new Error(`${dir}: two migrations have version ${list[i]!.version}`);
  }
  return list;
}

/** deploy/clickhouse of the checkout or install this module runs from (src/ in development, dist/src/ when built). */
export function defaultMigrationsDir(from = import.meta.dirname): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'deploy', 'clickhouse');
    if (existsSync(join(candidate, '0001_metric_samples.sql'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`no deploy/clickhouse folder above ${from}: set migrations_dir`);
  }
}

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version UInt32, name String, checksum String, applied_at DateTime('UTC')
) ENGINE = ReplacingMergeTree ORDER BY version`;

export interface MigrationReport {
  applied: number[];
  alreadyApplied: number[];
}

/**
 * Applies the migrations not yet recorded in schema_migrations,
 * in order, recording each once its statements ran. Safe to rerun and to run from two sinks at once:
 * every statement is idempotent (IF NOT EXISTS) and the record table collapses duplicates by version.
 * A recorded migration whose file changed since is refused: edit the schema with a new migration.
 */
export async function migrate(client: ClickHouseClient, migrations: readonly Migration[]): Promise<MigrationReport> {
  await client.command({ query: BOOKKEEPING });
  const rs = await client.query({ query: 'SELECT version, checksum FROM schema_migrations FINAL', format: 'JSONEachRow' });
  const recorded = new Map((await rs.json<{ version: number; checksum: string }>()).map((r) => [Number(r.version), r.checksum]));
  const report: MigrationReport = { applied: [], alreadyApplied: [] };
  for (const m of migrations) {
    const sum = recorded.get(m.version);
    if (sum !== undefined) {
      if (sum !== m.checksum) throw new Error(`migration ${m.version} (${m.name}) changed after it was applied: add a new migration instead`);
      report.alreadyApplied.push(m.version);
      continue;
    }
    for (const query of m.statements) await client.command({ query });
    await client.insert({
      table: 'schema_migrations', format: 'JSONEachRow',
      values: [{ version: m.version, name: m.name, checksum: m.checksum, applied_at: Math.floor(Date.now() / 1000) }],
    });
    report.applied.push(m.version);
  }
  return report;
}
