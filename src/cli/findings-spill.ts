/**
 * The stderr findings of a large run, kept out of memory until they are printed: each file's lines
 * go into a temporary file as its outcome arrives, and only the offset and length stay here. The
 * lines are printed at the end in path order, as before, so the output is the same; memory no
 * longer grows with the findings of every file (about 5 KB a file on real scripts).
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SpilledText {
  offset: number;
  length: number;
}

export class FindingsSpill {
  private dir: string | undefined;
  private fd: number | undefined;
  private size = 0;

  /** Stores the text; returns where it went. */
  add(text: string): SpilledText {
    if (text === '') return { offset: 0, length: 0 };
    if (this.fd === undefined) {
      this.dir = mkdtempSync(path.join(tmpdir(), 'bridge-migrate-findings-'));
      this.fd = openSync(path.join(this.dir, 'findings'), 'w+', 0o600);
      // Gone from the file system at once (the descriptor keeps it): nothing is left behind even
      // when the process is killed with SIGKILL.
      rmSync(this.dir, { recursive: true, force: true });
      this.dir = undefined;
    }
    const bytes = Buffer.from(text, 'utf8');
    writeSync(this.fd, bytes, 0, bytes.length, this.size);
    const at = { offset: this.size, length: bytes.length };
    this.size += bytes.length;
    return at;
  }

  /** The text stored at `at`. */
  read(at: SpilledText): string {
    if (at.length === 0 || this.fd === undefined) return '';
    const bytes = Buffer.alloc(at.length);
    let done = 0;
    while (done < at.length) {
      const read = readSync(this.fd, bytes, done, at.length - done, at.offset + done);
      if (read === 0) break; // the file is shorter than what was written: print what is there
      done += read;
    }
    return bytes.subarray(0, done).toString('utf8');
  }

  /** Removes the temporary file. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.fd = undefined;
    this.dir = undefined;
  }
}
