import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultMigrationsDir, parseMigration, readMigrations, splitStatements } from '../src/index.js';

test('splitStatements drops comment lines and splits at lines ending with a semicolon', () => {
  const sql = '-- a table\nCREATE TABLE a (x UInt8)\nENGINE = Memory;\n\n-- another\nCREATE TABLE b (s String) ENGINE = Memory;\nSELECT 1';
  assert.equal(splitStatements(sql), ['CREATE TABLE a (x UInt8)\nENGINE = Memory', 'CREATE TABLE b (s String) ENGINE = Memory', 'SELECT 1']);
});

test('parseMigration takes the version and name from NNNN_name.sql and refuses other names', () => {
  const m = parseMigration('0007_add_things.sql', 'SELECT 1;');
  assert.equal([m.version, m.name, m.statements], [7, 'add_things', ['SELECT 1']]);
  assert.match(m.checksum, /^[0-9a-f]{64}$/);
  assert.is.not(parseMigration('0007_add_things.sql', 'SELECT 2;').checksum, m.checksum);
  assert.throws(() => parseMigration('7_things.sql', ''), /NNNN_name\.sql/);
});

test('readMigrations orders by version and refuses two files with one version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fl-mig-'));
  writeFileSync(join(dir, '0002_b.sql'), 'SELECT 2;');
  writeFileSync(join(dir, '0001_a.sql'), 'SELECT 1;');
  writeFileSync(join(dir, 'README.md'), 'not a migration');
  assert.equal(readMigrations(dir).map((m) => m.version), [1, 2]);
  writeFileSync(join(dir, '0002_c.sql'), 'SELECT 3;');
  assert.throws(() => readMigrations(dir), /two migrations have version 2/);
});

test('the shipped migrations are found from the package and create the four tables without TTL, Map or DateTime64', () => {
  const migrations = readMigrations(defaultMigrationsDir());
  const sql = migrations.flatMap((m) => m.statements).join('\n');
  for (const table of ['metric_samples', 'alarm_transitions', 'fault_events', 'remediation_results']) {
    assert.match(sql, `CREATE TABLE IF NOT EXISTS ${table} `);
  }
  assert.not.match(sql, /\bTTL\b|\bMap\(|DateTime64|LowCardinality/);
});

test.run();
