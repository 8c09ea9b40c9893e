/**
 * Entity paths (`host=compute-0.filesystem=/var`), root first. A value may itself hold dots
 * (`interface=eth0.100`), so a path only splits where a dot is followed by `key=`.
 */
const KEY_AFTER_DOT = /\.(?=[A-Za-z0-9_-]+=)/g;

/** The path itself and every ancestor by path, nearest first: `a=1.b=2.c=3` → [a=1.b=2.c=3, a=1.b=2, a=1]. */
export function pathAncestors(entity: string): string[] {
  const out = [entity];
  const cuts = [...entity.matchAll(KEY_AFTER_DOT)].map((m) => m.index);
  for (let i = cuts.length - 1; i >= 0; i--) out.push(entity.slice(0, cuts[i]));
  return out;
}

/** True when `entity` is `ancestor` or lies below it in the path. */
export function isAtOrBelow(entity: string, ancestor: string): boolean {
  if (entity.length === ancestor.length) return entity === ancestor;
  return entity.length > ancestor.length && entity.startsWith(ancestor)
    && entity.charCodeAt(ancestor.length) === 46 /* . */ && /^[A-Za-z0-9_-]+=/.test(entity.slice(ancestor.length + 1));
}

/**
 * The partition key of a path: the value of its first element (`host=compute-0.x=y` → compute-0).
 * Scans characters instead of searching KEY_AFTER_DOT: a restore asks this for every alarm, and the
 * regular expression was most of its cost. Same result: see the entity test.
 */
export function rootOf(entity: string): string {
  const eq = entity.indexOf('=');
  if (eq < 0) return entity;
  const dot = firstElementEnd(entity);
  return entity.slice(eq + 1, dot < 0 ? undefined : dot);
}

/** Where KEY_AFTER_DOT first matches: a dot followed by `[A-Za-z0-9_-]+=`; -1 when none does. */
function firstElementEnd(entity: string): number {
  for (let dot = entity.indexOf('.'); dot >= 0; dot = entity.indexOf('.', dot + 1)) {
    let i = dot + 1;
    while (i < entity.length && isKeyChar(entity.charCodeAt(i))) i++;
    if (i > dot + 1 && entity.charCodeAt(i) === 61 /* = */) return dot;
  }
  return -1;
}

const isKeyChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 /* _ */ || c === 45 /* - */;

/** The host of an alarm key (`alarm_id|entity`, see alarmKey), read without decoding the alarm. */
export const rootOfKey = (key: string): string => rootOf(key.slice(key.indexOf('|') + 1));

/** Makes a label value safe inside a path: `=` would end a value; a dot in the first value would split the root. */
export function pathValue(v: string, first: boolean): string {
  let out = v.includes('=') ? v.replaceAll('=', '_') : v;
  if (first && out.includes('.')) out = out.replaceAll('.', '_');
  return out === '' ? '_' : out;
}

export interface EntityTemplate {
  /** Label names in order of appearance (`node` falls back to the batch's node). */
  vars: string[];
  /** Literal text between the vars: literals.length === vars.length + 1. */
  literals: string[];
}

/** Compiles `host=<node>.filesystem=<mountpoint>`; throws on an unclosed `<`. */
export function compileTemplate(template: string): EntityTemplate {
  const vars: string[] = [];
  const literals: string[] = [];
  let rest = template;
  for (;;) {
    const open = rest.indexOf('<');
    if (open < 0) { literals.push(rest); break; }
    const close = rest.indexOf('>', open);
    if (close < 0) throw new Error(`unclosed "<" in entity template "${template}"`);
    literals.push(rest.slice(0, open));
    vars.push(rest.slice(open + 1, close));
    rest = rest.slice(close + 1);
  }
  return { vars, literals };
}

export function renderTemplate(t: EntityTemplate, values: readonly string[]): string {
  let out = t.literals[0]!;
  for (let i = 0; i < t.vars.length; i++) out += pathValue(values[i]!, i === 0 && t.literals[0]!.indexOf('.') < 0) + t.literals[i + 1]!;
  return out;
}
