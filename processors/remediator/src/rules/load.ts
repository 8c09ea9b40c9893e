import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { parseDuration, resolveConfigPaths } from '@faultline/runtime';
import { Value } from '@sinclair/typebox/value';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { RulesFileSchema, type RuleConfig } from './schema.js';

export class RulesError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'RulesError';
  }
}

function positionOf(doc: Document, lc: LineCounter, path: readonly string[]): string {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (!isMap(node) && !isSeq(node)) break;
    const next = node.get(isSeq(node) ? Number(seg) : seg, true) as unknown;
    if (!isScalar(next) && !isMap(next) && !isSeq(next)) break;
    node = next;
  }
  const range = (node as Node | undefined)?.range;
  const p = range ? lc.linePos(range[0]) : { line: 1, col: 1 };
  return `${p.line}:${p.col}`;
}

interface Problem { path: string; message: string; value: unknown }

/**
 * Value.Errors, except that a union discriminated by `type` (the actions) is explained by the member
 * the value names, so `argv: []` says "expected at least 1 item" rather than "Expected union value".
 */
function* explainErrors(schema: TSchema, value: unknown, prefix: string): Generator<Problem> {
  for (const e of Value.Errors(schema, value)) {
    const members = (e.schema as { anyOf?: TSchema[] }).anyOf;
    const type = (e.value as { type?: unknown } | undefined)?.type;
    if (members && typeof type === 'string' && members.every((m) => m.properties?.type?.const !== undefined)) {
      const member = members.find((m) => m.properties.type.const === type);
      if (member) yield* explainErrors(member, Value.Default(member, Value.Clone(e.value)), prefix + e.path);
      else yield { path: `${prefix}${e.path}/type`, message: `unknown action type; one of ${members.map((m) => m.properties.type.const).join(', ')}`, value: type };
      continue;
    }
    yield { path: prefix + e.path, message: e.message, value: e.value };
  }
}

/** Cross-field checks the schema cannot express. */
export function checkRules(rules: readonly RuleConfig[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) problems.push(`rules.${i}.name: "${r.name}" is used by an earlier rule; names must be unique`);
    seen.add(r.name);
    r.steps.forEach((s, j) => {
      for (const key of ['timeout', 'verify_within'] as const) {
        // Node timers cannot wait longer; a longer one would fire at once.
        if (parseDuration(s[key]) > MAX_TIMER_MS) problems.push(`rules.${i}.steps.${j}.${key}: ${s[key]} is longer than the 24d a timer can wait`);
      }
    });
  });
  return problems;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Reads a rules file (`rules: [...]`); every problem is reported at once as `file:line:col: path: message`. */
export function loadRulesFile(file: string, text = readFileSync(file, 'utf8')): RuleConfig[] {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new RulesError(doc.errors.map((e) => { const p = lc.linePos(e.pos[0]); return `${file}:${p.line}:${p.col}: YAML: ${e.message.split('\n')[0]}`; }));
  }
  // A relative path in an action (cwd, ca_file) is relative to this file, as in the pipeline file.
  const value = Value.Default(RulesFileSchema, resolveConfigPaths(RulesFileSchema, doc.toJS() ?? { rules: [] }, dirname(file)));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const e of explainErrors(RulesFileSchema, value, '')) {
    const path = e.path.split('/').filter(Boolean);
    const dotted = path.join('.');
    if ([...seen].some((s) => dotted.startsWith(s))) continue; // one message per field: unions repeat themselves
    seen.add(dotted);
    problems.push(`${file}:${positionOf(doc, lc, path)}: ${dotted || '(top)'}: ${e.message}${e.value !== undefined && typeof e.value !== 'object' ? ` (got ${JSON.stringify(e.value)})` : ''}`);
  }
  if (problems.length) throw new RulesError(problems);
  const rules = (value as { rules: RuleConfig[] }).rules;
  const cross = checkRules(rules);
  if (cross.length) throw new RulesError(cross.map((p) => `${file}: ${p}`));
  return rules;
}
