/**
 * Values a script gives its variables once, unconditionally and literally (`GPUS=8`,
 * `DATA=/data/x`, `ARGS=(--a 1)`): what the verifier can put in place of `$GPUS` without running
 * the script. Anything assigned twice, in a branch, with `+=` or from an expansion is unknown.
 */
import type { Node } from '../parse/parser.js';
import type { ScriptIndex } from '../resolve/script-index.js';

/** The variable of a plain `$X` / `${X}` expansion node, else undefined. */
export function referenceName(node: Node): string | undefined {
  if (node.type !== 'simple_expansion' && node.type !== 'expansion') return undefined;
  const children = node.namedChildren;
  return children.length === 1 && children[0]?.type === 'variable_name' ? children[0].text : undefined;
}

/** The variable of a token part that is a plain `$X` / `${X}` (not `${X[@]}`, `${X:-d}` ...), else undefined. */
export function plainReferenceName(part: { kind: 'lit' | 'exp'; text: string; name?: string; array?: boolean }): string | undefined {
  return part.kind === 'exp' && part.name !== undefined && !part.array && /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(part.text) ? part.name : undefined;
}

/** `$X` / `${X}` of a name whose value is known. */
function expansionValue(node: Node, known: Map<string, string>): string | undefined {
  const name = referenceName(node);
  return name === undefined ? undefined : known.get(name);
}

/** The text of a value node, or undefined when it holds something other than known variables. */
function literal(node: Node, known: Map<string, string>): string | undefined {
  switch (node.type) {
    case 'word':
    case 'number':
      return /[$`\\*?[]/.test(node.text) ? undefined : node.text;
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'simple_expansion':
    case 'expansion':
      return expansionValue(node, known);
    case 'string': {
      let text = '';
      for (const part of node.namedChildren) {
        if (!part) continue;
        if (part.type === 'string_content') text += part.text.replace(/\\\n/g, '').replace(/\\(["\\$`])/g, '$1');
        else {
          const value = expansionValue(part, known);
          if (value === undefined) return undefined;
          text += value;
        }
      }
      return text;
    }
    case 'concatenation': {
      const parts = node.namedChildren.filter((c) => c !== null).map((c) => literal(c!, known));
      return parts.some((p) => p === undefined) ? undefined : parts.join('');
    }
    case 'array': {
      const items = node.namedChildren.filter((c) => c !== null && c.type !== 'comment').map((c) => literal(c!, known));
      return items.some((i) => i === undefined) ? undefined : items.join(' ');
    }
    default:
      return undefined;
  }
}

export function staticValues(index: ScriptIndex, given: Map<string, string> = new Map()): Map<string, string> {
  const values = new Map(given);
  const once = [...index.assignments.values()].filter((list) => list.length === 1 && !list[0].append && list[0].branchPath === '').map((list) => list[0]);
  // In source order, so a value can use the variables set above it.
  for (const only of once.sort((x, y) => x.node.startIndex - y.node.startIndex)) {
    const text = only.value ? literal(only.value, values) : '';
    if (text !== undefined) values.set(only.name, text);
  }
  return values;
}

/**
 * What an sbatch script's `#SBATCH` lines tell its `srun` steps: the task count, and the Slurm
 * variables the job sees (`SLURM_NNODES` ...), so `torchrun --nnodes $SLURM_NNODES` has a size.
 */
export function sbatchValues(source: string): Map<string, string> {
  const values = new Map<string, string>();
  const option = (names: string[]) => {
    let found: string | undefined;
    for (const m of source.matchAll(/^#SBATCH[ \t]+(.*)$/gm)) {
      const words = m[1].trim().split(/\s+/);
      words.forEach((w, i) => {
        for (const n of names) {
          if (w === n && words[i + 1]) found = words[i + 1];
          else if (w.startsWith(`${n}=`)) found = w.slice(n.length + 1);
        }
      });
    }
    return found !== undefined && /^\d+$/.test(found) ? found : undefined;
  };
  const nodes = option(['--nodes', '-N']);
  const perNode = option(['--ntasks-per-node']);
  const tasks = option(['--ntasks', '-n']) ?? (nodes && perNode ? String(Number(nodes) * Number(perNode)) : undefined);
  const gpus = option(['--gpus-per-node']);
  if (nodes) for (const name of ['SLURM_NNODES', 'SLURM_JOB_NUM_NODES']) values.set(name, nodes);
  if (perNode) values.set('SLURM_NTASKS_PER_NODE', perNode);
  if (tasks) values.set('SLURM_NTASKS', tasks);
  if (gpus) values.set('SLURM_GPUS_ON_NODE', gpus);
  return values;
}

/** The text of a word whose expansions are all plain references to known values, else undefined. */
export function staticWordText(token: { parts: Array<{ kind: 'lit' | 'exp'; text: string; name?: string; array?: boolean }> }, values: Map<string, string>): string | undefined {
  let text = '';
  for (const part of token.parts) {
    if (part.kind === 'lit') text += part.text;
    else if (plainReferenceName(part) !== undefined && values.has(part.name!)) text += values.get(part.name!);
    else return undefined;
  }
  return text;
}

/** Every value the script gives `name`, when each assignment is a plain literal (no `+=`, no expansion). */
export function literalAssignments(index: ScriptIndex, name: string): Array<{ value: string; offset: number }> | undefined {
  const list = index.assignments.get(name);
  if (!list?.length) return undefined;
  const found: Array<{ value: string; offset: number }> = [];
  for (const assignment of list) {
    const value = assignment.value && !assignment.append ? literal(assignment.value, new Map()) : undefined;
    if (value === undefined || assignment.value?.type === 'array') return undefined;
    found.push({ value, offset: assignment.node.startIndex });
  }
  return found;
}
