/**
 * Writes a file so that it is always either the old or the complete new version: a temporary file
 * in the same directory, fsync, then rename over the original. Mode bits (and owner, where
 * permitted) are kept.
 */
import { openSync, writeSync, fsyncSync, closeSync, renameSync, statSync, chmodSync, chownSync, unlinkSync, realpathSync, readdirSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

let counter = 0;
const swept = new Set<string>();
const TEMP = /^\..+\.bridge-migrate-(\d+)-\d+\.tmp$/;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files that an earlier run left when it was killed mid-write (SIGKILL cannot
 * be caught): `.<name>.bridge-migrate-<pid>-<n>.tmp` whose process is gone. Once per directory.
 */
function sweepStaleTemps(dir: string): void {
  if (swept.has(dir)) return;
  swept.add(dir);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    const m = TEMP.exec(n);
    if (m && Number(m[1]) !== process.pid && !alive(Number(m[1]))) {
      try {
        unlinkSync(join(dir, n));
      } catch {
        // someone else's file or already gone
      }
    }
  }
}

export function atomicWrite(linkOrPath: string, data: Uint8Array): void {
  // Write where the bytes live: renaming over a symbolic link would replace the link with a
  // regular file and leave its target unmigrated.
  const path = realpathSync(linkOrPath);
  const st = statSync(path);
  sweepStaleTemps(dirname(path));
  const tmp = join(dirname(path), `.${basename(path)}.bridge-migrate-${process.pid}-${counter++}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', st.mode & 0o7777);
    let off = 0;
    while (off < data.length) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // not permitted for non-root users: the file keeps the writer's owner
    }
    // After chown, which clears the set-user-ID and set-group-ID bits.
    chmodSync(tmp, st.mode & 0o7777);
    renameSync(tmp, path);
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
