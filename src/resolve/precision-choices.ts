/**
 * A `--${V}` word whose variable the script sets only to literal precision names (`DTYPE=fp16`,
 * `DTYPE=bf16` in a branch): the flags it can be, one Choice per value (rewrite/choices.ts writes
 * a `case` that picks each value's overrides at run time).
 */
import type { SourceLines } from '../parse/source-lines.js';
import type { ScriptIndex } from './script-index.js';
import type { Choice, Token } from './types.js';
import { literalAssignments, plainReferenceName } from '../verify/static-values.js';

/** The values a `--${V}` word may name: only precision flags, whose overrides can be chosen by value at run time. */
const CHOOSABLE = new Set(['bf16', 'fp16']);

export function precisionChoices(token: Token, index: ScriptIndex, lines: SourceLines): Choice[] | undefined {
  const [dashes, reference, ...rest] = token.parts;
  const name = reference && plainReferenceName(reference);
  if (rest.length || dashes?.kind !== 'lit' || dashes.text !== '--' || name === undefined) return undefined;
  const assignments = literalAssignments(index, name);
  if (!assignments || !assignments.every((a) => CHOOSABLE.has(a.value))) return undefined;
  const values = [...new Set(assignments.map((a) => a.value))];
  const assignedOn = assignments.map((a) => lines.lineOf(a.offset));
  return values.map((value) => ({ variable: name, value, values, lines: assignedOn }));
}
