/**
 * Edits are byte-range replacements of the original text. This module builds the ones that need
 * care: deleting a word together with the whitespace, line or continuation it leaves behind, and
 * inserting a comment line above a statement.
 */
import type { SourceLines } from '../parse/source-lines.js';

export interface Edit {
  start: number;
  end: number;
  text: string;
}

function overlapsAny(edits: Edit[], start: number, end: number): boolean {
  return edits.some((e) => (e.start < end && start < e.end) || (start === end && e.start < start && start < e.end));
}

/**
 * The range to delete for a word at [start, end), tidy when possible:
 * - a word alone on a continued line (`  --flag \`) takes its whole line;
 * - a word alone on a line inside an array or string (`freeNewlines`) takes its whole line;
 * - otherwise the word and the blanks before it (or after it, at the start of a line).
 * Never overlaps `taken`.
 */
export function deletionRange(lines: SourceLines, start: number, end: number, freeNewlines: boolean, taken: Edit[]): Edit {
  const text = lines.text;
  const ls = lines.lineStart(start);
  const le = lines.lineEnd(end);
  const before = text.slice(ls, start);
  const after = text.slice(end, le);
  const aloneBefore = /^[ \t]*$/.test(before);
  const candidates: Edit[] = [];
  if (aloneBefore && le < text.length && (/^[ \t]*\\[ \t]*$/.test(after) || (freeNewlines && /^[ \t]*$/.test(after)))) {
    candidates.push({ start: ls, end: le + 1, text: '' });
  }
  if (!aloneBefore) {
    const ws = /[ \t]*$/.exec(before)![0].length;
    if (ws > 0) candidates.push({ start: start - ws, end, text: '' });
    else candidates.push({ start, end: end + /^[ \t]*/.exec(after)![0].length, text: '' });
  } else {
    const ws = /^[ \t]*/.exec(after)![0].length;
    candidates.push({ start, end: end + ws, text: '' });
  }
  candidates.push({ start, end, text: '' });
  for (const c of candidates) if (!overlapsAny(taken, c.start, c.end)) return c;
  return { start, end, text: '' };
}

/** Where a comment line above the statement starting at `statementStart` goes, if it can. */
export function commentAnchor(lines: SourceLines, statementStart: number): { at: number; indent: string } | undefined {
  const ls = lines.lineStart(statementStart);
  if (!/^[ \t]*$/.test(lines.text.slice(ls, statementStart))) return undefined;
  return { at: ls, indent: lines.text.slice(ls, statementStart) };
}

/** Applies non-overlapping edits to the text (insertions at equal offsets keep their order). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || (a.e.end - a.e.start) - (b.e.end - b.e.start) || a.i - b.i)
    .map((x) => x.e);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}
