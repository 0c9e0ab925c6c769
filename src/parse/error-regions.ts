/** Parse-error regions: byte ranges of ERROR nodes and of constructs with a MISSING token. Nothing is edited inside them. */
import type { Node } from './parser.js';

export interface Region {
  start: number;
  end: number;
}

export function errorRegions(root: Node): Region[] {
  const out: Region[] = [];
  if (!root.hasError) return out;
  // An explicit stack, not recursion: 10,000 nested `(` must not overflow the call stack. Each
  // entry keeps where its parent starts: a MISSING token (the `)` or backtick of an unterminated
  // `$(` / `` ` `` / `(`, which tree-sitter supplies at the end) makes the whole construct it
  // should have closed a syntax error, from its opening on, so nothing inside it is edited.
  const stack: Array<{ node: Node; parentStart: number }> = [{ node: root, parentStart: root.startIndex }];
  while (stack.length) {
    const { node, parentStart } = stack.pop()!;
    if (node.type === 'ERROR' || node.isMissing) {
      const start = node.isMissing ? Math.min(parentStart, node.startIndex) : node.startIndex;
      out.push({ start, end: Math.max(node.endIndex, node.startIndex + 1) });
      continue;
    }
    if (!node.hasError) continue;
    const children = node.children;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push({ node: child, parentStart: node.startIndex });
    }
  }
  return out;
}

/**
 * True when [start, end) overlaps or touches a region. Touching counts: tree-sitter repairs an
 * unterminated quote at end of file with a zero-width MISSING node right where a word ends.
 */
export function overlaps(regions: Region[], start: number, end: number): boolean {
  return regions.some((r) => r.start <= end && start <= r.end);
}
