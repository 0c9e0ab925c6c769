/**
 * Finds the scripts to migrate under the given paths: *.sh, *.bash, *.slurm, *.sbatch and
 * extension-less files whose shebang names bash or sh. Honours .gitignore files (from the
 * repository root down) and extra ignore patterns; skips hidden folders and node_modules; follows a
 * symlink only when its target stays inside one of the given roots and is not itself ignored there
 * (each real path once, so loops end).
 *
 * Directories are read as bytes, so names that are not UTF-8 survive (see fs-path.ts). Nothing
 * about one path stops the walk: a path that cannot be read is a problem (an error for that path),
 * a candidate that is not followed (a symbolic link out of the roots or dangling, a FIFO, a
 * device) is listed as skipped, with the reason.
 */
import { lstatSync, readdirSync, openSync, readSync, closeSync, statSync, constants, type Dirent } from 'node:fs';
import { relative, resolve, sep } from 'node:path';
import ignoreFactory from 'ignore';
import { type FsPath, dirName, displayPath, isInside, joinPath, pathKey, realPath, toBytes } from './fs-path.js';
import { readRegularFile, NotReadableError } from './read-regular.js';

type Ignore = ReturnType<typeof ignoreFactory>;

const EXTENSIONS = /\.(sh|bash|slurm|sbatch)$/i;
const SHEBANG = /^#!\s*\S*\b(env\s+)?(ba|da|k|z)?sh\b/;
/** A .gitignore larger than this is not read (it would be no ordinary ignore file). */
export const MAX_GITIGNORE_BYTES = 1024 * 1024;

export interface WalkOptions {
  /** Extra gitignore-style patterns (relative to each root). */
  ignore?: string[];
  /** Read .gitignore files (default true). */
  gitignore?: boolean;
}

export interface WalkProblem {
  path: FsPath;
  message: string;
}

export interface WalkResult {
  files: FsPath[];
  /** Paths that could not be read: errors. */
  problems: WalkProblem[];
  /** Candidates that were not followed, and why (not errors). */
  skipped: WalkProblem[];
}

interface IgnoreLayer {
  base: string;
  ig: Ignore;
}

function hasShellShebang(path: FsPath): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
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

/** A name that could be a script: a script extension, or no extension at all. */
function candidateName(name: string): boolean {
  return isScriptName(name) || !name.includes('.');
}

class GitignoreError extends Error {}

const GITIGNORE = Buffer.from('.gitignore');

function readGitignore(dir: FsPath): IgnoreLayer | undefined {
  const file = joinPath(dir, '.gitignore');
  let text: string;
  try {
    text = readRegularFile(file, MAX_GITIGNORE_BYTES).bytes.toString('utf8');
  } catch (e) {
    if (e instanceof NotReadableError && e.code === 'ENOENT') return undefined;
    const why = e instanceof NotReadableError ? e.message : (e as Error).message;
    throw new GitignoreError(`${displayPath(file)}: cannot be read as an ignore file (${why}); the folder was skipped so that nothing it ignores is changed`);
  }
  return { base: textPath(dir), ig: ignoreFactory().add(text) };
}

/** A path as text for the ignore matcher (which works on strings). */
function textPath(path: FsPath): string {
  return typeof path === 'string' ? path : toBytes(path).toString('utf8');
}

function isIgnored(layers: IgnoreLayer[], path: FsPath, isDir: boolean): boolean {
  const text = textPath(path);
  for (const l of layers) {
    const rel = relative(l.base, text);
    if (!rel || rel.startsWith('..')) continue;
    const p = rel.split(sep).join('/') + (isDir ? '/' : '');
    if (l.ig.ignores(p)) return true;
  }
  return false;
}

function exists(path: FsPath): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** .gitignore layers from the enclosing git repository's root down to `dir` (exclusive of dir). */
function ancestorLayers(dir: string): IgnoreLayer[] {
  const chain: string[] = [];
  let cur = resolve(dir);
  for (;;) {
    const parent = resolve(cur, '..');
    if (exists(joinPath(cur, '.git'))) break;
    if (parent === cur) return [];
    chain.unshift(parent);
    cur = parent;
  }
  const layers: IgnoreLayer[] = [];
  for (const d of chain) {
    try {
      const l = readGitignore(d);
      if (l) layers.push(l);
    } catch {
      // an unreadable ignore file above the given folder: not ours to judge, read as absent
    }
  }
  return layers;
}

