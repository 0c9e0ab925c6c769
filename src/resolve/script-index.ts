/**
 * One walk over the tree that indexes what the resolver needs: every variable assignment (by
 * name, in source order, with its branch path) and every simple command.
 */
import type { Node } from '../parse/parser.js';

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
}

/** Start offset of the statement that holds `node` (comments are inserted above it). */
export function statementStartOf(node: Node): number {
  let cur: Node = node;
  while (cur.parent && !CONTAINERS.has(cur.parent.type)) cur = cur.parent;
  return cur.startIndex;
}

export function indexScript(root: Node): ScriptIndex {
  const assignments = new Map<string, Assignment[]>();
  const commands: ScriptIndex['commands'] = [];
  const visit = (node: Node, path: string) => {
    const here = BRANCHES.has(node.type) ? `${path}/${node.type}@${node.startIndex}` : path;
    if (node.type === 'variable_assignment') {
      const nameNode = node.childForFieldName('name');
      const name = nameNode?.type === 'variable_name' ? nameNode.text : undefined;
      if (name) {
        const append = node.children.some((c) => c?.type === '+=');
        const list = assignments.get(name) ?? [];
        list.push({ name, append, node, value: node.childForFieldName('value'), statementStart: statementStartOf(node), branchPath: here });
        assignments.set(name, list);
      }
    } else if (node.type === 'command') {
      commands.push({ node, statementStart: statementStartOf(node), branchPath: here });
    }
    for (const child of node.namedChildren) if (child) visit(child, here);
  };
  visit(root, '');
  return { assignments, commands };
}
