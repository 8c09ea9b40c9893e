import { readFileSync } from 'node:fs';
import { isAlarmType, isProbableCause, isSeverity, type AlarmType, type ProbableCause, type Severity } from '@faultline/schemas';
import { isMap, isScalar } from 'yaml';
import { entityTypeOf, type CatalogEntry, type CatalogLoad } from './types.js';
import { parseLocated, positionOf } from './yaml-location.js';

/**
 * Loads StarlingX's fm events.yaml unchanged (the format documented at its top: strings, lists, or maps
 * indexed by severity). Each entry maps to a CatalogEntry; an entry that does not map is reported with
 * its id and field and skipped, so one bad record never stops the rest.
 */
export function loadStarlingxEventsText(text: string, file: string): CatalogLoad {
  const { doc, lc, issues } = parseLocated(text, file);
  const entries = new Map<string, CatalogEntry>();
  if (issues.length || !isMap(doc.contents)) {
    if (!issues.length) issues.push({ file, line: 1, column: 1, field: '', message: 'expected a map of alarm id → record' });
    return { catalog: { entries }, issues };
  }
  for (const pair of doc.contents.items) {
    // Keys like 100.110 are floats to YAML (100.11): the source text is the id.
    const id = isScalar(pair.key) ? String(pair.key.source ?? pair.key.value) : '';
    const problems: { field: string; message: string }[] = [];
    const record = (pair.value as { toJS?: (d: unknown) => unknown } | null)?.toJS?.(doc);
    const entry = /^[0-9]{3}\.[0-9]{3}$/.test(id)
      ? mapRecord(id, record, problems)
      : (problems.push({ field: '', message: 'alarm id must be GGG.EEE' }), undefined);
    for (const p of problems) {
      const pos = positionOf(doc, lc, p.field ? [id, p.field] : [id]);
      issues.push({ file, line: pos.line, column: pos.col, id, field: p.field, message: p.message });
    }
    if (entry && !problems.length) entries.set(id, entry);
  }
  return { catalog: { entries }, issues };
}

export function loadStarlingxEventsFile(file: string): CatalogLoad {
  return loadStarlingxEventsText(readFileSync(file, 'utf8'), file);
}

type Problems = { field: string; message: string }[];
const SEVERITY_KEYED = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).every(isSeverity);

/** A string, a list of strings, or a map by severity → the texts in order. */
function texts(v: unknown, field: string, problems: Problems, required: boolean): string[] {
  if (v === null || v === undefined) {
    if (required) problems.push({ field, message: 'required field is missing' });
    return [];
  }
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  if (SEVERITY_KEYED(v) && Object.values(v).every((x) => typeof x === 'string')) {
    return Object.entries(v).map(([sev, text]) => `${sev}: ${text as string}`);
  }
  problems.push({ field, message: `expected a string, a list of strings or a map by severity, got ${JSON.stringify(v)}` });
  return [];
}

function mapRecord(id: string, r: unknown, problems: Problems): CatalogEntry | undefined {
  if (!r || typeof r !== 'object' || Array.isArray(r)) {
    problems.push({ field: '', message: 'expected a record (a map of fields)' });
    return undefined;
  }
  const rec = r as Record<string, unknown>;
  const type = rec.Type;
  if (type !== 'Alarm' && type !== 'Log') problems.push({ field: 'Type', message: `expected Alarm or Log, got ${JSON.stringify(type)}` });
  const kind = type === 'Log' ? 'log' : 'alarm';

  const description = texts(rec.Description, 'Description', problems, true).join('\n');

  // Entity_Instance_ID: a string (alternatives joined by OR), a list, or a map by severity.
  const entityTexts = SEVERITY_KEYED(rec.Entity_Instance_ID)
    ? Object.values(rec.Entity_Instance_ID).filter((x): x is string => typeof x === 'string')
    : texts(rec.Entity_Instance_ID, 'Entity_Instance_ID', problems, true);
  const entities = entityTexts.flatMap((t) => t.split(/\s+OR\s+|\n/)).map((t) => t.trim()).filter((t) => t && t !== 'OR');
  if (!entities.length && !problems.some((p) => p.field === 'Entity_Instance_ID')) {
    problems.push({ field: 'Entity_Instance_ID', message: 'no entity template' });
  }

  const severities: Severity[] = [];
  for (const s of [rec.Severity].flat()) {
    if (isSeverity(s)) severities.push(s);
    else problems.push({ field: 'Severity', message: `unknown severity ${JSON.stringify(s)} (expected critical, major, minor or warning)` });
  }
  if (!severities.length && !problems.some((p) => p.field === 'Severity')) problems.push({ field: 'Severity', message: 'required field is missing' });

  const alarmTypes = [rec.Alarm_Type].flat();
  const alarmType = alarmTypes[0];
  for (const t of alarmTypes) if (!isAlarmType(t)) problems.push({ field: 'Alarm_Type', message: `unknown X.733 alarm type ${JSON.stringify(t)}` });

  const causes = [rec.Probable_Cause].flat();
  for (const c of causes) if (!isProbableCause(c)) problems.push({ field: 'Probable_Cause', message: `unknown probable cause ${JSON.stringify(c)}` });

  const repair = texts(rec.Proposed_Repair_Action, 'Proposed_Repair_Action', problems, false).join('\n');

  let serviceAffecting = false;
  let serviceAffectingSeverities: Severity[] = [];
  const sa = rec.Service_Affecting;
  if (typeof sa === 'boolean') serviceAffecting = sa;
  else if (SEVERITY_KEYED(sa) && Object.values(sa).every((x) => typeof x === 'boolean')) {
    serviceAffectingSeverities = Object.entries(sa).filter(([, v]) => v).map(([s]) => s as Severity);
    serviceAffecting = serviceAffectingSeverities.length > 0;
  } else problems.push({ field: 'Service_Affecting', message: `expected True, False or a map by severity, got ${JSON.stringify(sa)}` });

  const suppression = rec.Suppression;
  if (suppression !== undefined && suppression !== null && typeof suppression !== 'boolean') {
    problems.push({ field: 'Suppression', message: `expected True or False, got ${JSON.stringify(suppression)}` });
  }
  const inhibit = rec.Inhibit_Alarms;
  if (inhibit !== undefined && inhibit !== null && typeof inhibit !== 'boolean') {
    problems.push({ field: 'Inhibit_Alarms', message: `expected True or False, got ${JSON.stringify(inhibit)}` });
  }
  if (problems.length) return undefined;
  const entity = entities[0]!;
  return {
    id,
    kind,
    description,
    entity_type: entityTypeOf(entity),
    entity,
    entity_alternatives: entities.slice(1),
    severities,
    alarm_type: alarmType as AlarmType,
    probable_cause: causes[0] as ProbableCause,
    repair_action: repair,
    service_affecting: serviceAffecting,
    service_affecting_severities: serviceAffectingSeverities,
    suppression_allowed: suppression === true,
    inhibits_children: inhibit === true,
    clears: kind === 'log' ? 'none' : 'fault',
  };
}
