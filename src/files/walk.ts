/**
 * Finds the scripts to migrate under the given paths: *.sh, *.bash, *.slurm, *.sbatch and
 * extension-less files whose shebang names bash or sh. Honours .gitignore files (from the
 * repository root down) and extra ignore patterns; skips hidden folders and node_modules; follows a
 * symlink only when its target stays inside one of the given roots (each real path once, so loops
 * end).
 */
import { lstatSync, readdirSync, openSync, readSync, closeSync, statSync, readFileSync, realpathSync, existsSync } from 'node:fs';
import { join, relative, dirname, resolve, sep } from 'node:path';
import ignoreFactory from 'ignore';

type Ignore = ReturnType<typeof ignoreFactory>;

const EXTENSIONS = /\.(sh|bash|slurm|sbatch)$/i;
const SHEBANG = /^#!\s*\S*\b(env\s+)?(ba|da|k|z)?sh\b/;

export interface WalkOptions {
  /** Extra gitignore-style patterns (relative to each root). */
  ignore?: string[];
  /** Read .gitignore files (default true). */
  gitignore?: boolean;
}

export interface WalkResult {
  files: string[];
  problems: Array<{ path: string; message: string }>;
}

interface IgnoreLayer {
  base: string;
  ig: Ignore;
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

function readGitignore(dir: string): IgnoreLayer | undefined {
  const file = join(dir, '.gitignore');
  if (!existsSync(file)) return undefined;
  try {
    return { base: dir, ig: ignoreFactory().add(readFileSync(file, 'utf8')) };
  } catch {
    return undefined;
  }
}

function isIgnored(layers: IgnoreLayer[], path: string, isDir: boolean): boolean {
  for (const l of layers) {
    const rel = relative(l.base, path);
    if (!rel || rel.startsWith('..')) continue;
    const p = rel.split(sep).join('/') + (isDir ? '/' : '');
    if (l.ig.ignores(p)) return true;
  }
  return false;
}

/** .gitignore layers from the enclosing git repository's root down to `dir` (exclusive of dir). */
function ancestorLayers(dir: string): IgnoreLayer[] {
  const chain: string[] = [];
  let cur = resolve(dir);
  for (;;) {
    const parent = dirname(cur);
    if (existsSync(join(cur, '.git'))) break;
    if (parent === cur) return [];
    chain.unshift(parent);
    cur = parent;
  }
  return chain.map(readGitignore).filter((l): l is IgnoreLayer => !!l);
}

export function walk(paths: string[], options: WalkOptions = {}): WalkResult {
  const files: string[] = [];
  const problems: WalkResult['problems'] = [];
  const useGitignore = options.gitignore !== false;
  const roots: string[] = [];
  for (const p of paths) {
    try {
      roots.push(realpathSync(p));
    } catch {
      // reported below
    }
  }
  const insideRoots = (real: string) => roots.some((r) => real === r || real.startsWith(r + sep));
  const seen = new Set<string>();

  const visitDir = (dir: string, layers: IgnoreLayer[], extra: IgnoreLayer | undefined) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, message: `cannot read directory: ${(e as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (e as Error).message}` });
      return;
    }
    const own = useGitignore ? readGitignore(dir) : undefined;
    const here = own ? [...layers, own] : layers;
    const all = extra ? [...here, extra] : here;
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const ent of entries) {
      const p = join(dir, ent.name);
      let isDir = ent.isDirectory();
      let isFile = ent.isFile();
      if (ent.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(p);
        } catch {
          continue; // dangling link or loop
        }
        if (!insideRoots(target)) continue;
        try {
          const st = statSync(p);
          isDir = st.isDirectory();
          isFile = st.isFile();
        } catch {
          continue;
        }
      }
      if (isDir) {
        if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
        if (isIgnored(all, p, true)) continue;
        visitDir(p, here, extra);
      } else if (isFile) {
        if (isIgnored(all, p, false)) continue;
        if (isScriptName(ent.name) || (!ent.name.includes('.') && hasShellShebang(p))) {
          const realFile = realpathSync(p);
          if (seen.has(realFile)) continue;
          seen.add(realFile);
          files.push(p);
        }
      }
    }
  };

  for (const p of paths) {
    let st;
    try {
      st = lstatSync(p);
      if (st.isSymbolicLink()) st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push({ path: p, message: code === 'ELOOP' ? 'symbolic link loop' : code === 'EACCES' ? 'permission denied' : 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      const extra = options.ignore?.length ? { base: resolve(p), ig: ignoreFactory().add(options.ignore) } : undefined;
      visitDir(p, useGitignore ? ancestorLayers(p) : [], extra);
    } else {
      files.push(p);
    }
  }
  return { files, problems };
}
