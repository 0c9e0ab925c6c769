/**
 * Reads Megatron-LM flag occurrences out of segments, using each flag's arity so that values are
 * never mistaken for flags (store_true takes none, --data-path many, --rampup-batch-size three).
 * Megatron-LM takes no positional arguments, so a word that is not a value is a stray.
 */
import type { Severity } from '../findings.js';
import { leadingLiteral } from '../parse/words.js';
import type { Arity } from '../mapping/types.js';
import type { Choice, FlagOccurrence, Part, Segment, Token } from './types.js';
import type { SourceLines } from '../parse/source-lines.js';
import { isFlagToken, plainReference } from './arguments.js';
import { conditionText } from './alternates.js';

export interface Stray {
  token: Token;
  segment: Segment;
  message: string;
  /** Default error: the word reaches run_recipe.py. */
  severity?: Severity;
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

/** The most words a flag of this arity takes (Infinity for `+` / `*` / unknown). */
function maxValues(arity: Arity | undefined): number {
  if (arity === '?') return 1;
  return typeof arity === 'number' ? arity : Infinity;
}

/**
 * Words after a flag's last value that belong with it but that bash passes as separate argv
 * words: the rest of a quoted array element that an unquoted ${A[@]} splits (`"PATH OR NAME"`),
 * or of a value written in quotes inside a string that is split into words (where the quotes are
 * literal characters: `ARGS="--x 'a b'"`). Megatron-LM's argparse rejects them as unrecognized.
 */
function strandedWords(toks: Token[], j: number, last: Token | undefined): number {
  if (!last) return j;
  let k = j;
  if (last.group) {
    while (k < toks.length && toks[k].group?.start === last.group.start && !startsLikeFlag(toks[k])) k++;
    return k;
  }
  // A template placeholder with blanks (`<PATH TO vocab.json>`), wherever it is split.
  const lead = leadingLiteral(last);
  if (lead.startsWith('<') && !lead.includes('>') && last.parts.length === 1) {
    while (k < toks.length && !startsLikeFlag(toks[k])) {
      const end = toks[k].parts[toks[k].parts.length - 1];
      k++;
      if (end?.kind === 'lit' && end.text.endsWith('>')) return k;
    }
    return j;
  }
  if (last.ctx === 'dq-split' || last.ctx === 'sq-split') {
    const text = leadingLiteral(last);
    const quote = text[0];
    if ((quote === "'" || quote === '"') && !(text.length > 1 && text.endsWith(quote) && last.parts.length === 1)) {
      while (k < toks.length && !startsLikeFlag(toks[k])) {
        const end = toks[k].parts[toks[k].parts.length - 1];
        k++;
        if (end?.kind === 'lit' && end.text.endsWith(quote)) return k;
      }
      return j;
    }
  }
  return j;
}

/** `"$@"`, `$*`, `"${@:2}"`: the script's own positional arguments, as written; else undefined. */
export function forwardedArguments(token: Token): string | undefined {
  if (token.parts.length !== 1) return undefined;
  const p = token.parts[0];
  if (p.kind !== 'exp' || !/^\$(\{[@*](:[^}]*)?\}|[@*])$/.test(p.text)) return undefined;
  return p.quoted ? `"${p.text}"` : p.text;
}