function errnoText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'ENOENT' ? 'no such file or directory' : code === 'ELOOP' ? 'symbolic link loop' : (e as Error).message;
}

function nonRegularKind(st: { isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string | undefined {
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return undefined;
}

export function walk(paths: string[], options: WalkOptions = {}): WalkResult {
  const files: FsPath[] = [];
  const problems: WalkProblem[] = [];
  const skipped: WalkProblem[] = [];
  const useGitignore = options.gitignore !== false;
  const roots: Array<{ real: FsPath; extra?: IgnoreLayer }> = [];
  for (const p of paths) {
    try {
      const real = realPath(p);
      roots.push({ real, extra: options.ignore?.length ? { base: textPath(real), ig: ignoreFactory().add(options.ignore) } : undefined });
    } catch {
      // reported below
    }
  }
  const rootOf = (real: FsPath) => {
    let best: (typeof roots)[number] | undefined;
    for (const r of roots) if (isInside(real, r.real) && (!best || pathKey(r.real).length > pathKey(best.real).length)) best = r;
    return best;
  };
  const seen = new Set<string>();

  // The ignore rules that apply at a real directory (for symbolic link targets): the layers from
  // the repository root down to it, computed once per directory.
  const layersAt = new Map<string, IgnoreLayer[]>();
  const layersOfRealDir = (dir: FsPath, root: FsPath): IgnoreLayer[] => {
    const key = pathKey(dir);
    const cached = layersAt.get(key);
    if (cached) return cached;
    let layers: IgnoreLayer[];
    if (pathKey(dir) === pathKey(root)) layers = useGitignore ? ancestorLayers(textPath(root)) : [];
    else layers = layersOfRealDir(dirName(dir), root);
    if (useGitignore) {
      try {
        const own = readGitignore(dir);
        if (own) layers = [...layers, own];
      } catch {
        // the folder itself reports this when it is walked
      }
    }
    layersAt.set(key, layers);
    return layers;
  };
  /** Why the real target of a symbolic link is ignored (a hidden folder, node_modules, a rule), if it is. */
  const targetIgnored = (real: FsPath, isDir: boolean): string | undefined => {
    const root = rootOf(real);
    if (!root) return undefined;
    const rel = splitBytes(toBytes(real).subarray(toBytes(root.real).length));
    const folders = (isDir ? rel : rel.slice(0, -1)).map((b) => b.toString('utf8'));
    for (const name of folders) {
      if (name.startsWith('.')) return `its target is inside the hidden folder ${name}`;
      if (name === 'node_modules') return 'its target is inside node_modules';
    }
    let cur: FsPath = root.real;
    const extra = root.extra ? [root.extra] : [];
    for (let i = 0; i < rel.length; i++) {
      const next = joinPath(cur, rel[i]);
      const dirHere = i < rel.length - 1 || isDir;
      if (isIgnored([...layersOfRealDir(cur, root.real), ...extra], next, dirHere)) return 'its target is ignored (.gitignore or --ignore)';
      cur = next;
    }
    return undefined;
  };

  /** `knownReal`: the folder's real path, where its parent's real path and its name give it (not a link). */
  const visitDir = (dir: FsPath, layers: IgnoreLayer[], extra: IgnoreLayer | undefined, knownReal?: FsPath) => {
    let real: FsPath;
    try {
      real = knownReal ?? realPath(dir);
    } catch (e) {
      problems.push({ path: dir, message: `cannot read directory: ${errnoText(e)}` });
      return;
    }
    if (seen.has(pathKey(real))) return;
    seen.add(pathKey(real));
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (e) {
      problems.push({ path: dir, message: `cannot read directory: ${errnoText(e)}` });
      return;
    }
    if (entries.length) {
      // Read permission without search (x) permission lists the names but opens none of them.
      try {
        lstatSync(joinPath(dir, entries[0].name));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'EACCES' || code === 'EPERM') {
          problems.push({ path: dir, message: 'cannot search directory: permission denied (it can be listed but its entries cannot be opened: it lacks the x permission); its scripts were not processed' });
          return;
        }
      }
    }
    let own: IgnoreLayer | undefined;
    try {
      // Opened only when listed: trying it in every folder was a third of a walk's time.
      own = useGitignore && entries.some((ent) => ent.name.equals(GITIGNORE)) ? readGitignore(dir) : undefined;
    } catch (e) {
      problems.push({ path: dir, message: (e as Error).message });
      return;
    }
    const here = own ? [...layers, own] : layers;
    const all = extra ? [...here, extra] : here;
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    for (const ent of entries) {
      const p = joinPath(dir, ent.name);
      try {
        visitEntry(ent, p, here, all, extra, real);
      } catch (e) {
        problems.push({ path: p, message: `cannot read: ${errnoText(e)}` });
      }
    }
  };

  const visitEntry = (ent: Dirent<Buffer>, p: FsPath, here: IgnoreLayer[], all: IgnoreLayer[], extra: IgnoreLayer | undefined, parentReal: FsPath) => {
    const name = ent.name.toString('utf8');
    let isDir = ent.isDirectory();
    let isFile = ent.isFile();
    let other = nonRegularKind(ent);
    if (!isDir && !isFile && !other && !ent.isSymbolicLink()) {
      // The file system did not say the type (DT_UNKNOWN): ask.
      const st = lstatSync(p);
      isDir = st.isDirectory();
      isFile = st.isFile();
      other = nonRegularKind(st);
      if (st.isSymbolicLink()) return visitLink(p, name, here, all, extra);
    }
    if (ent.isSymbolicLink()) return visitLink(p, name, here, all, extra);
    // Not a link: its real path is its folder's and its name (no realpath call per entry).
    visitKind(p, name, isDir, isFile, other, here, all, extra, joinPath(parentReal, ent.name));
  };

  const visitLink = (p: FsPath, name: string, here: IgnoreLayer[], all: IgnoreLayer[], extra: IgnoreLayer | undefined) => {
    if (isIgnored(all, p, false) || isIgnored(all, p, true)) return;
    let target: FsPath;
    try {
      target = realPath(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        if (candidateName(name)) skipped.push({ path: p, message: 'dangling symbolic link (its target does not exist)' });
      } else if (code === 'ELOOP') {
        if (candidateName(name)) skipped.push({ path: p, message: 'symbolic link loop' });
      } else {
        problems.push({ path: p, message: `cannot follow symbolic link: ${errnoText(e)}` });
      }
      return;
    }
    const st = statSync(p);
    const isDir = st.isDirectory();
    const isFile = st.isFile();
    const relevant = isDir ? !name.startsWith('.') && name !== 'node_modules' : candidateName(name);
    if (!rootOf(target)) {
      if (relevant) skipped.push({ path: p, message: `symbolic link to ${displayPath(target)}, outside the given folders (not followed)` });
      return;
    }
    const ignored = targetIgnored(target, isDir);
    if (ignored) {
      if (relevant) skipped.push({ path: p, message: `symbolic link not followed: ${ignored}` });
      return;
    }
    visitKind(p, name, isDir, isFile, nonRegularKind(st), here, all, extra);
  };

  /** `knownReal`: the entry's real path when it is not reached through a link. */
  const visitKind = (p: FsPath, name: string, isDir: boolean, isFile: boolean, other: string | undefined, here: IgnoreLayer[], all: IgnoreLayer[], extra: IgnoreLayer | undefined, knownReal?: FsPath) => {
    if (isDir) {
      if (name.startsWith('.') || name === 'node_modules') return;
      if (isIgnored(all, p, true)) return;
      visitDir(p, here, extra, knownReal);
    } else if (isFile) {
      if (isIgnored(all, p, false)) return;
      if (isScriptName(name) || (!name.includes('.') && hasShellShebang(p))) {
        const realFile = knownReal ?? realPath(p);
        if (seen.has(pathKey(realFile))) return;
        seen.add(pathKey(realFile));
        files.push(p);
      }
    } else if (other) {
      if (isIgnored(all, p, false)) return;
      if (candidateName(name)) skipped.push({ path: p, message: `${other}, not a regular file (not read)` });
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
  return { files, problems, skipped };
}

/** The non-empty `/`-separated parts of a byte path. */
function splitBytes(bytes: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === 0x2f) {
      if (i > start) parts.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return parts;
}
