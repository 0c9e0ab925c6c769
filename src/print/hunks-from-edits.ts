/**
 * The hunks of a unified diff built from the edit list that made `after` out of `before`, instead of
 * searching for them (jsdiff's Myers diff costs O(lines x changed lines) per file).
 *
 * The result must be byte for byte what jsdiff's `createTwoFilesPatch` writes, so this builds it
 * only where that output is certain, and answers `undefined` (the caller then asks jsdiff) otherwise:
 *
 * - The edits give changed line regions; the lines between them must be the same on both sides
 *   (checked, so wrong edits cannot make a wrong patch).
 * - No line of a changed region may occur anywhere on the other side (a removed line nowhere in
 *   `after`, an added line nowhere in `before`). Then the unchanged lines are the only longest common
 *   subsequence of the two texts, so every shortest line diff (jsdiff's included) keeps exactly them,
 *   and in each gap between them jsdiff writes the removed lines before the added ones. Where a line
 *   repeats across a change (a blank line, `fi`, a moved line) a diff could slide or pair lines
 *   otherwise: jsdiff decides those.
 * - Lines are jsdiff's tokens: up to and including each `\n` (a `\r` before it is part of the line),
 *   the last line possibly without one.
 *
 * Hunks are then laid out by the same steps as jsdiff's `structuredPatch` and `formatPatch`
 * (context lines, hunks joined when at most 2 x context lines separate changes, `\ No newline at end
 * of file`, the `-N,0` start of an empty side).
 */
import { sortEdits, type Edit } from '../rewrite/edits.js';

/** A text cut into lines the way jsdiff's line diff cuts it: each with its `\n`, the last maybe without. */
function splitTokens(text: string): { tokens: string[]; starts: number[] } {
  const tokens: string[] = [];
  const starts: number[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    starts.push(start);
    tokens.push(text.slice(start, end));
    start = end;
  }
  return { tokens, starts };
}

/** The index of the line holding `offset`: the last line start at or before it (0 before the text). */
function lineHolding(starts: number[], offset: number): number {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}

interface Side {
  text: string;
  tokens: string[];
  starts: number[];
}

/** Whether `offset` is a line boundary: the start of the text or of a line, or the end of the text. */
function atBoundary(side: Side, offset: number): boolean {
  return offset === 0 || offset === side.text.length || side.text.charCodeAt(offset - 1) === 10;
}

/** The index of the line that starts at boundary `offset` (the line count at the end of the text). */
function lineAtBoundary(side: Side, offset: number): number {
  if (offset === side.text.length) return side.tokens.length;
  return lineHolding(side.starts, offset);
}

interface Region {
  oldStart: number;
  oldEnd: number;
  newStart: number;
  newEnd: number;
}

/** Changed line regions [start, end) on both sides, one per edit, merged where they touch or overlap. */
function changedRegions(before: Side, after: Side, edits: Edit[]): Region[] {
  const regions: Region[] = [];
  let delta = 0;
  for (const edit of sortEdits(edits)) {
    const oldFrom = edit.start;
    const oldTo = edit.end;
    const newFrom = edit.start + delta;
    const newTo = newFrom + edit.text.length;
    delta += edit.text.length - (edit.end - edit.start);
    const startsClean = atBoundary(before, oldFrom) && atBoundary(after, newFrom);
    const endsClean = atBoundary(before, oldTo) && atBoundary(after, newTo);
    // A start that is no boundary on both sides takes the line it falls in (the line of the
    // character before it, which is the same text on both sides unless another edit ends there).
    const oldStart = startsClean ? lineAtBoundary(before, oldFrom) : lineHolding(before.starts, oldFrom - 1);
    const newStart = startsClean ? lineAtBoundary(after, newFrom) : lineHolding(after.starts, newFrom - 1);
    const oldEnd = endsClean ? lineAtBoundary(before, oldTo) : lineHolding(before.starts, oldTo) + 1;
    const newEnd = endsClean ? lineAtBoundary(after, newTo) : lineHolding(after.starts, newTo) + 1;
    const last = regions[regions.length - 1];
    if (last && (oldStart <= last.oldEnd || newStart <= last.newEnd)) {
      last.oldEnd = Math.max(last.oldEnd, oldEnd);
      last.newEnd = Math.max(last.newEnd, newEnd);
    } else {
      regions.push({ oldStart, oldEnd, newStart, newEnd });
    }
  }
  return regions;
}

/** Drops the lines a region keeps the same at its start and end (an edit that rewrote a line to itself). */
function trimRegion(region: Region, before: string[], after: string[]): void {
  while (region.oldStart < region.oldEnd && region.newStart < region.newEnd && before[region.oldStart] === after[region.newStart]) {
    region.oldStart++;
    region.newStart++;
  }
  while (region.oldStart < region.oldEnd && region.newStart < region.newEnd && before[region.oldEnd - 1] === after[region.newEnd - 1]) {
    region.oldEnd--;
    region.newEnd--;
  }
}

