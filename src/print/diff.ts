/** Unified diffs (`--- a/<path>` / `+++ b/<path>`), ready for `git apply`. */
import { createTwoFilesPatch } from 'diff';

/** `path` as the header should name it (see src/files/repo-path.ts); `context`: lines around each change (-U). */
export function unifiedDiff(path: string, before: string, after: string, options: { context?: number } = {}): string {
  if (before === after) return '';
  const rel = path.replace(/^\.\//, '').replace(/^\/+/, '');
  const patch = createTwoFilesPatch(`a/${rel}`, `b/${rel}`, before, after, undefined, undefined, { context: options.context ?? 3 });
  // jsdiff starts with an "=====" rule; git and patch ignore it, but it is noise.
  return patch.slice(patch.indexOf('--- '));
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
