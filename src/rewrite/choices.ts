/**
 * A flag named by a variable with a few literal values (`--${DTYPE}`, DTYPE=fp16 or bf16): each
 * value's overrides differ, so they are chosen at run time by a `case` on the variable, written
 * just above the statement that holds the word (it runs when the word would have expanded), and
 * the word becomes the variable the `case` sets.
 *
 *   case "${DTYPE}" in
 *     fp16) DTYPE_BRIDGE_OVERRIDES="mixed_precision=fp16_mixed ..." ;;
 *     bf16) DTYPE_BRIDGE_OVERRIDES="mixed_precision=bf16_mixed" ;;
 *     *) DTYPE_BRIDGE_OVERRIDES="--${DTYPE}" ;;
 *   esac
 */
import type { SourceLines } from '../parse/source-lines.js';
import type { Conversion } from '../mapping/convert.js';
import type { Override } from '../mapping/hydra.js';
import { overrideText } from '../mapping/hydra.js';
import { commentAnchor, type Edit } from './edits.js';
import { overrideShellText } from './shell-text.js';

export interface ChoiceRewrite {
  edits: Edit[];
  /** Why it cannot be written (the word then stays, and the launch is blocked). */
  problem?: string;
  variable: string;
  byValue: Array<{ value: string; overrides: Override[] }>;
}

/** The rewrite of one `--${V}` word from the conversions of its values (all for the same word). */
export function rewriteChoice(conversions: Conversion[], lines: SourceLines, keyFor: (key: string) => string): ChoiceRewrite {
  const first = conversions[0].occurrence;
  const choice = first.choice!;
  const variable = choice.variable;
  const word = lines.text.slice(first.flagToken.start, first.flagToken.end);
  const byValue = conversions.map((c) => ({ value: c.occurrence.choice!.value, overrides: c.overrides.map((o) => ({ ...o, key: keyFor(o.key) })) }));
  const failed = conversions.find((c) => c.removed || c.overrides.length === 0);
  if (failed) return { edits: [], variable, byValue, problem: `${word} is ${failed.occurrence.flag} when $${variable} is ${failed.occurrence.choice!.value}, which cannot be migrated here (${failed.removed?.reason ?? 'no Bridge override'})` };
  if (first.flagToken.ctx === 'sq-code') return { edits: [], variable, byValue, problem: `${word} is chosen by $${variable} inside code in single quotes, which another shell runs with its own variables; write the overrides by hand` };
  const anchor = commentAnchor(lines, first.segment.statementStart);
  if (!anchor) return { edits: [], variable, byValue, problem: `${word} is chosen by $${variable}, and the statement that holds it does not start its own line, so there is no place to choose its overrides by value; write them by hand: ${byValue.map((v) => `${v.value}: ${v.overrides.map(overrideText).join(' ')}`).join('; ')}` };
  const target = `${variable}_BRIDGE_OVERRIDES`;
  const inner = `${anchor.indent}  `;
  const arms = byValue.map((v) => `${inner}${v.value}) ${target}="${v.overrides.map((o) => overrideShellText(o, 'dq-split')).join(' ')}" ;;`);
  const text = [
    `${anchor.indent}# bridge-migrate: ${word} is ${choice.values.map((v) => `--${v}`).join(' or ')} ($${variable} is set on line${choice.lines.length === 1 ? '' : 's'} ${choice.lines.join(', ')}): its Bridge overrides, chosen by value`,
    `${anchor.indent}case "\${${variable}}" in`,
    ...arms,
    `${inner}*) ${target}="--\${${variable}}" ;;`,
    `${anchor.indent}esac`,
    '',
  ].join('\n');
  return {
    variable,
    byValue,
    edits: [
      { start: anchor.at, end: anchor.at, text },
      { start: first.flagToken.start, end: first.flagToken.end, text: `\${${target}}` },
    ],
  };
}