/** The lines outside the regions are the same on both sides, and no changed line occurs on the other side. */
function diffIsCertain(regions: Region[], before: string[], after: string[]): boolean {
  const removed = new Set<string>();
  const changed = new Set<string>();
  for (const region of regions) {
    if (region.oldStart > region.oldEnd || region.newStart > region.newEnd || region.oldEnd > before.length || region.newEnd > after.length) return false;
    for (let line = region.oldStart; line < region.oldEnd; line++) removed.add(before[line]);
  }
  for (const region of regions) for (let line = region.newStart; line < region.newEnd; line++) if (removed.has(after[line])) return false;
  for (const token of removed) changed.add(token);
  for (const region of regions) for (let line = region.newStart; line < region.newEnd; line++) changed.add(after[line]);
  let oldLine = 0;
  let newLine = 0;
  const unchanged = (oldEnd: number, newEnd: number) => {
    if (oldEnd - oldLine !== newEnd - newLine) return false;
    for (; oldLine < oldEnd; oldLine++, newLine++) {
      const token = before[oldLine];
      if (token !== after[newLine] || changed.has(token)) return false;
    }
    return true;
  };
  for (const region of regions) {
    if (region.oldStart < oldLine || region.newStart < newLine) return false;
    if (!unchanged(region.oldStart, region.newStart)) return false;
    oldLine = region.oldEnd;
    newLine = region.newEnd;
  }
  return unchanged(before.length, after.length);
}

interface Component {
  kind: 'same' | 'removed' | 'added';
  /** The lines, as a range of `before` (removed) or `after` (same, added). */
  from: number;
  to: number;
}

/**
 * The hunk lines (`@@ ... @@`, ` `, `-`, `+`, `\ No newline at end of file`), each ending in `\n`,
 * exactly as jsdiff's createTwoFilesPatch writes them after its two header lines; `undefined` where
 * the edits do not settle what jsdiff would write.
 */
export function hunksFromEdits(beforeText: string, afterText: string, edits: Edit[], context: number): string | undefined {
  if (beforeText === afterText || beforeText === '' || afterText === '' || edits.length === 0) return undefined;
  if (!Number.isInteger(context) || context < 0) return undefined;
  const beforeSplit = splitTokens(beforeText);
  const afterSplit = splitTokens(afterText);
  const before: Side = { text: beforeText, ...beforeSplit };
  const after: Side = { text: afterText, ...afterSplit };
  const regions = changedRegions(before, after, edits);
  for (const region of regions) trimRegion(region, before.tokens, after.tokens);
  const changes = regions.filter((r) => r.oldStart < r.oldEnd || r.newStart < r.newEnd);
  if (changes.length === 0 || !diffIsCertain(changes, before.tokens, after.tokens)) return undefined;
  const components: Component[] = [];
  let newLine = 0;
  for (const region of changes) {
    if (region.newStart > newLine) components.push({ kind: 'same', from: newLine, to: region.newStart });
    if (region.oldEnd > region.oldStart) components.push({ kind: 'removed', from: region.oldStart, to: region.oldEnd });
    if (region.newEnd > region.newStart) components.push({ kind: 'added', from: region.newStart, to: region.newEnd });
    newLine = region.newEnd;
  }
  if (after.tokens.length > newLine) components.push({ kind: 'same', from: newLine, to: after.tokens.length });
  return layOutHunks(components, before.tokens, after.tokens, context);
}

/** jsdiff's structuredPatch (its diffLinesResultToPatch) and formatPatch, over line ranges. */
function layOutHunks(components: Component[], before: string[], after: string[], context: number): string {
  // jsdiff appends an empty component to close the last hunk.
  const all: Array<Component | undefined> = [...components, undefined];
  const linesOf = (component: Component | undefined): string[] => {
    if (!component) return [];
    return (component.kind === 'removed' ? before : after).slice(component.from, component.to);
  };
  const countOf = (component: Component | undefined) => (component ? component.to - component.from : 0);
  const out: string[] = [];
  let oldRangeStart = 0;
  let newRangeStart = 0;
  let range: string[] = [];
  let oldLine = 1;
  let newLine = 1;
  const contextLines = (lines: string[]) => lines.map((line) => ' ' + line);
  for (let index = 0; index < all.length; index++) {
    const current = all[index];
    const count = countOf(current);
    if (current && current.kind !== 'same') {
      if (!oldRangeStart) {
        const previous = all[index - 1];
        oldRangeStart = oldLine;
        newRangeStart = newLine;
        if (previous) {
          // Only the last `context` lines of the previous (unchanged) stretch are needed.
          const tail = context > 0 ? linesOf({ ...previous, from: previous.to - Math.min(context, countOf(previous)) }) : [];
          range = contextLines(tail);
          oldRangeStart -= range.length;
          newRangeStart -= range.length;
        }
      }
      const sign = current.kind === 'added' ? '+' : '-';
      for (const line of linesOf(current)) range.push(sign + line);
      if (current.kind === 'added') newLine += count;
      else oldLine += count;
    } else {
      if (oldRangeStart) {
        if (count <= context * 2 && index < all.length - 2) {
          range.push(...contextLines(linesOf(current)));
        } else {
          const contextSize = Math.min(count, context);
          const head = current && contextSize > 0 ? linesOf({ ...current, to: current.from + contextSize }) : [];
          range.push(...contextLines(head));
          let oldStart = oldRangeStart;
          let newStart = newRangeStart;
          const oldLines = oldLine - oldRangeStart + contextSize;
          const newLines = newLine - newRangeStart + contextSize;
          if (oldLines === 0) oldStart -= 1;
          if (newLines === 0) newStart -= 1;
          out.push(`@@ -${oldStart},${oldLines} +${newStart},${newLines} @@`);
          for (const line of range) {
            if (line.endsWith('\n')) out.push(line.slice(0, -1));
            else out.push(line, '\\ No newline at end of file');
          }
          oldRangeStart = 0;
          newRangeStart = 0;
          range = [];
        }
      }
      oldLine += count;
      newLine += count;
    }
  }
  return out.join('\n') + '\n';
}
