/**
 * Finds the scripts to migrate under the given paths: *.sh, *.bash, *.slurm, *.sbatch and
 * extension-less files whose shebang names bash or sh. Hidden folders and node_modules are skipped;
 * symlinks are not followed.
 */
import { lstatSync, readdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';

const EXTENSIONS = /\.(sh|bash|slurm|sbatch)$/i;
const SHEBANG = /^#!\s*\S*\b(env\s+)?(ba|da|k|z)?sh\b/;

export interface WalkResult {
  files: string[];
  problems: Array<{ path: string; message: string }>;
}

function hasShellShebang(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buf = Buffer.alloc(128);
    const n = readSync(fd, buf, 0, 128, 0);
    return SHEBANG.test(buf.subarray(0, n).toString('utf8'));
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export function isScriptName(name: string): boolean {
  return EXTENSIONS.test(name);
}

export function walk(paths: string[]): WalkResult {
  const files: string[] = [];
  const problems: WalkResult['problems'] = [];
  const visitDir = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, message: `cannot read directory: ${(e as Error).message}` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = join(dir, ent.name);
      if (ent.isSymbolicLink()) continue;
      if (ent.isDirectory()) {
        if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
        visitDir(p);
      } else if (ent.isFile()) {
        if (isScriptName(ent.name) || (!ent.name.includes('.') && hasShellShebang(p))) files.push(p);
      }
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = lstatSync(p);
      if (st.isSymbolicLink()) st = statSync(p);
    } catch (e) {
      problems.push({ path: p, message: `no such file or directory` });
      continue;
    }
    if (st.isDirectory()) visitDir(p);
    else files.push(p);
  }
  return { files, problems };
}
