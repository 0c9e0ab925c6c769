/**
 * File system paths that keep every byte: a name that is valid UTF-8 stays a string, any other
 * name is a Buffer (Node's fs accepts both), so a file called `caf\xe9.sh` (latin-1) is read and
 * written under its real name. Display forms escape what a string or a terminal cannot show.
 */
import { isUtf8 } from 'node:buffer';
import { realpathSync } from 'node:fs';

export type FsPath = string | Buffer;

const SLASH = 0x2f;

export function toBytes(path: FsPath | Uint8Array): Buffer {
  if (typeof path === 'string') return Buffer.from(path, 'utf8');
  return Buffer.isBuffer(path) ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength);
}

/** The string when the bytes are UTF-8, else the bytes (as a Buffer). */
export function fromBytes(bytes: Uint8Array): FsPath {
  const buf = toBytes(bytes);
  return isUtf8(buf) ? buf.toString('utf8') : buf;
}

/** A key that tells any two different byte sequences apart (for Sets and Maps). */
export function pathKey(path: FsPath): string {
  return typeof path === 'string' ? path : path.toString('latin1');
}

export function joinPath(dir: FsPath, name: FsPath): FsPath {
  // `.` joins to the bare name, as path.join does (paths are shown as the walk makes them), and
  // like any joined name a string when it is UTF-8 (readdir gives Buffers).
  const bare = () => (typeof name === 'string' ? name : fromBytes(name));
  if (typeof dir === 'string' && (dir === '.' || dir === './')) return bare();
  if (typeof dir === 'string' && typeof name === 'string') return dir.endsWith('/') ? dir + name : `${dir}/${name}`;
  const d = toBytes(dir);
  if (d.length === 1 && d[0] === 0x2e) return bare();
  const sep = d.length && d[d.length - 1] === SLASH ? Buffer.alloc(0) : Buffer.from('/');
  return fromBytes(Buffer.concat([d, sep, toBytes(name)]));
}

export function baseName(path: FsPath): FsPath {
  const b = toBytes(path);
  let end = b.length;
  while (end > 1 && b[end - 1] === SLASH) end--;
  const slash = b.lastIndexOf(SLASH, end - 1);
  return fromBytes(b.subarray(slash + 1, end));
}

export function dirName(path: FsPath): FsPath {
  const b = toBytes(path);
  let end = b.length;
  while (end > 1 && b[end - 1] === SLASH) end--;
  const slash = b.lastIndexOf(SLASH, end - 1);
  if (slash === -1) return '.';
  if (slash === 0) return '/';
  return fromBytes(b.subarray(0, slash));
}

/** The real path (the native realpath: the JavaScript one turns a Buffer into a lossy string). */
export function realPath(path: FsPath): FsPath {
  return fromBytes(realpathSync.native(path, { encoding: 'buffer' }));
}

/** True when `path` is `root` or inside it (byte-wise, on real paths). */
export function isInside(path: FsPath, root: FsPath): boolean {
  const p = pathKey(path);
  const r = pathKey(root);
  return p === r || p.startsWith(r.endsWith('/') ? r : `${r}/`);
}

/**
 * The path as text for people and reports: UTF-8 as it is, each byte that is not UTF-8 as `\xNN`
 * (a backslash in such a name as `\\`, so that the form stays unambiguous).
 */
export function displayPath(path: FsPath | Uint8Array): string {
  if (typeof path === 'string') return path;
  const b = toBytes(path);
  if (isUtf8(b)) return b.toString('utf8');
  let out = '';
  let i = 0;
  while (i < b.length) {
    const len = utf8SequenceLength(b, i);
    if (len === 0) {
      out += `\\x${b[i].toString(16).padStart(2, '0')}`;
      i++;
    } else {
      const text = b.subarray(i, i + len).toString('utf8');
      out += text === '\\' ? '\\\\' : text;
      i += len;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there starts none. */
export function utf8SequenceLength(b: Uint8Array, i: number): number {
  const c = b[i];
  if (c < 0x80) return 1;
  const len = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (len === 0 || i + len > b.length) return 0;
  return isUtf8(b.subarray(i, i + len)) ? len : 0;
}
