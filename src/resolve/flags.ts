/**
 * Reads Megatron-LM flag occurrences out of segments, using each flag's arity so that values are
 * never mistaken for flags (store_true takes none, --data-path many, --rampup-batch-size three).
 * Megatron-LM takes no positional arguments, so a word that is not a value is a stray.
 */
import { leadingLiteral } from '../parse/words.js';
import type { Arity } from '../mapping/types.js';
import type { FlagOccurrence, Part, Segment, Token } from './types.js';
import type { SourceLines } from '../parse/source-lines.js';
import { isFlagToken, plainReference } from './arguments.js';

export interface Stray {
  token: Token;
  segment: Segment;
  message: string;
}

const NEGATIVE_NUMBER = /^-\d+(\.\d*)?([eE][-+]?\d+)?$|^-\.\d+([eE][-+]?\d+)?$/;
/**
 * Flags a launcher adds with the process's rank: their value is an integer (or an expansion), so
 * a literal word that is not one (`--local_rank \` followed by the next line's `exit 0`) is not
 * taken as the value (it would be removed with the flag, silently).
 */
const RANK_FLAGS = new Set(['--local_rank', '--local-rank']);
const INTEGER = /^[-+]?\d+$/;

function startsLikeFlag(token: Token): boolean {
  const lead = leadingLiteral(token);
  return isFlagToken(token) && !NEGATIVE_NUMBER.test(lead);
}

/** Splits `--flag=value` into the flag text and a synthetic value token. */
function splitInline(token: Token): { flag: string; value?: Token } {
  const first = token.parts[0];
  if (!first || first.kind !== 'lit') return { flag: '' };
  const eq = first.text.indexOf('=');
  if (eq === -1) {
    return { flag: first.text };
  }
  const rest: Part[] = [];
  const tail = first.text.slice(eq + 1);
  if (tail) rest.push({ kind: 'lit', text: tail });
  rest.push(...token.parts.slice(1));
  const value: Token = { parts: rest, start: token.start, end: token.end, ctx: token.ctx, splat: token.splat };
  return { flag: first.text.slice(0, eq), value };
}

export function readFlags(
  segments: Segment[],
  arityOf: (flag: string) => Arity | undefined,
  lines: SourceLines,
): { occurrences: FlagOccurrence[]; strays: Stray[] } {
  const occurrences: FlagOccurrence[] = [];
  const strays: Stray[] = [];
  for (const segment of segments) {
    const toks = segment.tokens;
    let i = 0;
    while (i < toks.length) {
      const t = toks[i];
      if (!startsLikeFlag(t)) {
        const ref = plainReference(t);
        strays.push({
          token: t,
          segment,
          message: ref
            ? `$${ref.name} passes arguments that bridge-migrate cannot see; they reach run_recipe.py unmigrated`
            : `"${leadingLiteral(t) || '…'}" is not a value of any flag`,
        });
        i++;
        continue;
      }
      const { flag, value: inline } = splitInline(t);
      const dynamicName = t.parts.length > 1 && !inline;
      const arity = arityOf(flag);
      const values: Token[] = [];
      const problems: string[] = [];
      if (dynamicName) problems.push('the flag name is built from a variable');
      let j = i + 1;
      if (inline) {
        values.push(inline);
        if (arity === 0) problems.push(`${flag} takes no value but is written with =`);
      } else {
        const take = (max: number, min: number) => {
          let splatSeen = false;
          while (j < toks.length && values.length < max && !startsLikeFlag(toks[j])) {
            const literal = RANK_FLAGS.has(flag) && toks[j].parts.every((p) => p.kind === 'lit') ? leadingLiteral(toks[j]) : undefined;
            if (literal !== undefined && !INTEGER.test(literal)) break;
            if (toks[j].splat) splatSeen = true;
            values.push(toks[j]);
            j++;
          }
          if (values.length < min && !splatSeen) problems.push(`${flag} needs ${min === 1 ? 'a value' : `${min} values`} but has ${values.length === 0 ? 'none' : values.length}`);
        };
        switch (arity) {
          case 0:
            break;
          case 1:
            take(1, 1);
            break;
          case 2:
          case 3:
            take(arity, arity);
            break;
          case '?':
            take(1, 0);
            break;
          case '+':
            take(Infinity, 1);
            break;
          case '*':
          case undefined:
            take(Infinity, 0);
            break;
        }
      }
      const last = values.length && !inline ? values[values.length - 1] : t;
      occurrences.push({
        flag,
        values,
        flagToken: t,
        inlineValue: !!inline,
        segment,
        start: t.start,
        end: last.end,
        line: lines.lineOf(t.start),
        problems,
      });
      i = j;
    }
  }
  return { occurrences, strays };
}
