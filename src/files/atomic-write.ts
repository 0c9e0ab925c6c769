/**
 * Replaces a file's bytes without losing a byte or a property of it.
 *
 * Normally: a temporary file in the same directory, fsync, owner, mode and extended attributes
 * (POSIX ACLs included) copied, then rename over the original, so the file is always either the
 * old or the complete new version. Where a rename would lose something, the file is written in
 * place instead (same inode: owner, mode, ACLs, extended attributes and every hard link are kept),
 * with the old bytes saved next to it until the new ones are verified:
 *  - a hard-linked file (all its names see the change),
 *  - a file whose extended attributes could not be copied to the temporary file,
 *  - with --force, a file owned by someone else (a rename would make it the writer's).
 * Refused unless --force: a write-protected file (no write permission for this user, or no write
 * bit at all), and a file whose owner or group a rename could not restore.
 * Just before the new bytes replace the old ones, the file is read again: if it changed since it
 * was read (size, times, inode or content), it is left alone with an error.
 */
import { readFileSync, openSync, writeSync, fsyncSync, closeSync, renameSync, statSync, chmodSync, chownSync, unlinkSync, readdirSync, accessSync, readSync, ftruncateSync, fstatSync, constants, type BigIntStats } from 'node:fs';
import { sha256 } from './lazy-builtin.js';
import { spawnSync } from 'node:child_process';
import { type FsPath, baseName, dirName, displayPath, joinPath, realPath, toBytes, pathKey } from './fs-path.js';
import { readRegularFile } from './read-regular.js';

let counter = 0;
const swept = new Set<string>();
const TEMP = /^\..+\.bridge-migrate-(\d+)-\d+\.tmp$/;

/** What was read: compared with the file again just before it is replaced. */
export interface Original {
  bytes: Buffer;
  stat: BigIntStats;
}

export interface ReplaceOptions {
  /** Replace write-protected files and files whose owner cannot be restored. */
  force?: boolean;
}

/** The write was refused before anything was written; the message says why and what to do. */
export class WriteRefused extends Error {}
/** The file changed on disk after it was read; nothing was written. */
export class ChangedOnDisk extends Error {}

/** For tests: called right before the final check that the file is unchanged. */
export const testHooks: { beforeReplace?: (path: FsPath) => void } = {};

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function namesIn(dir: FsPath): Buffer[] {
  try {
    return readdirSync(dir, { encoding: 'buffer' });
  } catch {
    return [];
  }
}

/**
 * Removes temporary files that an earlier run left when it was killed mid-write (SIGKILL cannot
 * be caught): `.<hash>.bridge-migrate-<pid>-<n>.tmp` whose process is gone. Once per directory.
 */
function sweepStaleTemps(dir: FsPath): void {
  if (swept.has(pathKey(dir))) return;
  swept.add(pathKey(dir));
  for (const raw of namesIn(dir)) {
    const m = TEMP.exec(raw.toString('latin1'));
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      try {
        unlinkSync(joinPath(dir, raw));
      } catch {
        // someone else's file or already gone
      }
    }
  }
}

/** Removes this process's temporary files in `dir` (after its workers were stopped by a signal). */
export function removeOwnTemps(dir: FsPath): number {
  let removed = 0;
  for (const raw of namesIn(dir)) {
    const m = TEMP.exec(raw.toString('latin1'));
    if (m && Number(m[1]) === process.pid) {
      try {
        unlinkSync(joinPath(dir, raw));
        removed++;
      } catch {
        // already gone
      }
    }
  }
  return removed;
}

function nameHash(path: FsPath): string {
  return sha256().update(toBytes(baseName(path))).digest('hex').slice(0, 16);
}

/**
 * A name next to `path` for a temporary file: derived from a hash of the file name, so that it
 * stays short (a name near the 255-byte limit cannot take a prefix and a suffix) and plain ASCII.
 */
