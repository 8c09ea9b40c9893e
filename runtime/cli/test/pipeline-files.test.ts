import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadPipelineConfig } from '@faultline/runtime';
import { registry } from '../src/index.js';

const ROOT = resolve(import.meta.dirname, '../../..');

test('the annotated example configures every role on the Kafka bus, and it validates', () => {
  const cfg = loadPipelineConfig(resolve(ROOT, 'deploy/faultline.example.yaml'), registry, { env: {} });
  assert.is(cfg.bus.type, 'kafka');
  const types = cfg.components.map((c) => `${c.kind}:${c.factory.type}`).sort();
  assert.equal(types, [
    'collector:host', 'processor:correlator', 'processor:remediator',
    'sink:alertmanager', 'sink:clickhouse', 'sink:prometheus', 'sink:snmp',
  ]);
});

test('the embedded default (./faultline run) runs the single-node pipeline with the REST API and a dry-run remediator', () => {
  const cfg = loadPipelineConfig(resolve(ROOT, 'deploy/pipelines/simplex.yaml'), registry, { env: {} });
  assert.is(cfg.bus.type, 'embedded');
  const byType = new Map(cfg.components.map((c) => [c.factory.type, c.config as Record<string, any>]));
  assert.ok(byType.has('host') && byType.has('prometheus') && byType.has('snmp'));
  assert.is(byType.get('correlator')?.api.enabled, true);
  assert.is(byType.get('remediator')?.dry_run, true);
});

test('the deploy files name their paths relative to themselves, so they load the same from any directory', () => {
  const cwd = process.cwd();
  process.chdir(tmpdir());
  try {
    const simplex = loadPipelineConfig(resolve(ROOT, 'deploy/pipelines/simplex.yaml'), registry, { env: {} });
    assert.is(simplex.dataDir, resolve(ROOT, '.dev/simplex'));
    const byType = new Map(simplex.components.map((c) => [c.factory.type, c.config as Record<string, any>]));
    const files: string[] = [...byType.get('correlator')!.rules.files, byType.get('remediator')!.rules_file];
    assert.equal(files, [resolve(ROOT, 'deploy/rules/demo.yaml'), resolve(ROOT, 'deploy/remediation/demo.yaml')]);
    const example = loadPipelineConfig(resolve(ROOT, 'deploy/faultline.example.yaml'), registry, { env: {} });
    const rulesFile = example.components.find((c) => c.factory.type === 'remediator')!.config as { rules_file: string };
    assert.ok(existsSync(rulesFile.rules_file), rulesFile.rules_file);
  } finally {
    process.chdir(cwd);
  }
});

test.run();
