import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

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
