import type { AlarmType, ProbableCause, Severity } from '@faultline/schemas';

/** How an alarm goes away: which input is expected to clear it. */
export type ClearMode = 'threshold' | 'fault' | 'heartbeat' | 'operator' | 'none';

/** One catalog entry, normalized: what the engine needs to build an Alarm, whatever file format it came from. */
export interface CatalogEntry {
  id: string;
  /** `log` entries only ever reach the event log (fm-api `log`). */
  kind: 'alarm' | 'log';
  description: string;
  /** Entity type, the keys of the path joined by dots: `host.filesystem`. */
  entity_type: string;
  /** Entity path template: `host=<node>.filesystem=<mountpoint>`. */
  entity: string;
  /** Other templates the same alarm may use (StarlingX lists several for some ids). */
  entity_alternatives: string[];
  severities: Severity[];
  alarm_type: AlarmType;
  probable_cause: ProbableCause;
  repair_action: string;
  /** True when service affecting at any severity; `service_affecting_severities` narrows it. */
  service_affecting: boolean;
  service_affecting_severities: Severity[];
  suppression_allowed: boolean;
  /** While active, it inhibits the suppressible alarms of its entity and of every entity below it. */
  inhibits_children: boolean;
  clears: ClearMode;
}

export interface Catalog {
  entries: ReadonlyMap<string, CatalogEntry>;
}

/** A problem in a catalog file: where, which entry, which field, what is wrong. */
export interface CatalogIssue {
  file: string;
  line: number;
  column: number;
  /** The alarm id of the entry, when known. */
  id?: string;
  field: string;
  message: string;
}

export const formatCatalogIssue = (i: CatalogIssue): string =>
  `${i.file}:${i.line}:${i.column}: ${i.id ? `${i.id} ` : ''}${i.field}: ${i.message}`;

export interface CatalogLoad {
  catalog: Catalog;
  issues: CatalogIssue[];
}

/** Merges catalogs; later ones win on the same id (a site file overriding the defaults). */
export function mergeCatalogs(...catalogs: Catalog[]): Catalog {
  const entries = new Map<string, CatalogEntry>();
  for (const c of catalogs) for (const [id, e] of c.entries) entries.set(id, e);
  return { entries };
}

/** Entity type of a template: the keys in order (`host=<h>.interface=<i>` → `host.interface`). */
export function entityTypeOf(template: string): string {
  const keys: string[] = [];
  for (const m of template.matchAll(/([A-Za-z0-9_-]+)(?==|\.|$)/g)) {
    const before = template[m.index - 1];
    if (m.index === 0 || before === '.' || before === ' ') keys.push(m[1]!);
  }
  return keys.join('.');
}

export function isServiceAffecting(entry: CatalogEntry | undefined, severity: Severity): boolean {
  if (!entry) return false;
  return entry.service_affecting_severities.length ? entry.service_affecting_severities.includes(severity) : entry.service_affecting;
}
