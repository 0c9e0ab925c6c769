/**
 * The path a diff header, a SARIF result or a GitHub annotation names a file by: relative to the
 * top level of the git work tree that holds it (so `git apply` works from the repository root,
 * whatever path was given), or relative to the working directory outside a repository. `..` and
 * `.` are resolved; separators are `/`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';

const topLevels = new Map<string, string | null>();

/** The nearest folder at or above `dir` with a `.git` (a folder, or a file for worktrees and submodules). */
export function gitTopLevel(dir: string): string | undefined {
  const visited: string[] = [];
  let current = dir;
  let found: string | null = null;
  for (;;) {
    const cached = topLevels.get(current);
    if (cached !== undefined) {
      found = cached;
      break;
    }
    visited.push(current);
    if (existsSync(path.join(current, '.git'))) {
      found = current;
      break;
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const v of visited) topLevels.set(v, found);
  return found ?? undefined;
}

export function repoRelativePath(file: string, cwd = process.cwd()): string {
  if (file === '-' || file === '<stdin>') return file;
  const absolute = path.resolve(cwd, file);
  const top = gitTopLevel(path.dirname(absolute));
  const relative = path.relative(top ?? cwd, absolute);
  return relative.split(path.sep).join('/');
}