export function tempName(path: FsPath, suffix: 'tmp' | 'orig', n = counter++): FsPath {
  return joinPath(dirName(path), `.${nameHash(path)}.bridge-migrate-${process.pid}-${n}.${suffix}`);
}

/**
 * After this process's worker was terminated while it wrote `linkOrPath`: removes its temporary
 * files, and when it was writing the file in place, puts the saved original bytes back (the saved
 * copy is complete: it gets its `.orig` name only once written), so the file is the old version.
 */
export function cleanUpAfterKill(linkOrPath: FsPath): void {
  let path: FsPath;
  try {
    path = realPath(linkOrPath);
  } catch {
    return;
  }
  const dir = dirName(path);
  const own = new RegExp(`^\\.${nameHash(path)}\\.bridge-migrate-${process.pid}-\\d+\\.(tmp|orig)$`);
  for (const raw of namesIn(dir)) {
    const m = own.exec(raw.toString('latin1'));
    if (!m) continue;
    const leftover = joinPath(dir, raw);
    try {
      if (m[1] === 'orig') {
        const saved = readFileSync(leftover);
        withOpen(path, constants.O_RDWR | constants.O_NONBLOCK, (fd) => {
          writeAll(fd, saved, 0);
          ftruncateSync(fd, saved.length);
          fsyncSync(fd);
        });
      }
      unlinkSync(leftover);
    } catch {
      // leave it: its name says what it is
    }
  }
}

function sameFile(now: BigIntStats, then: BigIntStats): boolean {
  return now.ino === then.ino && now.dev === then.dev && now.size === then.size && now.mtimeNs === then.mtimeNs && now.ctimeNs === then.ctimeNs;
}

function changedMessage(): string {
  return 'the file changed on disk while bridge-migrate was working on it; it was left as it is now (with that change). Run bridge-migrate again on it';
}

/** Throws ChangedOnDisk unless the file at `path` is still what was read. */
function assertUnchanged(path: FsPath, original: Original): void {
  let again;
  try {
    again = readRegularFile(path, original.bytes.length + 1);
  } catch {
    throw new ChangedOnDisk(changedMessage());
  }
  if (!sameFile(again.stat, original.stat) || !again.bytes.equals(original.bytes)) throw new ChangedOnDisk(changedMessage());
}

function writeAll(fd: number, data: Uint8Array, position: number | null): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off, position === null ? null : position + off);
}

function readAll(fd: number, size: number): Buffer {
  const buf = Buffer.alloc(size + 1);
  let off = 0;
  for (;;) {
    const n = readSync(fd, buf, off, buf.length - off, off);
    if (n === 0) break;
    off += n;
    if (off === buf.length) break;
  }
  return buf.subarray(0, off);
}

/** Why this user should not write the file (root may write anything, so the write bits count too). */
function writeProblem(path: FsPath, st: BigIntStats): string | undefined {
  if ((Number(st.mode) & 0o222) === 0) return 'the file is write-protected (it has no write permission bit); nothing was changed. Make it writable (chmod u+w), or pass --force to replace it anyway';
  try {
    accessSync(path, constants.W_OK);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EACCES') return 'permission denied (you may not write the file); nothing was changed. Ask its owner, or pass --force to replace it anyway where you may write its folder (it then becomes yours)';
    // EPERM: immutable or similar; --force cannot help.
    return 'permission denied (cannot write the file or its directory); nothing was changed';
  }
}

