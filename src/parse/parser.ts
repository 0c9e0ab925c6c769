/**
 * With syntax-tree.ts, the only module that knows about web-tree-sitter. Loads the bash grammar
 * once (WASM shipped in the tree-sitter-bash npm package; nothing is downloaded) and parses sources
 * into trees (SyntaxTree: copied into plain JavaScript when first read). Offsets of nodes are
 * JavaScript string indices (UTF-16 code units), so they splice directly into the source string.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { Parser, Language } from 'web-tree-sitter';
import { hasTimeLimit, LimitError, timeIsUp, timeMessage } from './limits.js';
import { SyntaxTree, useBinding, type SyntaxNode } from './syntax-tree.js';

export type { SyntaxNode as Node, SyntaxTree as Tree };

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

function wasmPath(pkgFile: string): string {
  const require = createRequire(import.meta.url);
  return require.resolve(pkgFile);
}

/**
 * The parser's two WebAssembly modules, compiled: web-tree-sitter's runtime and the bash grammar.
 * A worker thread given these (postMessage shares a compiled module between the threads of a
 * process) instantiates them instead of compiling its own copy, so the machine code, and the
 * optimised code V8 tiers hot functions up to while files are parsed, exists once for all threads.
 */
export interface CompiledParser {
  runtime: WebAssembly.Module;
  grammar: WebAssembly.Module;
}

let compiled: CompiledParser | undefined;

/** The compiled modules, for worker threads (see CompiledParser); compiled here when first asked. */
export function compiledParser(): CompiledParser {
  compiled ??= {
    runtime: new WebAssembly.Module(readFileSync(wasmPath('web-tree-sitter/tree-sitter.wasm'))),
    grammar: new WebAssembly.Module(readFileSync(wasmPath('tree-sitter-bash/tree-sitter-bash.wasm'))),
  };
  return compiled;
}

/** Loads the grammar. Safe to call many times; resolves once the parser is ready. */
export function initParser(): Promise<void> {
  return loadParser();
}

/**
 * Loads the grammar from the modules compiledParser() made (see CompiledParser), in the thread that
 * compiled them or in a worker given them. A function of its own, not an optional argument of
 * initParser: `beforeAll(initParser)` passes its context.
 */
export function initParserFrom(shared: CompiledParser): Promise<void> {
  return loadParser(shared);
}

function loadParser(shared?: CompiledParser): Promise<void> {
  if (parser) return Promise.resolve();
  if (!loading) {
    loading = (async () => {
      if (shared) compiled = shared;
      const binding: Record<string, unknown> = compiled ? { instantiateWasm: instantiateFrom(compiled.runtime) } : { wasmBinary: readFileSync(wasmPath('web-tree-sitter/tree-sitter.wasm')) };
      await Parser.init(binding);
      useBinding(binding);
      const grammar = readFileSync(wasmPath('tree-sitter-bash/tree-sitter-bash.wasm'));
      const language = compiled ? await loadingFrom(compiled.grammar, grammar, () => Language.load(grammar)) : await Language.load(grammar);
      const p = new Parser();
      p.setLanguage(language);
      parser = p;
    })();
  }
  return loading;
}

/** Emscripten's hook for making the runtime's instance: from the compiled module. */
function instantiateFrom(module: WebAssembly.Module) {
  return (imports: WebAssembly.Imports, receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) => {
    receive(new WebAssembly.Instance(module, imports), module);
    return {};
  };
}

/**
 * Language.load takes only the grammar's bytes (it reads their dynamic-linking section, then
 * compiles and instantiates them with WebAssembly.instantiate): while it runs, instantiating those
 * bytes instantiates the compiled module instead.
 */
async function loadingFrom<T>(module: WebAssembly.Module, bytes: Uint8Array, load: () => Promise<T>): Promise<T> {
  const instantiate = WebAssembly.instantiate;
  const fromCompiled = ((source: unknown, imports?: WebAssembly.Imports) =>
    source === bytes ? Promise.resolve({ module, instance: new WebAssembly.Instance(module, imports) }) : instantiate(source as BufferSource, imports)) as typeof WebAssembly.instantiate;
  WebAssembly.instantiate = fromCompiled;
  try {
    return await load();
  } finally {
    if (WebAssembly.instantiate === fromCompiled) WebAssembly.instantiate = instantiate;
  }
}

/** Tells a tree about text replacements (any order; applied last-first) so it can be re-parsed incrementally. */
export function editTree(tree: SyntaxTree, pointOf: (offset: number) => { row: number; column: number }, edits: Array<{ start: number; end: number; text: string }>): void {
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    const start = pointOf(e.start);
    const lines = e.text.split('\n');
    const newEnd = lines.length === 1 ? { row: start.row, column: start.column + e.text.length } : { row: start.row + lines.length - 1, column: lines[lines.length - 1].length };
    tree.raw.edit({ startIndex: e.start, oldEndIndex: e.end, newEndIndex: e.start + e.text.length, startPosition: start, oldEndPosition: pointOf(e.end), newEndPosition: newEnd });
  }
}

export function isParserReady(): boolean {
  return parser !== undefined;
}

/** A part of the source to parse alone, as JavaScript string indices (see parseRanges). */
export interface SourceRange {
  start: number;
  end: number;
}

/**
 * Parses bash source (incrementally when given the edited old tree). `initParser()` must have
 * resolved first. With `ranges`, only those parts of the source are read, as if the text between
 * them were not there (tree-sitter's included ranges); offsets stay those of the whole source.
 */
export function parseBash(source: string, oldTree?: SyntaxTree, ranges?: SourceRange[]): SyntaxTree {
  if (!parser) throw new Error('bridge-migrate: parser used before initParser() resolved');
  // Under a time budget (src/parse/limits.ts) the parse is cancelled when the budget is spent.
  const options: Parameters<Parser['parse']>[2] = {};
  if (hasTimeLimit()) options.progressCallback = (() => timeIsUp()) as () => void;
  if (ranges) options.includedRanges = includedRanges(source, ranges);
  const tree = parser.parse(source, oldTree?.raw ?? null, options);
  if (!tree) {
    parser.reset();
    if (timeIsUp()) throw new LimitError(timeMessage());
    throw new Error('bridge-migrate: the bash parser returned no tree');
  }
  return new SyntaxTree(tree, source);
}

/** Tree-sitter ranges (byte offsets of the UTF-16 text it is given, rows and columns) for string ranges. */
function includedRanges(source: string, ranges: SourceRange[]) {
  let row = 0;
  let lineStart = 0;
  let scanned = 0;
  const pointAt = (offset: number) => {
    for (let i = source.indexOf('\n', scanned); i !== -1 && i < offset; i = source.indexOf('\n', i + 1)) {
      row++;
      lineStart = i + 1;
    }
    scanned = Math.max(scanned, offset);
    return { row, column: offset - lineStart };
  };
  return ranges.map((r) => {
    const startPosition = pointAt(r.start);
    const endPosition = pointAt(r.end);
    return { startIndex: r.start, endIndex: r.end, startPosition, endPosition };
  });
}
