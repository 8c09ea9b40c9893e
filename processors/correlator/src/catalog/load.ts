import { readFileSync } from 'node:fs';
import { Value } from '@sinclair/typebox/value';
import { isMap, isScalar } from 'yaml';
import { CatalogFileEntrySchema, type CatalogFileEntry } from './schema.js';
import { entityTypeOf, type CatalogEntry, type CatalogLoad } from './types.js';
import { parseLocated, positionOf } from './yaml-location.js';

const ID = /^[0-9]{3}\.[0-9]{3}$/;

/**
 * Loads a faultline catalog (`alarms: { "700.101": {...} }`). Every problem is reported with its
 * file, line, alarm id and field; valid entries load even when others do not.
 */
export function loadCatalogText(text: string, file: string): CatalogLoad {
  const { doc, lc, issues } = parseLocated(text, file);
  const entries = new Map<string, CatalogEntry>();
  if (issues.length) return { catalog: { entries }, issues };
  const root = doc.contents;
  const alarms = isMap(root) ? root.get('alarms', true) : undefined;
  if (!isMap(alarms)) {
    issues.push({ file, line: 1, column: 1, field: 'alarms', message: 'expected a map of alarm id → entry under `alarms`' });
    return { catalog: { entries }, issues };
  }
  for (const key of root && isMap(root) ? root.items.map((p) => (isScalar(p.key) ? String(p.key.value) : '')) : []) {
    if (key !== 'alarms') {
      const pos = positionOf(doc, lc, [key]);
      issues.push({ file, line: pos.line, column: pos.col, field: key, message: 'unknown top-level field (allowed: alarms)' });
    }
  }
  for (const pair of alarms.items) {
    // The source text, not the parsed value: an unquoted 700.150 would otherwise read as the float 700.15.
    const id = isScalar(pair.key) ? String(pair.key.source ?? pair.key.value) : '';
    const at = (field: string) => positionOf(doc, lc, ['alarms', id, ...field.split('.').filter(Boolean)]);
    if (!ID.test(id)) {
      const pos = at('');
      issues.push({ file, line: pos.line, column: pos.col, id, field: '', message: 'alarm id must be GGG.EEE (three digits, a dot, three digits)' });
      continue;
    }
    const raw = (pair.value as { toJS?: (d: unknown) => unknown } | null)?.toJS?.(doc) ?? {};
    const value = Value.Default(CatalogFileEntrySchema, Value.Clone(raw));
    const seen = new Set<string>();
    for (const err of Value.Errors(CatalogFileEntrySchema, value)) {
      const field = err.path.split('/').filter(Boolean).join('.');
      if (seen.has(field)) continue;
      seen.add(field);
      const pos = at(field);
      issues.push({ file, line: pos.line, column: pos.col, id, field, message: `${err.message}${err.value === undefined ? '' : `, got ${JSON.stringify(err.value)}`}` });
    }
    if (seen.size) continue;
    entries.set(id, fromFileEntry(id, value as CatalogFileEntry));
  }
  return { catalog: { entries }, issues };
}

export function loadCatalogFile(file: string): CatalogLoad {
  return loadCatalogText(readFileSync(file, 'utf8'), file);
}

function fromFileEntry(id: string, e: CatalogFileEntry): CatalogEntry {
  const severities = Array.isArray(e.service_affecting) ? e.service_affecting : [];
  return {
    id,
    kind: e.kind,
    description: e.description,
    entity_type: e.entity_type ?? entityTypeOf(e.entity),
    entity: e.entity,
    entity_alternatives: [],
    severities: e.severities,
    alarm_type: e.alarm_type,
    probable_cause: e.probable_cause,
    repair_action: e.repair_action,
    service_affecting: Array.isArray(e.service_affecting) ? e.service_affecting.length > 0 : e.service_affecting,
    service_affecting_severities: severities,
    suppression_allowed: e.suppression_allowed,
    inhibits_children: e.inhibits_children,
    clears: e.kind === 'log' ? 'none' : e.clears,
  };
}
