/**
 * SyntaxTree (the plain copy of a parse, src/parse/syntax-tree.ts) against web-tree-sitter's own
 * Node, node by node, on every fixture input and on inputs with syntax errors, MISSING tokens,
 * here-documents, included ranges and text outside ASCII: same type, offsets, text, named-ness,
 * missing and error flags, parent, children, field of each child.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Node as RawNode } from 'web-tree-sitter';
import { ready } from './helpers/core.js';
import { parseBash, type Node, type SourceRange } from '../src/parse/parser.js';

beforeAll(ready);

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

interface Shape {
  type: string;
  start: number;
  end: number;
  text: string;
  named: boolean;
  missing: boolean;
  error: boolean;
  field: string | null;
  parent: string | null;
  namedChildCount: number;
  children: Shape[];
}

const where = (node: { type: string; startIndex: number; endIndex: number }) => `${node.type}@${node.startIndex}-${node.endIndex}`;

/** What both kinds of node answer under the same names. */
interface Answers {
  type: string;
  startIndex: number;
  endIndex: number;
  text: string;
  isNamed: boolean;
  isMissing: boolean;
  hasError: boolean;
  parent: { type: string; startIndex: number; endIndex: number } | null;
  namedChildCount: number;
}

function shape(node: Answers, field: string | null, children: Shape[]): Shape {
  const parent = node.parent ? where(node.parent) : null;
  return { type: node.type, start: node.startIndex, end: node.endIndex, text: node.text, named: node.isNamed, missing: node.isMissing, error: node.hasError, field, parent, namedChildCount: node.namedChildCount, children };
}

/** web-tree-sitter's view; each child's field from fieldNameForChild (a different route from the cursor's). */
function rawShape(node: RawNode, field: string | null): Shape {
  const children = node.children.filter((child): child is RawNode => child !== null);
  return shape(node, field, children.map((child, i) => rawShape(child, node.fieldNameForChild(i))));
}

function ourShape(node: Node): Shape {
  return shape(node, node.parent ? node.fieldName : null, node.children.map(ourShape));
}

/** Field lookups by name, both ways, for every node. */
function fieldLookups(raw: RawNode, ours: Node, out: string[] = []): string[] {
  const names = new Set(ours.children.map((child) => child.fieldName).filter((name): name is string => name !== null));
  for (const name of names) {
    const theirs = raw.childrenForFieldName(name).filter((child): child is RawNode => child !== null).map(where);
    const mine = ours.childrenForFieldName(name).map(where);
    if (JSON.stringify(theirs) !== JSON.stringify(mine)) out.push(`${where(ours)} ${name}: ${theirs} vs ${mine}`);
    if ((raw.childForFieldName(name) && where(raw.childForFieldName(name)!)) !== (ours.childForFieldName(name) && where(ours.childForFieldName(name)!))) out.push(`${where(ours)} first ${name}`);
  }
  const rawChildren = raw.children.filter((child): child is RawNode => child !== null);
  ours.children.forEach((child, i) => fieldLookups(rawChildren[i], child, out));
  return out;
}

function compare(source: string, ranges?: SourceRange[]) {
  const tree = parseBash(source, undefined, ranges);
  try {
    const raw = tree.raw.rootNode;
    expect(ourShape(tree.rootNode)).toEqual(rawShape(raw, null));
    expect(fieldLookups(raw, tree.rootNode)).toEqual([]);
    expect(tree.hasError).toBe(raw.hasError);
    // One object per node.
    const first = tree.rootNode.children[0];
    if (first) expect(first.parent).toBe(tree.rootNode);
  } finally {
    tree.delete();
  }
}

describe('SyntaxTree is web-tree-sitter node for node', () => {
  it('on every fixture input', () => {
    const names = readdirSync(FIXTURES);
    expect(names.length).toBeGreaterThan(50);
    for (const name of names) compare(readFileSync(join(FIXTURES, name, 'input.sh'), 'utf8'));
  });

  const cases: Record<string, string> = {
    'unterminated quote (MISSING)': 'python pretrain_gpt.py --lr "1e-4\n',
    'unterminated $( (MISSING)': 'X=$(echo a\ntorchrun pretrain_gpt.py $X\n',
    'ERROR node': 'DATA_PATH=<Specify path>\nfi fi )\ntorchrun pretrain_gpt.py --data-path $DATA_PATH\n',
    'here-document and case': "cat <<EOT > cfg.json\n{\"a\": $A}\nEOT\ncase $X in a) B=1;; *) B=2;; esac\n",
    'text outside ASCII': '# é 日本 🎉\nA="ü $B 🎉"\ntorchrun pretrain_gpt.py --tokenizer-model "/d/😀" $A\n',
    'if, arrays, arithmetic, test': 'if [[ $A == 1 ]]; then X=(--a 1 --b "$((2*3))"); elif [ -n "$B" ]; then :; else X+=(--c); fi\n',
    'empty': '',
  };
  for (const [name, source] of Object.entries(cases)) {
    it(name, () => compare(source));
  }

  it('a part of the source parsed alone (included ranges)', () => {
    const source = 'A=1\nCMD="torchrun pretrain_gpt.py --lr 1e-4"\nB=2\n';
    const start = source.indexOf('torchrun');
    compare(source, [{ start, end: source.indexOf('"', start) }]);
  });

  it('the line of a node counts the lines above it', () => {
    const tree = parseBash('A=1\n\nB=2 C=3\n');
    try {
      expect(tree.rootNode.namedChildren.map((statement) => statement.line)).toEqual([1, 3]);
    } finally {
      tree.delete();
    }
  });
});
