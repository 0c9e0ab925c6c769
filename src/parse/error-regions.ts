/** Parse-error regions: byte ranges of ERROR / MISSING nodes. Nothing is edited inside them. */
import type { Node } from './parser.js';

export interface Region {
  start: number;
  end: number;
}

export function errorRegions(root: Node): Region[] {
  const out: Region[] = [];
  if (!root.hasError) return out;
  const visit = (node: Node) => {
    if (node.type === 'ERROR' || node.isMissing) {
      out.push({ start: node.startIndex, end: Math.max(node.endIndex, node.startIndex + 1) });
      return;
    }
    if (!node.hasError) return;
    for (const child of node.children) if (child) visit(child);
  };
  visit(root);
  return out;
}

/**
 * True when [start, end) overlaps or touches a region. Touching counts: tree-sitter repairs an
 * unterminated quote at end of file with a zero-width MISSING node right where a word ends.
 */
export function overlaps(regions: Region[], start: number, end: number): boolean {
  return regions.some((r) => r.start <= end && start <= r.end);
}
