import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCatalogFile, loadCatalogText, loadStarlingxEventsFile, loadStarlingxEventsText } from '../src/index.js';
import { ROOT, STARLINGX_EVENTS } from './helpers.js';

const PREAMBLE_IDS = [
  '700.101', '700.103', '700.104', '700.105', '700.106', '700.110', '700.120', '700.130', '700.140', '700.150',
  '710.001', '710.002', '710.010', '720.001', '720.002', '730.001',
];

test('the default catalog declares every faultline alarm id, with no issue', () => {
  const { catalog, issues } = loadCatalogFile(resolve(ROOT, 'deploy/catalog/faultline.yaml'));
  assert.equal(issues, []);
  assert.equal([...catalog.entries.keys()].sort(), PREAMBLE_IDS);
  assert.is(catalog.entries.get('710.002')!.kind, 'log');
  assert.is(catalog.entries.get('710.001')!.inhibits_children, true);
  assert.is(catalog.entries.get('700.104')!.entity_type, 'host.filesystem');
  assert.equal(catalog.entries.get('700.104')!.service_affecting_severities, ['critical']);
});

test('a bad catalog entry is reported with file, line, id and field; good entries still load', () => {
  const text = [
    'alarms:',
    '  "700.101":',
    '    description: ok',
    '    entity: host=<node>',
    '    severities: [major]',
    '    alarm_type: equipment',
    '    probable_cause: threshold-crossed',
    '  "700.102":',
    '    description: bad',
    '    entity: host=<node>',
    '    severities: [fatal]',
    '    alarm_type: equipment',
    '    probable_cause: threshold-crossed',
    '    colour: red',
  ].join('\n');
  const { catalog, issues } = loadCatalogText(text, 'c.yaml');
  assert.ok(catalog.entries.has('700.101'));
  assert.not.ok(catalog.entries.has('700.102'));
  const sev = issues.find((i) => i.field === 'severities.0');
  assert.ok(sev, JSON.stringify(issues));
  assert.is(sev!.id, '700.102');
  assert.is(sev!.line, 11);
  assert.is(sev!.file, 'c.yaml');
  const extra = issues.find((i) => i.field === 'colour');
  assert.ok(extra, JSON.stringify(issues));
  assert.is(extra!.line, 14);
});

test('an unquoted id keeps its trailing zero (700.150 is not the float 700.15)', () => {
  const { catalog, issues } = loadCatalogText(
    'alarms:\n  700.150:\n    description: d\n    entity: host=<node>\n    severities: [minor]\n    alarm_type: other\n    probable_cause: unknown\n',
    'c.yaml',
  );
  assert.equal(issues, []);
  assert.ok(catalog.entries.has('700.150'));
});

test('StarlingX events.yaml: all 331 entries load and map, unchanged', () => {
  const { catalog, issues } = loadStarlingxEventsFile(STARLINGX_EVENTS);
  assert.equal(issues, []);
  assert.is(catalog.entries.size, 331);
  const cpu = catalog.entries.get('100.101')!;
  assert.equal(cpu.severities, ['critical', 'major']);
  assert.is(cpu.alarm_type, 'operational-violation');
  assert.is(cpu.probable_cause, 'threshold-crossed');
  assert.is(cpu.entity, 'host=<hostname>');
  assert.is(cpu.entity_type, 'host');
  assert.is(cpu.suppression_allowed, true);
  // Keys with a trailing zero are not floats.
  for (const id of ['100.110', '700.200', '800.010', '900.010']) assert.ok(catalog.entries.has(id), id);
  for (const id of catalog.entries.keys()) assert.match(id, /^[0-9]{3}\.[0-9]{3}$/);
  // Service_Affecting by severity.
  const proc = catalog.entries.get('200.006')!;
  assert.equal(proc.service_affecting_severities, ['critical', 'major']);
  // Entity by severity and alternatives joined by OR.
  assert.is(catalog.entries.get('100.114')!.entity, 'host=<hostname>.ntp');
  assert.ok(catalog.entries.get('100.103')!.entity_alternatives.length >= 2);
  // Logs and the one alarm that inhibits others (host locked).
  const logs = [...catalog.entries.values()].filter((e) => e.kind === 'log').length;
  assert.is(logs, 196);
  assert.equal([...catalog.entries.values()].filter((e) => e.inhibits_children).map((e) => e.id), ['200.001']);
});

test('StarlingX: an invalid entry is reported with its id and field, never a crash; the rest load', () => {
  const text = readFileSync(STARLINGX_EVENTS, 'utf8')
    .replace(/(100\.101:\n(?:.*\n)*?\s+Severity: )\[critical, major\]/, '$1[critical, dreadful]')
    .replace(/(100\.102:\n(?:.*\n)*?\s+Alarm_Type: )operational-violation/, '$1space-weather');
  const { catalog, issues } = loadStarlingxEventsText(text, 'events.yaml');
  assert.is(catalog.entries.size, 329);
  const sev = issues.find((i) => i.id === '100.101');
  assert.is(sev?.field, 'Severity');
  assert.match(sev!.message, /dreadful/);
  assert.ok(sev!.line > 100);
  assert.is(issues.find((i) => i.id === '100.102')?.field, 'Alarm_Type');
});

test('StarlingX: garbage records and broken YAML are issues, not exceptions', () => {
  const r = loadStarlingxEventsText('100.001: just a string\n100.002:\n  Type: Alarm\n', 'x.yaml');
  assert.is(r.catalog.entries.size, 0);
  assert.equal([...new Set(r.issues.map((i) => i.id))], ['100.001', '100.002']);
  const fields = r.issues.filter((i) => i.id === '100.002').map((i) => i.field);
  for (const f of ['Description', 'Entity_Instance_ID', 'Severity']) assert.ok(fields.includes(f), f);
  const broken = loadStarlingxEventsText('100.001: [unclosed\n', 'x.yaml');
  assert.is(broken.issues.length, 1);
  assert.match(broken.issues[0]!.message, /YAML/);
});

test.run();
