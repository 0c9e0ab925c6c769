/**
 * Reads a file only when it is a regular file under a size limit: a FIFO named `.gitignore` would
 * block forever, `/dev/zero` would fill the memory. The check is made on the opened descriptor
 * (opened non-blocking, so a FIFO does not wait for a writer), so nothing can be swapped in between.
 */
import { openSync, fstatSync, readSync, closeSync, constants, type BigIntStats } from 'node:fs';
import type { FsPath } from './fs-path.js';

export class NotReadableError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export interface ReadResult {
  bytes: Buffer;
  /** The descriptor's status after the read (inode, size, times: compared again before a write). */
  stat: BigIntStats;
}

function kindOf(st: BigIntStats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** Why an error from open/read happened, in words. */
export function describeFsError(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied (cannot read)';
    case 'ELOOP': return 'too many levels of symbolic links';
    case 'ENAMETOOLONG': return 'file name too long';
    case 'ENOTDIR': return 'a component of the path is not a directory';
    case 'EISDIR': return 'is a directory';
    default: return err.message;
  }
}

/**
 * The bytes of a regular file of at most `maxBytes` bytes. Throws NotReadableError (message for
 * people, `code` 'ENOTREG' / 'EFBIG' / the errno code) for anything else.
 */
export function readRegularFile(path: FsPath, maxBytes: number, limitHint = ''): ReadResult {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    throw new NotReadableError(describeFsError(e), (e as NodeJS.ErrnoException).code);
  }
  try {
    const before = fstatSync(fd, { bigint: true });
    if (!before.isFile()) throw new NotReadableError(`${kindOf(before)}, not a regular file`, before.isDirectory() ? 'EISDIR' : 'ENOTREG');
    if (before.size > BigInt(maxBytes)) throw new NotReadableError(`file is ${before.size} bytes, over the ${maxBytes}-byte limit${limitHint}`, 'EFBIG');
    // Read at most one byte more than the limit: a file that grows while it is read is caught too.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(Number(before.size) + 1 - total, 1), 1 << 20, maxBytes + 1 - total));
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw new NotReadableError(describeFsError(e), (e as NodeJS.ErrnoException).code);
      }
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw new NotReadableError(`file grew over the ${maxBytes}-byte limit while it was read${limitHint}`, 'EFBIG');
    }
    return { bytes: Buffer.concat(chunks, total), stat: fstatSync(fd, { bigint: true }) };
  } finally {
    closeSync(fd);
  }
}
