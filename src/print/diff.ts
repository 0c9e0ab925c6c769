/** Unified diffs (`--- a/<path>` / `+++ b/<path>`), ready for `git apply`. */
import { createTwoFilesPatch } from 'diff';
import { utf8SequenceLength } from '../files/fs-path.js';
import { hunksFromEdits } from './hunks-from-edits.js';
import type { Edit } from '../rewrite/edits.js';

const C_ESCAPES: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x09: '\\t', 0x0a: '\\n', 0x0b: '\\v', 0x0c: '\\f', 0x0d: '\\r', 0x22: '\\"', 0x5c: '\\\\' };

/**
 * A path for a diff header, quoted the way git quotes it when it must be: `"a/dir\nname"` with
 * C-style escapes (`\n`, `\t`, `\"`, `\\`, octal `\303` for other control bytes, C1 controls and
 * bytes that are not UTF-8). `git apply` and GNU patch read these back to the exact bytes, and a
 * name with a newline can no longer start a header line of its own.
 */
export function quoteDiffPath(prefix: string, path: string | Uint8Array): string {
  const bytes = Buffer.concat([Buffer.from(prefix), typeof path === 'string' ? Buffer.from(path, 'utf8') : Buffer.from(path)]);
  let quoted = '';
  let needs = false;
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i];
    if (C_ESCAPES[c] !== undefined) {
      quoted += C_ESCAPES[c];
      needs = true;
      i++;
      continue;
    }
    if (c < 0x20 || c === 0x7f) {
      quoted += `\\${c.toString(8).padStart(3, '0')}`;
      needs = true;
      i++;
      continue;
    }
    const len = c < 0x80 ? 1 : utf8SequenceLength(bytes, i);
    // U+0080..U+009F (C1 controls, such as the one-byte CSI) are encoded as 0xC2 0x80..0x9F.
    const c1 = len === 2 && c === 0xc2 && bytes[i + 1] <= 0x9f;
    if (len === 0 || c1) {
      const n = len === 0 ? 1 : len;
      for (let k = 0; k < n; k++) quoted += `\\${bytes[i + k].toString(8).padStart(3, '0')}`;
      needs = true;
      i += n;
      continue;
    }
    quoted += bytes.subarray(i, i + len).toString('utf8');
    i += len;
  }
  return needs ? `"${quoted}"` : quoted;
}

/**
 * `path` as the header should name it (see src/files/repo-path.ts); `context`: lines around each
 * change (-U); `edits`: the edits that made `after` from `before`, when known: the hunks are then
 * built from them (src/print/hunks-from-edits.ts) where that gives jsdiff's output byte for byte.
 */
export function unifiedDiff(path: string | Uint8Array, before: string, after: string, options: { context?: number; edits?: Edit[] } = {}): string {
  if (before === after) return '';
  const rel = typeof path === 'string' ? path.replace(/^\.\//, '').replace(/^\/+/, '') : stripLeading(Buffer.from(path));
  const context = options.context ?? 3;
  const hunks = (options.edits && hunksFromEdits(before, after, options.edits, context)) ?? jsdiffHunks(before, after, context);
  return `--- ${quoteDiffPath('a/', rel)}\n+++ ${quoteDiffPath('b/', rel)}\n${hunks}`;
}

/** The hunks as jsdiff's Myers line diff finds them. */
export function jsdiffHunks(before: string, after: string, context: number): string {
  const patch = createTwoFilesPatch('a', 'b', before, after, undefined, undefined, { context });
  // jsdiff starts with an "=====" rule; git and patch ignore it, but it is noise. Its two header
  // lines are replaced by quoted ones (jsdiff writes names as they are).
  const body = patch.slice(patch.indexOf('--- '));
  return body.slice(body.indexOf('\n', body.indexOf('\n') + 1) + 1);
}

function stripLeading(bytes: Buffer): Buffer {
  let start = 0;
  if (bytes[0] === 0x2e && bytes[1] === 0x2f) start = 2;
  while (bytes[start] === 0x2f) start++;
  return bytes.subarray(start);
}

const COLORS = { red: '\x1b[31m', green: '\x1b[32m', cyan: '\x1b[36m', bold: '\x1b[1m', reset: '\x1b[0m' };

export function colorDiff(diff: string): string {
  return diff
    .split('\n')
    .map((l) => {
      if (l.startsWith('+++') || l.startsWith('---')) return `${COLORS.bold}${l}${COLORS.reset}`;
      if (l.startsWith('+')) return `${COLORS.green}${l}${COLORS.reset}`;
      if (l.startsWith('-')) return `${COLORS.red}${l}${COLORS.reset}`;
      if (l.startsWith('@@')) return `${COLORS.cyan}${l}${COLORS.reset}`;
      return l;
    })
    .join('\n');
}