/** Why a rename could not restore the owner or group, or undefined when it can. */
function ownerProblem(st: BigIntStats): string | undefined {
  const euid = process.geteuid?.();
  if (euid === undefined || euid === 0) return undefined;
  if (Number(st.uid) !== euid) return `it is owned by user ${st.uid} (you are ${euid}): replacing it would make it yours`;
  const gid = Number(st.gid);
  if (gid !== process.getegid?.() && !(process.getgroups?.() ?? []).includes(gid)) return `its group is ${gid}, which you are not a member of: replacing it would change its group`;
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Extended attributes (POSIX ACLs are the system.posix_acl_* attributes): getfattr / setfattr
// from the `attr` package; Node has no xattr API. Files are named through /proc/<pid>/fd/<n>, so
// any file name works.
// ---------------------------------------------------------------------------------------------

let xattrTools: boolean | undefined;

/** True when getfattr and setfattr can be run. */
export function xattrToolsAvailable(): boolean {
  if (xattrTools === undefined) {
    xattrTools = ['getfattr', 'setfattr'].every((tool) => {
      const r = spawnSync(tool, ['--version'], { stdio: 'ignore' });
      return !r.error;
    });
  }
  return xattrTools;
}

function fdPath(fd: number): string {
  return `/proc/${process.pid}/fd/${fd}`;
}

/** All extended attributes of the open file, as a getfattr dump without its `# file:` line ('' when none). */
function dumpXattrs(fd: number): string | undefined {
  const r = spawnSync('getfattr', ['--absolute-names', '-d', '-m', '-', '-e', 'hex', fdPath(fd)], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('# file:'))
    .sort()
    .join('\n');
}

const defaultAcl = new Map<string, boolean>();

/** Does the folder give new files a default ACL? (Asked once per folder; unknown counts as yes.) */
function hasDefaultAcl(dir: FsPath): boolean {
  const key = pathKey(dir);
  let known = defaultAcl.get(key);
  if (known === undefined) {
    let dump: string | undefined;
    try {
      dump = withOpen(dir, constants.O_RDONLY | constants.O_DIRECTORY, dumpXattrs);
    } catch {
      dump = undefined;
    }
    known = dump === undefined || dump.includes('system.posix_acl_default');
    defaultAcl.set(key, known);
  }
  return known;
}

function restoreXattrs(fd: number, dump: string): boolean {
  const r = spawnSync('setfattr', [`--restore=-`], { input: `# file: ${fdPath(fd)}\n${dump}\n\n`, stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 });
  return !r.error && r.status === 0;
}

function withOpen<T>(path: FsPath, flags: number, work: (fd: number) => T): T {
  const fd = openSync(path, flags);
  try {
    return work(fd);
  } finally {
    closeSync(fd);
  }
}

// ---------------------------------------------------------------------------------------------

export type WriteMethod = 'renamed' | 'in place';

/**
 * Replaces the bytes of the file at `linkOrPath` (a symbolic link is written through) with `data`.
 * `original` is what was read; throws ChangedOnDisk when the file is no longer that, WriteRefused
 * for the refusals above, and the fs error when a write fails (the file is then as it was).
 */
export function replaceFile(linkOrPath: FsPath, data: Uint8Array, original: Original, options: ReplaceOptions = {}): WriteMethod {
  // Write where the bytes live: renaming over a symbolic link would replace the link with a
  // regular file and leave its target unmigrated.
  const path = realPath(linkOrPath);
  const st = statSync(path, { bigint: true });
  if (!sameFile(st, original.stat)) throw new ChangedOnDisk(changedMessage());
  const problem = writeProblem(path, st);
  const canWrite = problem === undefined;
  if (problem && !options.force) throw new WriteRefused(problem);
  if (st.nlink > 1n) {
    // A rename would give this name a new file and leave the other names on the old one.
    return writeInPlace(path, data, original);
  }
  const owner = ownerProblem(st);
  if (owner) {
    if (!options.force) throw new WriteRefused(`${owner}; nothing was changed. Run bridge-migrate as its owner, or pass --force (writes it in place when you may, keeping its owner)`);
    if (canWrite) return writeInPlace(path, data, original);
  }
  let xattrs: string | undefined;
  if (xattrToolsAvailable()) {
    xattrs = withOpen(path, constants.O_RDONLY | constants.O_NONBLOCK, dumpXattrs);
    // Attributes that cannot be listed cannot be copied: keep the inode.
    if (xattrs === undefined) return writeInPlace(path, data, original);
  }
  return writeRenaming(path, data, original, st, xattrs, canWrite);
}

function writeRenaming(path: FsPath, data: Uint8Array, original: Original, st: BigIntStats, xattrs: string | undefined, canWrite: boolean): WriteMethod {
  sweepStaleTemps(dirName(path));
  const tmp = tempName(path, 'tmp');
  const mode = Number(st.mode) & 0o7777;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode & 0o777);
    writeAll(fd, data, null);
    try {
      chownSync(tmp, Number(st.uid), Number(st.gid));
    } catch {
      // not permitted for non-root users (checked before: the owner is the writer's already)
    }
    // After chown, which clears the set-user-ID and set-group-ID bits.
    chmodSync(tmp, mode);
    if (xattrs !== undefined) {
      // The temporary file must end with exactly the original's attributes (it may also have
      // inherited a default ACL of the folder that the original lacks). A file without
      // attributes in a folder without a default ACL needs no second look.
      const copied = xattrs === '' && !hasDefaultAcl(dirName(path)) ? true : (xattrs === '' || restoreXattrs(fd, xattrs)) && dumpXattrs(fd) === xattrs;
      if (!copied) {
        closeSync(fd);
        fd = undefined;
        unlinkSync(tmp);
        // Attributes this user may not set (security.*, trusted.*): write in place instead.
        if (!canWrite) throw new WriteRefused('the file has extended attributes or ACLs that cannot be copied, and it is write-protected; nothing was changed');
        return writeInPlace(path, data, original);
      }
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    testHooks.beforeReplace?.(path);
    assertUnchanged(path, original);
    renameSync(tmp, path);
    return 'renamed';
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/**
 * Writes the new bytes into the file itself (same inode). The old bytes are first saved next to it
 * (`.<hash>.bridge-migrate-<pid>-<n>.orig`, fsynced); the new bytes are read back and compared; on
 * any failure the old bytes are put back. The saved copy is removed once the file holds either
 * version completely; it stays (and the error names it) only when even that failed.
 */
function writeInPlace(path: FsPath, data: Uint8Array, original: Original): WriteMethod {
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  let backup: FsPath | undefined;
  try {
    testHooks.beforeReplace?.(path);
    const now = fstatSync(fd, { bigint: true });
    if (!now.isFile() || !sameFile(now, original.stat) || !readAll(fd, original.bytes.length).equals(original.bytes)) throw new ChangedOnDisk(changedMessage());
    // The saved copy is written under a .tmp name and renamed: an .orig file is always complete.
    const n = counter++;
    const partial = tempName(path, 'tmp', n);
    const bfd = openSync(partial, 'wx', 0o600);
    try {
      writeAll(bfd, original.bytes, null);
      fsyncSync(bfd);
    } finally {
      closeSync(bfd);
    }
    backup = tempName(path, 'orig', n);
    renameSync(partial, backup);
    try {
      writeAll(fd, data, 0);
      ftruncateSync(fd, data.length);
      fsyncSync(fd);
      if (!readAll(fd, data.length).equals(toBytes(data))) throw new Error('the file does not read back as written');
    } catch (e) {
      let restored = false;
      try {
        writeAll(fd, original.bytes, 0);
        ftruncateSync(fd, original.bytes.length);
        fsyncSync(fd);
        restored = readAll(fd, original.bytes.length).equals(original.bytes);
      } catch {
        restored = false;
      }
      if (!restored) {
        const kept = backup;
        backup = undefined;
        throw new Error(`${(e as Error).message}; the file could not be restored either: its original bytes are saved in ${displayPath(kept)}`);
      }
      throw e;
    }
    return 'in place';
  } finally {
    closeSync(fd);
    if (backup !== undefined) {
      try {
        unlinkSync(backup);
      } catch {
        // already gone
      }
    }
  }
}
