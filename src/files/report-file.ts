/**
 * A report destination (--json, --report), checked before any script is touched and written
 * atomically at the end: a temporary file is created next to it at once (so a missing folder, a
 * read-only folder or a directory in the way is reported before the run), filled at the end,
 * fsynced and renamed over the target. A failed write (a full disk) leaves the old report as it was.
 */
import { openSync, writeSync, fsyncSync, closeSync, renameSync, unlinkSync, statSync, accessSync, constants } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { tempName } from './atomic-write.js';

export class ReportFileError extends Error {}

function reason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'its folder does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ENOSPC') return 'no space left on the device';
  if (code === 'EROFS') return 'read-only file system';
  return (e as Error).message;
}

export class ReportFile {
  private fd: number | undefined;
  private readonly tmp: string;

  /** Opens a temporary file next to `target`; throws ReportFileError (for people) when that is not possible. */
  constructor(readonly target: string, readonly option: string) {
    let st;
    try {
      st = statSync(target);
    } catch {
      st = undefined;
    }
    if (st?.isDirectory()) throw new ReportFileError(`${option} ${target}: is a directory; name a file`);
    // A device, FIFO or socket is never replaced by a report (think of /dev/null).
    if (st && !st.isFile()) throw new ReportFileError(`${option} ${target}: not a regular file; name a file${option === '--json' ? ' (or - for stdout)' : ''}`);
    if (st) {
      try {
        accessSync(target, constants.W_OK);
      } catch {
        throw new ReportFileError(`${option} ${target}: cannot replace it (permission denied); nothing was done`);
      }
    }
    this.tmp = tempName(resolve(target), 'tmp') as string;
    try {
      this.fd = openSync(this.tmp, 'wx', 0o666);
    } catch (e) {
      throw new ReportFileError(`${option} ${target}: cannot write there (${reason(e)}: ${dirname(resolve(target))}); nothing was done`);
    }
  }

  /** Writes the text and replaces the target; throws ReportFileError (the old file kept) on failure. */
  commit(text: string): void {
    const data = Buffer.from(text, 'utf8');
    try {
      let off = 0;
      while (off < data.length) off += writeSync(this.fd!, data, off, data.length - off);
      fsyncSync(this.fd!);
      closeSync(this.fd!);
      this.fd = undefined;
      renameSync(this.tmp, this.target);
    } catch (e) {
      this.discard();
      throw new ReportFileError(`${this.option} ${this.target}: could not write the report (${reason(e)}); the previous file, if any, was left as it was`);
    }
  }

  /** Removes the temporary file (interrupted or failed runs). */
  discard(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        // closed already
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      // gone already
    }
  }
}
