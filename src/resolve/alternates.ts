/**
 * Alternate-value and default-value expansions that carry flags: `${LOAD:+--load "$LOAD"}`,
 * `${MOCK:+--mock-data}`, `${EXTRA:---bf16}`. Bash expands the word after the operator (parameter
 * expansion and quote removal; quoted parts are not split) and, the whole expansion being
 * unquoted, splits the result into argv words. So the word is read like the arguments of a
 * command: its flags are migrated where they are written, inside the same expansion.
 */
import { parseBash, type Node } from '../parse/parser.js';
import { wordToken } from '../parse/words.js';
import type { Alternate, Part, Token } from './types.js';

/** `${NAME:+`, `${NAME+`, `${NAME:-`, `${NAME-` followed by a flag. */
const ALTERNATE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-+])/;
const FLAG_START = /^\s*--?[A-Za-z_]/;

/** Characters that are not literal text inside the word the way a command line reads them. */
const CODE_ONLY = /[;&|<>#`\n]|\$\(|\\/;

/** The expansion a token consists of, when it is one `${X:+...}` / `${X:-...}` whose word starts with a flag. */
export function alternateHead(token: Token, source: string): { variable: string; op: Alternate['op']; bodyStart: number; bodyEnd: number } | undefined {
  if (token.parts.length !== 1) return undefined;
  const p = token.parts[0];
  if (p.kind !== 'exp' || p.quoted || p.verbatim) return undefined;
  if (source.slice(token.start, token.end) !== p.text || !p.text.endsWith('}')) return undefined;
  const m = ALTERNATE.exec(p.text);
  if (!m) return undefined;
  const body = p.text.slice(m[0].length, -1);
  if (!FLAG_START.test(body)) return undefined;
  return { variable: m[1], op: m[2] as Alternate['op'], bodyStart: token.start + m[0].length, bodyEnd: token.end - 1 };
}

/** Plain `$NAME` / `${NAME}` references and literal text of one word inside a "..." string. */
function plainWordParts(word: string): Part[] | undefined {
  const parts: Part[] = [];
  const re = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(word))) {
    if (m.index > pos) parts.push({ kind: 'lit', text: word.slice(pos, m.index) });
    parts.push({ kind: 'exp', text: m[0], name: m[1] ?? m[2], quoted: false });
    pos = m.index + m[0].length;
  }
  if (pos < word.length) parts.push({ kind: 'lit', text: word.slice(pos) });
  // Anything else with `$` (`${X:-1}`, `$(...)`) is not read here.
  if (parts.some((q) => q.kind === 'lit' && q.text.includes('$'))) return undefined;
  return parts;
}

/** A `${X:+--flag ...}` whose word cannot be read: which variable and operator, and why. */
export interface UnreadAlternate {
  variable: string;
  op: Alternate['op'];
  why: string;
}

/**
 * The words of the expansion's word, or a reason why they cannot be read. `token.ctx` says where
 * the expansion is written: `word` (a command line or an array element), `dq-code` / `sq-code` (a
 * launch string run as code): the word is read like command arguments; `dq-split` (inside a "..."
 * string that is split later): the word is plain text with `$NAME` references.
 */
export function readAlternate(token: Token, source: string): Alternate | UnreadAlternate | undefined {
  const head = alternateHead(token, source);
  if (!head) return undefined;
  const body = source.slice(head.bodyStart, head.bodyEnd);
  const base = { variable: head.variable, op: head.op, start: token.start, end: token.end, bodyStart: head.bodyStart, bodyEnd: head.bodyEnd };
  const unread = (why: string): UnreadAlternate => ({ variable: head.variable, op: head.op, why });
  // Where the word is read as command words: a command line or array element, and a string that
  // bash reads as code (its shell expands the `${X:+...}` and reads the words: the outer shell of a
  // "..." string removes the quotes inside the expansion's word, an eval or `bash -c` reads it).
  const inner = token.ctx === 'word' ? 'alt-word' : token.ctx === 'dq-code' || token.ctx === 'sq-code' ? token.ctx : undefined;
  if (inner) {
    if (CODE_ONLY.test(body) || /\$\{[^}]*[:#%\/^,][^}]*\}/.test(body)) return unread('its word holds characters bridge-migrate does not read inside an expansion (a newline, an escape, `$(...)`, an operator, or a nested `${X:-...}`)');
    // The word read as the arguments of a `:` command, at the same offsets as in the file.
    const masked = `${' '.repeat(head.bodyStart - 2)}: ${body}`;
    const tree = parseBash(masked);
    try {
      const root = tree.rootNode;
      const statements = root.namedChildren.filter((c): c is Node => !!c);
      const command = statements[0];
      if (root.hasError || statements.length !== 1 || !command || command.type !== 'command' || command.namedChildren.some((c) => !!c && c.type.includes('redirect'))) {
        return unread('its word does not read as plain arguments');
      }
      const words = command.childrenForFieldName('argument').filter((w): w is Node => !!w);
      return { ...base, tokens: words.map((w) => wordToken(w, masked, inner)) };
    } finally {
      tree.delete();
    }
  }
  if (token.ctx === 'dq-split') {
    if (/['\\`]|\$\(/.test(body)) return unread('its word holds single quotes, escapes or `$(...)` inside a "..." string');
    const tokens: Token[] = [];
    const re = /[^ \t\r\n]+/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(body))) {
      // Double quotes inside the expansion are removed when the string is assigned; the words are
      // split later all the same, so a quoted part must hold no blank (`"$X"` is one word either way).
      if ((m[0].match(/"/g) ?? []).length % 2 === 1) return unread('its word holds a quoted value with blanks inside a "..." string (the string is split into words later, so the quotes do not keep it one word)');
      const parts = plainWordParts(m[0].replace(/"/g, ''));
      if (!parts) return unread('its word holds an expansion other than a plain $NAME');
      const start = head.bodyStart + m.index;
      tokens.push({ parts, start, end: start + m[0].length, ctx: 'dq-split', splat: parts.some((q) => q.kind === 'exp') });
    }
    return { ...base, tokens };
  }
  return unread('it is written where its words are pasted into code (an array element of a launch string)');
}

/** `${X:+...}` is used when X is set and not empty; `${X+...}` when set; `:-`/`-` the other way round. */
export function conditionText(alt: Pick<Alternate, 'variable' | 'op'>): string {
  switch (alt.op) {
    case ':+':
      return `only when $${alt.variable} is set and not empty`;
    case '+':
      return `only when $${alt.variable} is set`;
    case ':-':
      return `only when $${alt.variable} is unset or empty`;
    case '-':
      return `only when $${alt.variable} is unset`;
  }
}
