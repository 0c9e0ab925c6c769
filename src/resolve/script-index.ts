/**
 * One walk over the tree that indexes what the resolver needs: every variable assignment (by
 * name, in source order, with its branch path) and every simple command.
 */
import type { Node } from '../parse/parser.js';
import { checkTime, depthMessage, LimitError, MAX_TREE_DEPTH, MAX_WORDS, wordsMessage } from '../parse/limits.js';

const CONTAINERS = new Set([
  'program',
  'compound_statement',
  'do_group',
  'if_statement',
  'elif_clause',
  'else_clause',
  'case_item',
  'subshell',
]);

const BRANCHES = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'case_item',
  'for_statement',
  'c_style_for_statement',
  'while_statement',
  'function_definition',
]);

export interface Assignment {
  name: string;
  append: boolean;
  node: Node;
  /** The value node (string, raw_string, array, word, concatenation ...), if any. */
  value: Node | null;
  statementStart: number;
  branchPath: string;
}

export interface ScriptIndex {
  assignments: Map<string, Assignment[]>;
  commands: Array<{ node: Node; statementStart: number; branchPath: string }>;
  /** `[ ... ]` and `[[ ... ]]` tests. */
  tests: Node[];
  /** `<<EOT` here-documents (the heredoc_redirect nodes), in source order. */
  heredocs: Array<{ node: Node; statementStart: number; branchPath: string }>;
}

/** The statement that holds `node`: its ancestor right below a program, block or branch. */
export function statementOf(node: Node): Node {
  let cur: Node = node;
  while (cur.parent && !CONTAINERS.has(cur.parent.type)) cur = cur.parent;
  return cur;
}

/**
 * Is the branch path `inner` the same as `outer` or inside it? Paths are '' (no branch) or
 * `/type@offset` steps, so a step boundary is a `/` (a branch at offset 23 does not hold one at 234).
 */
export function branchWithin(inner: string, outer: string): boolean {
  return outer === '' || inner === outer || inner.startsWith(`${outer}/`);
}

/** Start offset of the statement that holds `node` (comments are inserted above it). */
export function statementStartOf(node: Node): number {
  return statementOf(node).startIndex;
}

export function indexScript(root: Node): ScriptIndex {
  const assignments = new Map<string, Assignment[]>();
  const commands: ScriptIndex['commands'] = [];
  const tests: Node[] = [];
  const heredocs: ScriptIndex['heredocs'] = [];
  // One walk that keeps, for each ancestor, its type and its statement start, so that nothing
  // climbs `parent` chains for them (and nothing recurses: 5,000 nested `(` are walked here).
  const paths: string[] = [''];
  const types: string[] = [];
  const starts: number[] = [];
  let visited = 0;
  let node: Node = root;
  for (;;) {
    const type = node.type;
    const path = paths[paths.length - 1];
    const parentType = types[types.length - 1];
    // The `then` body of an if is a branch of its own: without the step, its path would be the
    // if's, which the elif/else paths extend, as if they were nested inside the `then` body.
    const thenBody = parentType === 'if_statement' && type !== 'elif_clause' && type !== 'else_clause' && node.isNamed && node.fieldName !== 'condition';
    const here = BRANCHES.has(type) ? `${path}/${type}@${node.startIndex}` : thenBody ? `${path}/then` : path;
    const statementStart = parentType === undefined || CONTAINERS.has(parentType) ? node.startIndex : starts[starts.length - 1];
    if (++visited % 1024 === 0) checkTime();
    if (type === 'variable_assignment') {
      const nameNode = node.childForFieldName('name');
      const name = nameNode?.type === 'variable_name' ? nameNode.text : undefined;
      if (name) {
        const append = node.children.some((c) => c.type === '+=');
        const list = assignments.get(name) ?? [];
        list.push({ name, append, node, value: node.childForFieldName('value'), statementStart, branchPath: here });
        assignments.set(name, list);
      }
    } else if (type === 'command') {
      if (node.namedChildCount > MAX_WORDS) throw new LimitError(wordsMessage(node.line, 'a command'));
      commands.push({ node, statementStart, branchPath: here });
    } else if (type === 'test_command') {
      tests.push(node);
    } else if (type === 'heredoc_redirect') {
      heredocs.push({ node, statementStart, branchPath: here });
    } else if (type === 'array') {
      if (node.namedChildCount > MAX_WORDS) throw new LimitError(wordsMessage(node.line, 'an array'));
    } else if ((type === 'string' || type === 'raw_string') && node.endIndex - node.startIndex > 2 * MAX_WORDS) {
      if (node.text.split(/\s+/).length > MAX_WORDS) throw new LimitError(wordsMessage(node.line, 'a string'));
    }
    const child = node.firstChild;
    if (child) {
      paths.push(here);
      types.push(type);
      starts.push(statementStart);
      if (paths.length > MAX_TREE_DEPTH) throw new LimitError(depthMessage(child.line));
      node = child;
      continue;
    }
    for (;;) {
      if (node === root) return { assignments, commands, tests, heredocs };
      const sibling = node.nextSibling;
      if (sibling) {
        node = sibling;
        break;
      }
      node = node.parent!;
      paths.pop();
      types.pop();
      starts.pop();
    }
  }
}
