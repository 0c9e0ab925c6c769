/**
 * Follows a launch's arguments to every place they are written: the launch line itself and the
 * assignments of the variables ("carriers") that it expands, recursively, in any branch, with
 * `=` and `+=`, strings and arrays. Produces segments of tokens; flags are read from them by
 * `readFlags`.
 */
import type { Severity } from '../findings.js';
import { parseBash, type Node } from '../parse/parser.js';
import { splitDqString, splitLiteral, wordToken, wordParts, leadingLiteral, staticParts } from '../parse/words.js';
import { codeWordOf } from './code-element.js';
import type { ExpansionMode, Segment, Token, WordContext } from './types.js';
import type { Assignment, ScriptIndex } from './script-index.js';
import type { Launch } from './launches.js';
import type { SourceLines } from '../parse/source-lines.js';
import { alternateHead, readAlternate } from './alternates.js';

export interface CarrierUse {
  name: string;
  mode: ExpansionMode;
}

export interface ResolvedArgs {
  segments: Segment[];
  carriers: Map<string, ExpansionMode>;
  /** Findings of the resolution (severity: error unless given). */
  problems: Array<{ offset: number; message: string; severity?: Severity }>;
  /** Tokens that pass arguments from outside the script (`"$@"`, `$EXTRA` with no assignment). */
  passthrough: Token[];
  /** Unquoted `${A[@]}` of carrier arrays on a command line: quoted so elements stay one word. */
  quoteFixes: Token[];
}

const FLAG_LIKE = /^--?[A-Za-z_]/;

export function isFlagToken(token: Token): boolean {
  return FLAG_LIKE.test(leadingLiteral(token));
}

/** The plain variable a token consists of (`$X`, `"${X[@]}"`), if any. */
export function plainReference(token: Token): { name: string; quoted: boolean; array: boolean } | undefined {
  if (token.parts.length !== 1) return undefined;
  const p = token.parts[0];
  if (p.kind !== 'exp' || !p.name) return undefined;
  return { name: p.name, quoted: p.quoted, array: p.array === true };
}

/** Tokens of an assignment's value, in the context they are written in. */
export function assignmentTokens(a: Assignment, source: string, mode: ExpansionMode): Token[] {
  const v = a.value;
  if (!v) return [];
  const code = mode === 'code';
  switch (v.type) {
    case 'string':
      return splitDqString(v, source, code ? 'dq-code' : 'dq-split');
    case 'raw_string':
      return splitLiteral(source.slice(v.startIndex + 1, v.endIndex - 1), v.startIndex + 1, code ? 'sq-code' : 'sq-split');
    case 'array':
      return v.namedChildren
        .filter((c): c is Node => !!c && c.type !== 'comment')
        .flatMap((c) => {
          // ${A[@]} unquoted splits each element again: "--vocab-size 128256" is two words.
          if (mode === 'split' && hasBlank(c, source)) {
            const group = { start: c.startIndex, end: c.endIndex };
            if (c.type === 'string') return splitDqString(c, source, 'dq-split').map((t) => ({ ...t, group }));
            if (c.type === 'raw_string') return splitLiteral(source.slice(c.startIndex + 1, c.endIndex - 1), c.startIndex + 1, 'sq-split').map((t) => ({ ...t, group }));
          }
          return [wordToken(c, source, 'word')];
        });
    default:
      return [wordToken(v, source, 'word')];
  }
}

function blank(text: string): string {
  return text.replace(/[^\n]/g, ' ');
}

/**
 * Tokens of a string assignment whose value is pasted into code that bash parses again (a launch
 * string run by eval or `bash -c "..."`): the value is read as arguments of a command, so quotes in
 * it group words. `joined`: newlines read as blanks (unquoted `eval $X`). Undefined when the value
 * cannot be read that way here (escapes the outer quotes remove first, a syntax error); `cut` when
 * a newline or `;` in the value ends the command.
 */
