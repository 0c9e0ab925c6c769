/**
 * Per-file limits that keep one hostile or broken script from hanging or crashing a run: syntax
 * tree depth, words in one command / array / string, and a time budget. Exceeding one throws a
 * LimitError, which the file adapters (src/files/process-file.ts, stdin mode) turn into a per-file
 * error; nothing of the file is changed.
 */
import { monotonicMs } from '../files/clock.js';

/** Deepest syntax tree accepted (`$(` nesting costs 2 levels, `"$(` 4, a subshell 1). */
export const MAX_TREE_DEPTH = 5000;
/** Most words accepted in one command, array or string (real launches have a few hundred). */
export const MAX_WORDS = 5_000;
/** Default time budget for one file, in milliseconds. */
export const DEFAULT_TIME_LIMIT_MS = 30_000;

export class LimitError extends Error {}

let deadline = Infinity;
let limitMs = Infinity;

/** Runs `work` with a time budget (checked by checkTime()); budgets do not nest. */
export function withTimeLimit<T>(ms: number, work: () => T): T {
  const previous = [deadline, limitMs];
  limitMs = ms;
  deadline = monotonicMs() + ms;
  try {
    return work();
  } finally {
    [deadline, limitMs] = previous;
  }
}

export function hasTimeLimit(): boolean {
  return deadline !== Infinity;
}

/** True when the current time budget is spent. */
export function timeIsUp(): boolean {
  return deadline !== Infinity && monotonicMs() > deadline;
}

/** Throws a LimitError once the current time budget is spent. */
export function checkTime(): void {
  if (timeIsUp()) throw new LimitError(timeMessage());
}

export function timeMessage(): string {
  return `took longer than ${limitMs / 1000} s to analyse (the per-file time limit): too large or too deeply nested to migrate safely; nothing was changed. Split the script or migrate it by hand`;
}

export function depthMessage(line: number): string {
  return `line ${line}: too deeply nested to migrate safely (the syntax tree is over ${MAX_TREE_DEPTH} levels deep); nothing was changed. Flatten the nesting or migrate it by hand`;
}

export function stackMessage(): string {
  return 'too deeply nested to migrate safely (the analysis ran out of stack); nothing was changed. Flatten the nesting or migrate it by hand';
}

export function wordsMessage(line: number, what: string): string {
  return `line ${line}: ${what} with over ${MAX_WORDS} words is too large to migrate safely; nothing was changed. Split it or migrate it by hand`;
}
