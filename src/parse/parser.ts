/**
 * The only module that knows about web-tree-sitter. Loads the bash grammar once (WASM shipped in
 * the tree-sitter-bash npm package; nothing is downloaded) and parses sources into trees.
 * Offsets of nodes are JavaScript string indices (UTF-16 code units), so they splice directly
 * into the source string.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Parser, Language, type Node, type Tree } from 'web-tree-sitter';
import { hasTimeLimit, LimitError, timeIsUp, timeMessage } from './limits.js';

export type { Node, Tree };

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

function wasmPath(pkgFile: string): string {
  const require = createRequire(import.meta.url);
  return require.resolve(pkgFile);
}

/** Loads the grammar. Safe to call many times; resolves once the parser is ready. */
export function initParser(): Promise<void> {
  if (parser) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      const runtime = readFileSync(wasmPath('web-tree-sitter/tree-sitter.wasm'));
      await Parser.init({ wasmBinary: runtime });
      const grammar = readFileSync(wasmPath('tree-sitter-bash/tree-sitter-bash.wasm'));
      const language = await Language.load(grammar);
      const p = new Parser();
      p.setLanguage(language);
      parser = p;
    })();
  }
  return loading;
}

/** Tells a tree about text replacements (any order; applied last-first) so it can be re-parsed incrementally. */
export function editTree(tree: Tree, pointOf: (offset: number) => { row: number; column: number }, edits: Array<{ start: number; end: number; text: string }>): void {
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    const start = pointOf(e.start);
    const lines = e.text.split('\n');
    const newEnd = lines.length === 1 ? { row: start.row, column: start.column + e.text.length } : { row: start.row + lines.length - 1, column: lines[lines.length - 1].length };
    tree.edit({ startIndex: e.start, oldEndIndex: e.end, newEndIndex: e.start + e.text.length, startPosition: start, oldEndPosition: pointOf(e.end), newEndPosition: newEnd });
  }
}

export function isParserReady(): boolean {
  return parser !== undefined;
}

/** Parses bash source (incrementally when given the edited old tree). `initParser()` must have resolved first. */
export function parseBash(source: string, oldTree?: Tree): Tree {
  if (!parser) throw new Error('bridge-migrate: parser used before initParser() resolved');
  // Under a time budget (src/parse/limits.ts) the parse is cancelled when the budget is spent.
  const options = hasTimeLimit() ? { progressCallback: (() => timeIsUp()) as () => void } : undefined;
  const tree = parser.parse(source, oldTree ?? null, options);
  if (!tree) {
    parser.reset();
    if (timeIsUp()) throw new LimitError(timeMessage());
    throw new Error('bridge-migrate: the bash parser returned no tree');
  }
  return tree;
}
