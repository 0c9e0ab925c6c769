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
  // Other deletions may overlap: mergeDeletions() unites them afterwards.
  return edits.some((e) => e.text !== '' && ((e.start < end && start < e.end) || (start === end && e.start < start && start < e.end)));
}

/**
 * Unites overlapping or touching deletions (several removed words in a row), then lets a deletion
 * that now starts right after a line's indentation take the blanks after it, so no double blank is
 * left where the words were.
 */
export function mergeDeletions(lines: SourceLines, edits: Edit[]): Edit[] {
  const text = lines.text;
  const others = edits.filter((e) => e.text !== '' || e.start === e.end);
  const dels = edits.filter((e) => e.text === '' && e.end > e.start).sort((a, b) => a.start - b.start);
  const merged: Edit[] = [];
  for (const d of dels) {
    const last = merged[merged.length - 1];
    const gap = last ? text.slice(last.end, d.start) : '';
    if (last && d.start <= last.end) last.end = Math.max(last.end, d.end);
    else if (last && /^[ \t]*$/.test(gap) && gap.length > 0 && !others.some((o) => o.start >= last.end && o.start < d.start)) last.end = Math.max(last.end, d.end);
    else merged.push({ ...d });
  }
  for (const m of merged) {
    const before = text.slice(lines.lineStart(m.start), m.start);
    if (/^[ \t]*$/.test(before) && text[m.end - 1] !== '\n') {
      const ws = /^[ \t]*/.exec(text.slice(m.end))![0].length;
      const grown = { start: m.start, end: m.end + ws };
      if (!others.some((o) => o.start < grown.end && grown.start < o.end)) m.end = grown.end;
    }
  }
  return [...others, ...merged];
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

/** The order edits apply in: by start, an insertion before a replacement at the same offset, then as given. */
export function sortEdits(edits: Edit[]): Edit[] {
  return edits
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.start - b.e.start || (a.e.end - a.e.start) - (b.e.end - b.e.start) || a.i - b.i)
    .map((x) => x.e);
}

/** Applies non-overlapping edits to the text (insertions at equal offsets keep their order). */
export function applyEdits(text: string, edits: Edit[]): string {
  const sorted = sortEdits(edits);
  let out = '';
  let pos = 0;
  for (const e of sorted) {
    if (e.start < pos) throw new Error(`overlapping edits at offset ${e.start}`);
    out += text.slice(pos, e.start) + e.text;
    pos = e.end;
  }
  return out + text.slice(pos);
}
