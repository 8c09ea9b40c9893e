import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { CatalogIssue } from './types.js';

/** A parsed YAML file with the line counter that locates its nodes, and its syntax errors as issues. */
export interface LocatedYaml {
  doc: Document;
  lc: LineCounter;
  issues: CatalogIssue[];
}

/** Parses `text` (from `file`) keeping positions; duplicate keys are errors. */
export function parseLocated(text: string, file: string): LocatedYaml {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const issues = doc.errors.map((e): CatalogIssue => {
    const pos = lc.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, field: '', message: `YAML: ${e.message.split('\n')[0]}` };
  });
  return { doc, lc, issues };
}

/** Line and column of the YAML node at `path`, or of the nearest ancestor that exists (a missing key points at its map). */
export function positionOf(doc: Document, lc: LineCounter, path: readonly (string | number)[]): { line: number; col: number } {
  let node: unknown = doc.contents;
  for (const seg of path) {
    if (!isMap(node) && !isSeq(node)) break;
    const next = isMap(node) ? node.items.find((p) => isScalar(p.key) && String(p.key.source ?? p.key.value) === String(seg))?.value : node.get(seg, true);
    if (!isScalar(next) && !isMap(next) && !isSeq(next)) break;
    node = next;
  }
  const range = (node as Node | undefined)?.range;
  return range ? lc.linePos(range[0]) : { line: 1, col: 1 };
}
