/**
 * A parsed tree as plain JavaScript: the first time its root is asked for, one cursor walk copies
 * every node's type, offsets, field and parent into arrays, and from then on nothing the resolver
 * reads crosses into WebAssembly. (In web-tree-sitter each `type`, `endIndex`, `children` or
 * `parent` is a call into the parser's WebAssembly with its arguments marshalled, a new Node object
 * for each answer, and `parent` climbs from the root: 13% of a one-thread run's CPU profile was
 * web-tree-sitter's JavaScript alone, before this.)
 *
 * SyntaxNode offers the part of web-tree-sitter's Node that this project reads, with the same
 * meaning (test/syntax-tree.test.ts compares the two on every node of the fixtures). A node is one
 * object per tree: `a === b` when they are the same node.
 */
import type { Tree as RawTree } from 'web-tree-sitter';
import { checkTime } from './limits.js';

const NAMED = 1;
const MISSING = 2;
const HAS_ERROR = 4;
/** tree-sitter's symbol of an ERROR node (ts_builtin_sym_error). */
const ERROR_SYMBOL = 65535;

/** Per language: whether a symbol is named (a property of the symbol, asked once per symbol). */
const namedSymbols = new WeakMap<object, Map<number, boolean>>();

/** What the walk asks of a tree cursor. */
interface CursorCalls {
  symbol(): number;
  start(): number;
  end(): number;
  field(): number;
  isNamed(): boolean;
  isMissing(): boolean;
  firstChild(): boolean;
  nextSibling(): boolean;
  parent(): boolean;
  delete(): void;
}

/** The functions of web-tree-sitter's WebAssembly that a cursor's methods call (see useBinding). */
interface CursorBinding {
  _ts_tree_cursor_current_node_type_id_wasm(tree: number): number;
  _ts_tree_cursor_start_index_wasm(tree: number): number;
  _ts_tree_cursor_end_index_wasm(tree: number): number;
  _ts_tree_cursor_current_field_id_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_named_wasm(tree: number): number;
  _ts_tree_cursor_current_node_is_missing_wasm(tree: number): number;
  _ts_tree_cursor_goto_first_child_wasm(tree: number): number;
  _ts_tree_cursor_goto_next_sibling_wasm(tree: number): number;
  _ts_tree_cursor_goto_parent_wasm(tree: number): number;
  _ts_tree_cursor_delete_wasm(tree: number): void;
}

const BINDING_FUNCTIONS: Array<keyof CursorBinding> = [
  '_ts_tree_cursor_current_node_type_id_wasm',
  '_ts_tree_cursor_start_index_wasm',
  '_ts_tree_cursor_end_index_wasm',
  '_ts_tree_cursor_current_field_id_wasm',
  '_ts_tree_cursor_current_node_is_named_wasm',
  '_ts_tree_cursor_current_node_is_missing_wasm',
  '_ts_tree_cursor_goto_first_child_wasm',
  '_ts_tree_cursor_goto_next_sibling_wasm',
  '_ts_tree_cursor_goto_parent_wasm',
  '_ts_tree_cursor_delete_wasm',
];

let binding: CursorBinding | undefined;

/**
 * Parser.init's module object (emscripten fills the object it is given with the WebAssembly's
 * exports). A web-tree-sitter TreeCursor keeps its state in JavaScript and copies it into the
 * parser's transfer buffer before each call, and out after each move; the C side of every
 * `ts_tree_cursor_*_wasm` function reads the cursor from that buffer and a move writes it back
 * (lib/binding_web/lib/tree-sitter.c). So a walk that makes no other call in between can leave
 * the state in the buffer and call the functions directly: a third of the cost of each step.
 * Without those functions (another web-tree-sitter), the walk uses TreeCursor's methods.
 */
export function useBinding(module: object): void {
  const candidate = module as Partial<CursorBinding>;
  binding = BINDING_FUNCTIONS.every((name) => typeof candidate[name] === 'function') ? (candidate as CursorBinding) : undefined;
}

