/**
 * Turns syntax-tree words and string contents into argv-word tokens with exact source spans.
 * Bash semantics that matter here:
 * - a shell word (command argument, array element) is one token; quotes are removed;
 * - the content of a "..." or '...' assignment value, when later expanded unquoted, is split on
 *   whitespace and quote characters inside it stay literal; `\<newline>` inside "..." vanishes.
 */
import type { Node } from './parser.js';
import type { Part, Token, WordContext } from '../resolve/types.js';

const EXPANSION_TYPES = new Set([
  'simple_expansion',
  'expansion',
  'command_substitution',
  'arithmetic_expansion',
  'process_substitution',
]);

const PLAIN_REF = /^\$\{?([A-Za-z_][A-Za-z0-9_]*|[@*#?$!0-9])(\[[@*]\])?\}?$/;

export function isExpansionNode(node: Node): boolean {
  return EXPANSION_TYPES.has(node.type);
}

/**
 * Where an expansion really starts. Inside strings tree-sitter-bash can let an expansion node
 * begin at the blank before its `$` (`"$A $B"` gives a node " $B"), so trust the `$` or backtick.
 */
export function expansionStart(node: Node, source: string): number {
  const text = source.slice(node.startIndex, node.endIndex);
  const i = text.search(/[$`<>]/);
  return i <= 0 ? node.startIndex : node.startIndex + i;
}

/** `${X:+$X}` / `${X:+${X}}`: the same as `$X` wherever it is written (empty gives nothing either way). */
const SELF_ALTERNATE = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?\+\$(?:\{\1\}|\1)\}$/;
/** `${X:-}` / `${X-}`: X, or nothing (the `set -u` spelling of `$X`). */
const EMPTY_DEFAULT = /^\$\{([A-Za-z_][A-Za-z0-9_]*):?-\}$/;

/** An expansion part from an expansion node (or its text). */
export function expansionPart(text: string, quoted: boolean): Part {
  const self = SELF_ALTERNATE.exec(text) ?? EMPTY_DEFAULT.exec(text);
  if (self) return { kind: 'exp', text, name: self[1], array: false, quoted };
  const m = PLAIN_REF.exec(text);
  // `${X}` and `$X` are plain references; `${X:-d}` and friends are not.
  if (m && (text.startsWith('${') === text.endsWith('}'))) {
    return { kind: 'exp', text, name: m[1], array: m[2] !== undefined, quoted };
  }
  return { kind: 'exp', text, quoted };
}

/** Removes backslash escapes the way bash does inside double quotes. */
export function unescapeDq(raw: string): string {
  return raw.replace(/\\([\\$`"\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** Removes backslash escapes of an unquoted word. */
export function unescapeBare(raw: string): string {
  return raw.replace(/\\(\n|.)/g, (_m, c: string) => (c === '\n' ? '' : c));
}

function decodeAnsiC(raw: string): string {
  const map: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', e: '\x1b', f: '\f', v: '\v' };
  return raw.replace(/\\(.)/g, (_m, c: string) => map[c] ?? `\\${c}`);
}

function pushLit(parts: Part[], text: string): void {
  if (text === '') return;
  const last = parts[parts.length - 1];
  if (last && last.kind === 'lit') last.text += text;
  else parts.push({ kind: 'lit', text });
}

/** Parts of a double-quoted string node: literal gaps and expansion children. */
function dqParts(node: Node, source: string, parts: Part[]): void {
  const open = node.startIndex + (source[node.startIndex] === '$' ? 2 : 1);
  const close = node.endIndex - 1;
  let pos = open;
  for (const child of node.namedChildren) {
    if (!child || !isExpansionNode(child)) continue;
    const start = expansionStart(child, source);
    pushLit(parts, unescapeDq(source.slice(pos, start)));
    parts.push(expansionPart(source.slice(start, child.endIndex), true));
    pos = child.endIndex;
  }
  pushLit(parts, unescapeDq(source.slice(pos, Math.max(pos, close))));
}

/** Parts of one shell word node (argument or array element), quotes removed. */
export function wordParts(node: Node, source: string, parts: Part[] = []): Part[] {
  const text = source.slice(node.startIndex, node.endIndex);
  switch (node.type) {
    case 'string':
    case 'translated_string':
      dqParts(node, source, parts);
      break;
    case 'raw_string':
      pushLit(parts, text.slice(1, -1));
      break;
    case 'ansi_c_string':
      pushLit(parts, decodeAnsiC(text.slice(2, -1)));
      break;
    case 'concatenation': {
      let pos = node.startIndex;
      for (const child of node.children) {
        if (!child) continue;
        if (child.startIndex > pos) pushLit(parts, unescapeBare(source.slice(pos, child.startIndex)));
        wordParts(child, source, parts);
        pos = child.endIndex;
      }
      if (pos < node.endIndex) pushLit(parts, unescapeBare(source.slice(pos, node.endIndex)));
      break;
    }
    default:
      if (isExpansionNode(node)) parts.push(expansionPart(text, false));
      else pushLit(parts, unescapeBare(text));
  }
  return parts;
}

/** One token for a shell word node. */
export function wordToken(node: Node, source: string, ctx: WordContext = 'word'): Token {
  const raw = source.slice(node.startIndex, node.endIndex);
  if (ctx === 'dq-code' && raw.includes('\\') && !/^-/.test(raw)) {
    // Inside `bash -c "..."` the outer shell removes these escapes first: keep the text as written.
    return { parts: [{ kind: 'exp', text: raw, quoted: false, verbatim: true }], start: node.startIndex, end: node.endIndex, ctx, splat: false };
  }
  const parts = wordParts(node, source);
  const splat = parts.some((p) => p.kind === 'exp' && !p.quoted);
  return { parts, start: node.startIndex, end: node.endIndex, ctx, splat };
}

/**
 * Splits the content of a "..." string node into the words that an unquoted expansion of the
 * variable produces. Quote characters inside stay literal (bash does not remove them again).
 */
export function splitDqString(node: Node, source: string, ctx: WordContext = 'dq-split'): Token[] {
  const open = node.startIndex + 1;
  const close = node.endIndex - 1;
  const expansions = node.namedChildren.filter((c): c is Node => !!c && isExpansionNode(c));
  const tokens: Token[] = [];
  let cur: Token | undefined;
  const flush = () => {
    if (cur) tokens.push(cur);
    cur = undefined;
  };
  const addLitChar = (ch: string, at: number, width: number) => {
    if (!cur) cur = { parts: [], start: at, end: at + width, ctx, splat: false };
    pushLit(cur.parts, ch);
    cur.end = at + width;
  };
  let pos = open;
  let e = 0;
  while (pos < close) {
    const exp = expansions[e];
    if (exp && expansionStart(exp, source) === pos) {
      if (!cur) cur = { parts: [], start: pos, end: exp.endIndex, ctx, splat: false };
      cur.parts.push(expansionPart(source.slice(pos, exp.endIndex), false));
      cur.splat = true; // the variable's value is split again when the carrier is expanded
      cur.end = exp.endIndex;
      pos = exp.endIndex;
      e++;
      continue;
    }
    const ch = source[pos];
    if (ch === '\\' && pos + 1 < close) {
      const next = source[pos + 1];
      if (next === '\n') {
        pos += 2; // line continuation: vanishes
        continue;
      }
      if ('\\$`"'.includes(next)) {
        addLitChar(next, pos, 2);
        pos += 2;
        continue;
      }
      addLitChar('\\', pos, 1);
      pos += 1;
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      flush();
      pos += 1;
      continue;
    }
    addLitChar(ch, pos, 1);
    pos += 1;
  }
  flush();
  return tokens;
}

/** Splits literal text (a '...' string or unquoted word value) on whitespace. */
export function splitLiteral(text: string, offset: number, ctx: WordContext): Token[] {
  const tokens: Token[] = [];
  const re = /[^ \t\n\r]+/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    tokens.push({ parts: [{ kind: 'lit', text: m[0] }], start: offset + m.index, end: offset + m.index + m[0].length, ctx, splat: false });
  }
  return tokens;
}

/** The text of parts when they hold no expansion. */
export function staticParts(parts: Part[]): string | undefined {
  let out = '';
  for (const p of parts) {
    if (p.kind !== 'lit') return undefined;
    out += p.text;
  }
  return out;
}

/** The static text of a token when it has no expansion. */
export function staticText(token: Token): string | undefined {
  return staticParts(token.parts);
}

/** Leading literal text of a token (up to its first expansion). */
export function leadingLiteral(token: Token): string {
  const first = token.parts[0];
  return first && first.kind === 'lit' ? first.text : '';
}