export function readFlags(
  segments: Segment[],
  arityOf: (flag: string) => Arity | undefined,
  lines: SourceLines,
  /** The literal words an unquoted `$X` value splits into, when known (see staticSplit). */
  splitOf?: (token: Token) => { words: string[]; offset: number } | undefined,
  /** The text of a word built from variables the script fixes (`--${DTYPE}` with DTYPE=fp16), when known. */
  staticText?: (token: Token) => string | undefined,
  /** The flags a `--${V}` word can be, when the script gives V only literal values that name flags it can choose between. */
  choicesOf?: (token: Token) => Choice[] | undefined,
): { occurrences: FlagOccurrence[]; strays: Stray[] } {
  const occurrences: FlagOccurrence[] = [];
  const strays: Stray[] = [];
  /** `condition`: the run is the word of a `${X:+...}` expansion (its flags are conditional). */
  const readRun = (toks: Token[], segment: Segment, condition?: FlagOccurrence['condition']) => {
    let i = 0;
    while (i < toks.length) {
      let t = toks[i];
      // A flag whose name is built from a variable the script sets once (`--${DTYPE}`): read as
      // the flag it is, and said so (changing the variable no longer changes the launch).
      let nameFrom: string | undefined;
      if (staticText && t.parts.length > 1 && t.parts[0].kind === 'lit' && t.parts[0].text.startsWith('-') && !t.parts[0].text.includes('=')) {
        const known = staticText(t);
        if (known !== undefined && /^--?[A-Za-z][A-Za-z0-9_-]*$/.test(known)) {
          nameFrom = t.parts.map((p) => p.text).join('');
          t = { ...t, parts: [{ kind: 'lit', text: known }], splat: false };
        }
      }
      const choices = nameFrom === undefined && !condition ? choicesOf?.(t) : undefined;
      if (choices && choices.every((c) => arityOf(`--${c.value}`) === 0)) {
        // One occurrence per value, each in a branch of its own (they never hold together).
        for (const choice of choices) {
          const flag = `--${choice.value}`;
          occurrences.push({
            flag,
            values: [],
            flagToken: t,
            inlineValue: false,
            segment: { ...segment, branchPath: `${segment.branchPath}/\${${choice.variable}}=${choice.value}@${t.start}` },
            start: t.start,
            end: t.end,
            line: lines.lineOf(t.start),
            problems: [],
            choice,
          });
        }
        i++;
        continue;
      }
      if (!startsLikeFlag(t)) {
        const alt = condition ? undefined : t.alternate;
        if (alt && alt.tokens.length && startsLikeFlag(alt.tokens[0])) {
          const { tokens, ...cond } = alt;
          // Its own branch: the flags inside hold only when the expansion uses its word.
          const inner: Segment = { ...segment, tokens, branchPath: `${segment.branchPath}/\${${cond.variable}${cond.op}}@${cond.start}` };
          if (cond.op === ':-' || cond.op === '-') {
            strays.push({ token: t, segment, severity: 'warning', message: `${lines.text.slice(t.start, t.end)}: when $${cond.variable} is set, its value reaches run_recipe.py in place of these flags, unmigrated; it must then hold Bridge overrides (\`optimizer.lr=3e-4\`), not Megatron-LM flags` });
          }
          readRun(tokens, inner, cond);
          i++;
          continue;
        }
        if (!condition && t.alternateProblem) {
          const problem = t.alternateProblem;
          strays.push({
            token: t,
            segment,
            message: `${lines.text.slice(t.start, t.end)} passes Megatron-LM flags ${conditionText(problem)}, but bridge-migrate cannot read them: ${problem.why}; they reach run_recipe.py as written, which rejects them: write them as Bridge overrides by hand (or move them out of the expansion into an if)`,
          });
          i++;
          continue;
        }
        const ref = plainReference(t);
        const forwarded = forwardedArguments(t);
        strays.push({
          token: t,
          segment,
          // What arrives from outside may be empty or overrides already: a person decides.
          severity: forwarded || ref ? 'warning' : 'error',
          message: forwarded
            ? `${forwarded} forwards the arguments this script is called with to the launch: callers that pass Megatron-LM flags (\`--lr 3e-4\`) must now pass Bridge overrides (\`optimizer.lr=3e-4\`), because run_recipe.py rejects anything else; update the callers of this script`
            : ref
              ? `$${ref.name} passes arguments that bridge-migrate cannot see; they reach run_recipe.py unmigrated`
              : leadingLiteral(t)
                ? `"${leadingLiteral(t)}" is not a value of any flag`
                : `\`${t.parts.map((part) => part.text).join('')}\` is not a flag or a flag's value, and bridge-migrate cannot read what it expands to; it reaches run_recipe.py as it is: replace it with Bridge overrides by hand`,
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
          // The script's own forwarded arguments are taken as more flags, not as values.
          while (j < toks.length && values.length < max && !startsLikeFlag(toks[j]) && !forwardedArguments(toks[j])) {
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
      let placeholderText: string | undefined;
      if (!inline && maxValues(arity) !== Infinity) {
        const k = strandedWords(toks, j, values[values.length - 1]);
        if (k > j) {
          const stranded = toks.slice(j, k);
          const last = values[values.length - 1];
          const shown = [...values, ...stranded].map((v) => leadingLiteral(v) || '…').join(' ');
          const placeholder = leadingLiteral(last).startsWith('<');
          const where = last.group
            ? `an unquoted \${${segment.variable ?? 'ARRAY'}[@]} splits the quoted element into words`
            : 'quotes inside a string that is split into words are literal characters, they do not group words';
          const fix = last.group ? `quote the expansion ("\${${segment.variable ?? 'ARRAY'}[@]}") to keep each element one word` : 'move the flag into an array element or onto the launch line';
          if (placeholder) problems.push(`its value is a template placeholder with blanks (${shown}), which does not reach Megatron-LM as one value (bash splits it into words, or reads \`<\` as a redirection where the string runs as code); fill in the placeholder, then run bridge-migrate again`);
          else problems.push(`its value is split into separate words (${shown}): ${where}, so Megatron-LM received ${flag} ${leadingLiteral(last) || '…'} and rejected ${stranded.length === 1 ? 'the other word as an unrecognized argument' : `the other ${stranded.length} words as unrecognized arguments`}; ${fix}, or write the value without blanks, then run bridge-migrate again`);
          values.push(...stranded);
          j = k;
          if (placeholder) placeholderText = lines.text.slice(last.start, stranded[stranded.length - 1].end);
        }
        const split = values.length === 1 ? splitOf?.(values[0]) : undefined;
        if (split && split.words.length > maxValues(arity)) {
          const ref = plainReference(values[0])!;
          problems.push(`$${ref.name} holds a value with blanks ("${split.words.join(' ')}", line ${lines.lineOf(split.offset)}) and is expanded unquoted here, so it splits into ${split.words.length} words: Megatron-LM received ${flag} ${split.words.slice(0, maxValues(arity)).join(' ')} and rejected the rest as unrecognized arguments; quote the expansion ("$${ref.name}") to pass it as one word, or set a value without blanks, then run bridge-migrate again`);
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
        ...(placeholderText !== undefined ? { placeholder: placeholderText } : {}),
        ...(nameFrom !== undefined ? { nameFrom } : {}),
        ...(condition ? { condition } : {}),
      });
      i = j;
    }
  };
  for (const segment of segments) readRun(segment.tokens, segment);
  return { occurrences, strays };
}