function cursorCalls(raw: RawTree): CursorCalls {
  // walk() leaves the new cursor in the transfer buffer.
  const cursor = raw.walk();
  if (!binding) {
    return {
      symbol: () => cursor.nodeTypeId,
      start: () => cursor.startIndex,
      end: () => cursor.endIndex,
      field: () => cursor.currentFieldId,
      isNamed: () => cursor.nodeIsNamed,
      isMissing: () => cursor.nodeIsMissing,
      firstChild: () => cursor.gotoFirstChild(),
      nextSibling: () => cursor.gotoNextSibling(),
      parent: () => cursor.gotoParent(),
      delete: () => cursor.delete(),
    };
  }
  const tree = (raw as unknown as { 0: number })[0];
  const calls = binding;
  return {
    symbol: () => calls._ts_tree_cursor_current_node_type_id_wasm(tree),
    start: () => calls._ts_tree_cursor_start_index_wasm(tree),
    end: () => calls._ts_tree_cursor_end_index_wasm(tree),
    field: () => calls._ts_tree_cursor_current_field_id_wasm(tree),
    isNamed: () => calls._ts_tree_cursor_current_node_is_named_wasm(tree) === 1,
    isMissing: () => calls._ts_tree_cursor_current_node_is_missing_wasm(tree) === 1,
    firstChild: () => calls._ts_tree_cursor_goto_first_child_wasm(tree) === 1,
    nextSibling: () => calls._ts_tree_cursor_goto_next_sibling_wasm(tree) === 1,
    parent: () => calls._ts_tree_cursor_goto_parent_wasm(tree) === 1,
    // The state in the buffer is the cursor's (the TreeCursor object's copy is stale by now).
    delete: () => calls._ts_tree_cursor_delete_wasm(tree),
  };
}

class Nodes {
  readonly type: number[] = [];
  readonly start: number[] = [];
  readonly end: number[] = [];
  readonly parent: number[] = [];
  readonly firstChild: number[] = [];
  readonly nextSibling: number[] = [];
  readonly field: number[] = [];
  readonly flags: number[] = [];
  readonly objects: Array<SyntaxNode | undefined> = [];
  readonly typeNames: Array<string | undefined>;
  readonly fieldNames: Array<string | null>;

  constructor(
    raw: RawTree,
    readonly source: string,
  ) {
    const language = raw.language;
    this.typeNames = language.types;
    this.fieldNames = language.fields;
    let named = namedSymbols.get(language);
    if (!named) namedSymbols.set(language, (named = new Map([[ERROR_SYMBOL, true]])));
    const cursor = cursorCalls(raw);
    // Ancestors of the current node, and the node before it among its siblings.
    const ancestors: number[] = [];
    let previous = -1;
    try {
      for (;;) {
        const index = this.type.length;
        const symbol = cursor.symbol();
        const start = cursor.start();
        const end = cursor.end();
        let isNamed = named.get(symbol);
        if (isNamed === undefined) named.set(symbol, (isNamed = cursor.isNamed()));
        // Only a zero-width node can be one tree-sitter made up (MISSING).
        const missing = start === end && cursor.isMissing();
        const parent = ancestors.length ? ancestors[ancestors.length - 1] : -1;
        this.type.push(symbol);
        this.start.push(start);
        this.end.push(end);
        this.parent.push(parent);
        this.firstChild.push(-1);
        this.nextSibling.push(-1);
        this.field.push(parent === -1 ? 0 : cursor.field());
        this.flags.push((isNamed ? NAMED : 0) | (missing ? MISSING : 0));
        if (previous !== -1) this.nextSibling[previous] = index;
        else if (parent !== -1) this.firstChild[parent] = index;
        if (missing || symbol === ERROR_SYMBOL) this.markError(index);
        if (index % 1024 === 1023) checkTime();
        if (cursor.firstChild()) {
          ancestors.push(index);
          previous = -1;
          continue;
        }
        previous = index;
        while (!cursor.nextSibling()) {
          if (!cursor.parent()) return;
          previous = ancestors.pop()!;
        }
      }
    } finally {
      cursor.delete();
    }
  }

  /** The node and its ancestors have an error (stops at an ancestor already marked). */
  private markError(index: number): void {
    for (let at = index; at !== -1 && !(this.flags[at] & HAS_ERROR); at = this.parent[at]) this.flags[at] |= HAS_ERROR;
  }

  node(index: number): SyntaxNode {
    return (this.objects[index] ??= new SyntaxNode(this, index));
  }