export function codeStringTokens(a: Assignment, text: string, joined: boolean): { tokens: Token[]; cut?: number } | undefined {
  const v = a.value;
  if (!v || (v.type !== 'string' && v.type !== 'raw_string')) return undefined;
  const start = v.startIndex + 1;
  const end = v.endIndex - 1;
  let body = text.slice(start, end);
  if (v.type === 'string' && /\\[^\n]/.test(body)) return undefined;
  if (joined) body = body.replace(/(?<!\\)\r?\n/g, (m) => ' '.repeat(m.length));
  // A `:` command where the variable's name is written, then the value as its arguments; offsets
  // stay those of the file.
  // Only that statement's lines are parsed (tree-sitter's included ranges): the rest of the file
  // is not read, so it need not be blanked out.
  const lead = a.node.startIndex;
  const lineEnd = text.indexOf('\n', end);
  const stop = lineEnd === -1 ? text.length : lineEnd + 1;
  const masked = `${text.slice(0, lead)}:${blank(text.slice(lead + 1, start))}${body}${blank(text.slice(end, stop))}${text.slice(stop)}`;
  const tree = parseBash(masked, undefined, [{ start: lead, end: stop }]);
  try {
    const root = tree.rootNode;
    if (root.hasError) return undefined;
    const statements = root.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
    const command = statements[0];
    if (!command || command.type !== 'command') return undefined;
    const ctx: WordContext = v.type === 'string' ? 'dq-code' : 'sq-code';
    const words = command.childrenForFieldName('argument').filter((w): w is Node => !!w);
    const tokens = words.map((w) => wordToken(w, masked, ctx));
    const second = statements[1];
    return second ? { tokens, cut: second.startIndex } : { tokens };
  } finally {
    tree.delete();
  }
}

/** Text that reads the same as one or more plain code words: no quotes, escapes or operators. */
const PLAIN_CODE = /^[A-Za-z0-9_\-.,\/:=+@%\s]*$/;

/**
 * Tokens of an array whose elements are joined into code that bash parses again (`"... ${A[@]}"`
 * inside a launch string run by `bash -c` or eval). Each element's value becomes code text, so an
 * element is read word by word as code. A literal element whose quotes or escapes only the second
 * parse removes (`"'(...)'"`) is the one word that parse gives. Undefined when an element's value
 * would not read that way (an expansion beside quotes, an operator, several words with quotes).
 */
export function codeArrayTokens(a: Assignment, source: string): Token[] | undefined {
  const v = a.value;
  if (!v || v.type !== 'array') return undefined;
  const tokens: Token[] = [];
  for (const c of v.namedChildren) {
    if (!c || c.type === 'comment') continue;
    const parts = wordParts(c, source);
    if (parts.some((p) => p.kind === 'lit' && (!PLAIN_CODE.test(p.text) || p.text.includes('\n')))) {
      // Literal text with quotes or escapes that the second parse removes: one word, the whole element.
      const value = staticParts(parts);
      const word = value === undefined ? undefined : codeWordOf(value);
      if (word === undefined) return undefined;
      tokens.push({ parts: [{ kind: 'lit', text: word }], start: c.startIndex, end: c.endIndex, ctx: 'word-code', splat: false });
      continue;
    }
    // An element with blanks is read word by word inside its quotes; any other is one word.
    if (c.type === 'string' && hasBlank(c, source)) tokens.push(...splitDqString(c, source, 'dq-code'));
    else if (c.type === 'raw_string' && hasBlank(c, source)) tokens.push(...splitLiteral(source.slice(c.startIndex + 1, c.endIndex - 1), c.startIndex + 1, 'sq-code'));
    // Blanks outside quotes (`a\ b`, `--x="a b"`) split the word when the code is parsed again.
    else if (parts.some((p) => p.kind === 'lit' && /\s/.test(p.text))) return undefined;
    else tokens.push(wordToken(c, source, 'word-code'));
  }
  return tokens;
}

/** A quoted array element whose text has blanks (split again by an unquoted ${A[@]}). */
function hasBlank(node: Node, source: string): boolean {
  return (node.type === 'string' || node.type === 'raw_string') && /\s/.test(source.slice(node.startIndex + 1, node.endIndex - 1));
}

function mentionsFlags(tokens: Token[], source: string): boolean {
  return tokens.some((t) => isFlagToken(t) || alternateHead(t, source) !== undefined);
}

