/**
 * Writes an override as shell text for the place it goes, so that it reaches Python as exactly one
 * argv word equal to `key=<hydra value>` (bridge-notes.md, "Bash layer").
 */
import type { Part, WordContext } from '../resolve/types.js';
import type { Override } from '../mapping/hydra.js';
import { mergeLits, renderHydra } from '../mapping/hydra.js';

/** Characters that never need shell quoting in a word. */
const SHELL_SAFE = /^[A-Za-z0-9_\-.\/:+@%=,]+$/;

function escapeDq(text: string): string {
  return text.replace(/[\\"$`]/g, '\\$&');
}

function hasSpace(parts: Part[]): boolean {
  return parts.some((p) => p.kind === 'lit' && /\s/.test(p.text));
}

/** A shell word whose value is the parts' text, expansions expanded (inside double quotes). */
export function shellWord(parts: Part[]): string {
  const merged = mergeLits(parts);
  if (merged.every((p) => p.kind === 'lit') && SHELL_SAFE.test(merged.map((p) => p.text).join(''))) {
    return merged.map((p) => p.text).join('');
  }
  return `"${merged.map((p) => (p.kind === 'lit' ? escapeDq(p.text) : p.text)).join('')}"`;
}

export class ShellTextError extends Error {}

/** The text of one override for a word context. Throws ShellTextError when it cannot be written. */
export function overrideShellText(o: Override, ctx: WordContext): string {
  const quote: "'" | '"' = ctx === 'sq-split' || ctx === 'sq-code' ? '"' : "'";
  const parts = mergeLits([{ kind: 'lit', text: `${o.key}=` }, ...renderHydra(o.value, quote)]);
  switch (ctx) {
    case 'word':
      return shellWord(parts);
    case 'alt-word': {
      // Inside `${X:+...}`: a shell word too; shellWord quotes any `}` (it would end the expansion).
      return shellWord(parts);
    }
    case 'dq-split':
      if (hasSpace(parts)) throw new ShellTextError('a value with spaces cannot be written inside a string that is split into words');
      return parts.map((p) => (p.kind === 'lit' ? escapeDq(p.text) : p.text)).join('');
    case 'sq-split': {
      if (parts.some((p) => p.kind === 'exp')) throw new ShellTextError('a shell expansion cannot be written inside single quotes');
      const text = parts.map((p) => p.text).join('');
      if (/\s/.test(text) || text.includes("'")) throw new ShellTextError("a value with spaces or ' cannot be written inside a single-quoted string");
      return text;
    }
    case 'dq-code': {
      // The outer shell reads this inside "..."; the inner shell then sees one "..." word.
      const outer = (t: string) => t.replace(/[\\"`]/g, '\\$&');
      if (parts.every((p) => p.kind === 'lit')) return outer(shellWord(parts));
      return `\\"${parts.map((p) => (p.kind === 'lit' ? outer(escapeDq(p.text)) : p.verbatim ? p.text : outer(p.text))).join('')}\\"`;
    }
    case 'word-code': {
      // A word whose value is code: the dq-code text of the override, as a "..." word.
      const code = overrideShellText(o, 'dq-code');
      return SHELL_SAFE.test(code) ? code : `"${code}"`;
    }
    case 'sq-code': {
      const w = shellWord(parts);
      if (w.includes("'")) throw new ShellTextError("a value with ' cannot be written inside a single-quoted `bash -c` string");
      return w;
    }
  }
}