  fieldId(name: string): number {
    const id = this.fieldNames.indexOf(name);
    return id > 0 ? id : -1;
  }
}

export class SyntaxNode {
  private childList?: SyntaxNode[];
  private namedList?: SyntaxNode[];

  constructor(
    private readonly nodes: Nodes,
    private readonly index: number,
  ) {}

  get type(): string {
    return this.nodes.typeNames[this.nodes.type[this.index]] ?? 'ERROR';
  }

  get startIndex(): number {
    return this.nodes.start[this.index];
  }

  get endIndex(): number {
    return this.nodes.end[this.index];
  }

  get text(): string {
    return this.nodes.source.slice(this.nodes.start[this.index], this.nodes.end[this.index]);
  }

  get isNamed(): boolean {
    return (this.nodes.flags[this.index] & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.nodes.flags[this.index] & MISSING) !== 0;
  }

  /** The node is an ERROR or MISSING node or holds one. */
  get hasError(): boolean {
    return (this.nodes.flags[this.index] & HAS_ERROR) !== 0;
  }

  get parent(): SyntaxNode | null {
    const parent = this.nodes.parent[this.index];
    return parent === -1 ? null : this.nodes.node(parent);
  }

  get children(): SyntaxNode[] {
    if (!this.childList) {
      this.childList = [];
      for (let child = this.nodes.firstChild[this.index]; child !== -1; child = this.nodes.nextSibling[child]) this.childList.push(this.nodes.node(child));
    }
    return this.childList;
  }

  get namedChildren(): SyntaxNode[] {
    return (this.namedList ??= this.children.filter((child) => child.isNamed));
  }

  get namedChildCount(): number {
    let count = 0;
    for (let child = this.nodes.firstChild[this.index]; child !== -1; child = this.nodes.nextSibling[child]) if (this.nodes.flags[child] & NAMED) count++;
    return count;
  }

  get firstChild(): SyntaxNode | null {
    const child = this.nodes.firstChild[this.index];
    return child === -1 ? null : this.nodes.node(child);
  }

  get nextSibling(): SyntaxNode | null {
    const sibling = this.nodes.nextSibling[this.index];
    return sibling === -1 ? null : this.nodes.node(sibling);
  }

  /** The line the node starts on, from 1 (for messages; counts the lines above it). */
  get line(): number {
    let line = 1;
    const source = this.nodes.source;
    for (let at = source.indexOf('\n'); at !== -1 && at < this.startIndex; at = source.indexOf('\n', at + 1)) line++;
    return line;
  }

  get nextNamedSibling(): SyntaxNode | null {
    for (let sibling = this.nodes.nextSibling[this.index]; sibling !== -1; sibling = this.nodes.nextSibling[sibling]) {
      if (this.nodes.flags[sibling] & NAMED) return this.nodes.node(sibling);
    }
    return null;
  }

  /** The name of the field this node is in its parent (`name`, `value`, `condition` ...), or null. */
  get fieldName(): string | null {
    return this.nodes.fieldNames[this.nodes.field[this.index]] ?? null;
  }

  childForFieldName(name: string): SyntaxNode | null {
    return this.childrenForFieldName(name)[0] ?? null;
  }

  childrenForFieldName(name: string): SyntaxNode[] {
    const id = this.nodes.fieldId(name);
    const found: SyntaxNode[] = [];
    if (id === -1) return found;
    for (let child = this.nodes.firstChild[this.index]; child !== -1; child = this.nodes.nextSibling[child]) if (this.nodes.field[child] === id) found.push(this.nodes.node(child));
    return found;
  }
}

/** A tree from parseBash. `delete()` frees the parser's copy (the plain copy is garbage then). */
export class SyntaxTree {
  private nodes?: Nodes;

  constructor(
    /** web-tree-sitter's tree: only src/parse reads it (incremental re-parse). */
    readonly raw: RawTree,
    private readonly source: string,
  ) {}

  get rootNode(): SyntaxNode {
    return (this.nodes ??= new Nodes(this.raw, this.source)).node(0);
  }

  /** The tree holds an ERROR or MISSING node (asked of the parser: the tree is not copied for it). */
  get hasError(): boolean {
    return this.nodes ? this.rootNode.hasError : this.raw.rootNode.hasError;
  }

  delete(): void {
    this.raw.delete();
  }
}