/** Variables whose values carry Megatron-LM flags (directly or through other carriers). */
export function findCarriers(index: ScriptIndex, source: string): Set<string> {
  const carriers = new Set<string>();
  const refs = new Map<string, Set<string>>();
  for (const [name, list] of index.assignments) {
    const r = new Set<string>();
    for (const a of list) {
      const tokens = assignmentTokens(a, source, 'split');
      if (mentionsFlags(tokens, source)) carriers.add(name);
      for (const t of tokens) {
        // A reference inside a token also counts: "$A $B" splits into `$A` and `$B` tokens.
        for (const p of t.parts) if (p.kind === 'exp' && p.name && p.name !== name) r.add(p.name);
      }
    }
    refs.set(name, r);
  }
  let changed = true;
  while (changed) {
    changed = false;
    for (const [name, r] of refs) {
      if (carriers.has(name)) continue;
      for (const other of r) {
        if (carriers.has(other)) {
          carriers.add(name);
          changed = true;
          break;
        }
      }
    }
  }
  return carriers;
}

function modeOf(ref: { quoted: boolean; array: boolean }, ctx: WordContext, isArrayValue: boolean): ExpansionMode {
  if (ctx === 'dq-code' || ctx === 'sq-code' || ctx === 'word-code') return 'code';
  // "${A[@]}" of an array keeps each element a word; ${A[@]} splits elements again.
  if (ref.array && isArrayValue) return ref.quoted ? 'words' : 'split';
  if (!ref.quoted) return 'split';
  // "$X" inside a string that is itself split later (ALL="$A $B") splits too.
  if (ctx === 'dq-split') return 'split';
  return 'quoted';
}

function isArrayVariable(list: Assignment[] | undefined): boolean {
  return !!list && list.some((a) => a.value?.type === 'array');
}

/**
 * `text` is the analysed text (the file with template lines and backtick comments blanked), which
 * the tree's offsets refer to; `lines` maps offsets to lines of the file.
 */
export function resolveArguments(launch: Launch, index: ScriptIndex, lines: SourceLines, carriers: Set<string>, text: string = lines.text): ResolvedArgs {
  const segments: Segment[] = [];
  const used = new Map<string, ExpansionMode>();
  const problems: ResolvedArgs['problems'] = [];
  const passthrough: Token[] = [];
  const quoteFixes: Token[] = [];

  /** Splits a token list into runs at carrier references, queueing the carriers. */
  const addSegment = (tokens: Token[], base: Omit<Segment, 'tokens' | 'line'>, self?: string) => {
    let run: Token[] = [];
    const flush = () => {
      if (run.length) segments.push({ ...base, tokens: run, line: lines.lineOf(run[0].start) });
      run = [];
    };
    for (const t of tokens) {
      const ref = plainReference(t);
      if (ref && ref.name === self) {
        flush();
        continue;
      }
      if (ref && carriers.has(ref.name)) {
        flush();
        const mode = modeOf(ref, t.ctx, isArrayVariable(index.assignments.get(ref.name)));
        const prev = used.get(ref.name);
        if (prev && prev !== mode) {
          problems.push({ offset: t.start, message: `$${ref.name} reaches the launch both ${prev} and ${mode}; its flags are migrated for the ${prev} use only` });
          continue;
        }
        if (mode === 'quoted') {
          problems.push({ offset: t.start, message: `"$${ref.name}" is expanded inside quotes, so Megatron-LM receives all its flags as one argument; not migrated` });
          continue;
        }
        if (!prev) {
          used.set(ref.name, mode);
          visitCarrier(ref.name, mode, t.ctx);
        }
        const list = index.assignments.get(ref.name);
        const blanks = (list ?? []).some((a) => a.value?.type === 'array' && a.value.namedChildren.some((c) => !!c && hasBlank(c, text)));
        // Quoting keeps new elements whole; an array whose elements rely on being split stays as is.
        if (ref.array && !ref.quoted && t.ctx === 'word' && isArrayVariable(list) && !blanks) quoteFixes.push(t);
        continue;
      }
      if (ref && !index.assignments.has(ref.name) && !isFlagValuePosition(run)) {
        passthrough.push(t);
      }
      // `${X:+--flag "$X"}`: the flags inside are read where they are written (readFlags).
      const alternate = readAlternate(t, text);
      if (alternate && 'why' in alternate) t.alternateProblem = alternate;
      else if (alternate) t.alternate = alternate;
      run.push(t);
    }
    flush();
  };

  /** `ctx`: where the reference to the carrier is written. */
  const visitCarrier = (name: string, mode: ExpansionMode, ctx: WordContext) => {
    for (const a of index.assignments.get(name) ?? []) {
      let tokens = assignmentTokens(a, text, mode);
      if (mode === 'code' && a.value?.type === 'array') {
        // "... ${A[@]} ..." in a double-quoted code string: the outer shell joins the elements into
        // the code. In '...' the inner shell would expand it, where the array does not exist.
        const elements = ctx === 'sq-code' ? undefined : codeArrayTokens(a, text);
        if (!elements) {
          problems.push({ offset: a.node.startIndex, message: `array ${name} is expanded inside a string that bash reads as code, and its elements hold quotes, escapes or operators (or the string is single-quoted); not migrated` });
          continue;
        }
        tokens = elements;
      }
      if (mode === 'code') {
        const code = codeStringTokens(a, text, launch.joined === true);
        if (code?.cut !== undefined) {
          problems.push({ offset: code.cut, message: `blocked: the value of $${name} ends the launch command here (a newline or \`;\` inside a string that bash reads as code): the words after it never reached ${launch.entryName} and do not reach run_recipe.py either; join the lines (or end them with \\) if they were meant as arguments` });
        }
        if (code) tokens = code.tokens.filter((t) => code.cut === undefined || t.start < code.cut);
      }
      addSegment(tokens, { statementStart: a.statementStart, branchPath: a.branchPath, variable: name }, name);
    }
  };

  addSegment(launch.args, { statementStart: launch.statementStart, branchPath: launch.branchPath });
  for (const a of launch.appends ?? []) addSegment(a.tokens, { statementStart: a.statementStart, branchPath: a.branchPath, variable: a.variable }, a.variable);
  // A variable that only ever holds one literal word cannot split into several.
  for (const seg of segments) {
    for (const t of seg.tokens) {
      if (t.splat && t.parts.every((p) => p.kind === 'lit' || p.quoted || (p.name !== undefined && isSingleWord(p.name, index, text)))) t.splat = false;
    }
  }
  return { segments, carriers: used, problems, passthrough, quoteFixes };
}

/**
 * The words an unquoted `$X` (the whole token) splits into when every assignment of X is literal
 * text: the assignment with the most words, with its line; undefined when X is not that simple.
 */
export function staticSplit(token: Token, index: ScriptIndex, source: string): { words: string[]; offset: number } | undefined {
  const ref = plainReference(token);
  if (!ref || ref.quoted || ref.array || !token.splat) return undefined;
  const list = index.assignments.get(ref.name);
  if (!list?.length) return undefined;
  let best: { words: string[]; offset: number } | undefined;
  for (const a of list) {
    if (!a.value || a.append || a.value.type === 'array') return undefined;
    const parts = wordParts(a.value, source);
    if (parts.some((p) => p.kind !== 'lit')) return undefined;
    const words = parts.map((p) => p.text).join('').split(/[ \t\n]+/).filter(Boolean);
    if (!best || words.length > best.words.length) best = { words, offset: a.node.startIndex };
  }
  return best;
}

const singleWordCache = new WeakMap<ScriptIndex, Map<string, boolean>>();

/** True when every assignment of `name` is one literal word without whitespace. */
export function isSingleWord(name: string, index: ScriptIndex, source: string): boolean {
  let cache = singleWordCache.get(index);
  if (!cache) singleWordCache.set(index, (cache = new Map()));
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const list = index.assignments.get(name);
  const ok =
    !!list &&
    list.every((a) => {
      if (!a.value || a.append || a.value.type === 'array') return false;
      const parts = wordParts(a.value, source);
      return parts.length === 1 && parts[0].kind === 'lit' && !/\s/.test(parts[0].text) && parts[0].text !== '';
    });
  cache.set(name, ok);
  return ok;
}

/** True when the last token of the run is a flag (so the next token is probably its value). */
function isFlagValuePosition(run: Token[]): boolean {
  const last = run[run.length - 1];
  return !!last && isFlagToken(last) && !leadingLiteral(last).includes('=');
}
