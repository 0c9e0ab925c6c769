// Read-only access to the bare mirrors the `fetch` tool brings to /work/.mirror/<owner>+<name>/repo.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export function mirrorDir(mirrorRoot, repo) {
  return path.join(mirrorRoot, repo.replace('/', '+'), 'repo');
}

export function mirrorExists(gitDir) {
  return existsSync(path.join(gitDir, 'HEAD')) || existsSync(path.join(gitDir, 'objects'));
}

export function git(gitDir, args, options = {}) {
  return execFileSync('git', ['--git-dir', gitDir, ...args], {
    encoding: 'utf8', maxBuffer: 1 << 30, ...options,
  });
}

export function hasCommit(gitDir, commit) {
  try {
    git(gitDir, ['cat-file', '-e', `${commit}^{commit}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Every file at `commit`: [{ path, blob }]. */
export function filesAtCommit(gitDir, commit) {
  const out = git(gitDir, ['ls-tree', '-r', '-z', '--full-tree', commit]);
  return out.split('\0').filter(Boolean).flatMap((line) => {
    const tab = line.indexOf('\t');
    const [mode, type, blob] = line.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === '120000' || mode === '160000') return [];
    return [{ path: line.slice(tab + 1), blob }];
  });
}

/**
 * Every file version added or modified in the history of `commit`:
 * [{ path, blob, commit }] with the newest commit that wrote that blob at that path.
 */
export function filesInHistory(gitDir, commit) {
  const out = git(gitDir, ['log', commit, '--format=C%H', '--raw', '--no-abbrev', '-z', '--no-renames',
    '--diff-filter=AM']);
  const rows = [];
  let current = null;
  const fields = out.split('\0');
  for (let index = 0; index < fields.length; index += 1) {
    let field = fields[index];
    if (!field) continue;
    field = field.replace(/^\n+/, '');
    if (field.startsWith('C') && /^C[0-9a-f]{40}$/.test(field.trim())) {
      current = field.trim().slice(1);
      continue;
    }
    if (field.startsWith(':')) {
      const [, , , blob] = field.slice(1).split(' ');
      const filePath = fields[index + 1];
      index += 1;
      rows.push({ path: filePath, blob, commit: current });
    }
  }
  return rows;
}

/** Contents of many blobs through one `git cat-file --batch`: Map blob -> Buffer. */
export function readBlobs(gitDir, blobs) {
  return new Promise((resolve, reject) => {
    const unique = [...new Set(blobs)];
    const result = new Map();
    if (!unique.length) return resolve(result);
    const child = spawn('git', ['--git-dir', gitDir, 'cat-file', '--batch'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', () => {
      const all = Buffer.concat(chunks);
      let offset = 0;
      while (offset < all.length) {
        const newline = all.indexOf(10, offset);
        const header = all.subarray(offset, newline).toString();
        const [sha, type, size] = header.split(' ');
        offset = newline + 1;
        if (type === 'missing' || size === undefined) continue;
        const length = Number(size);
        result.set(sha, all.subarray(offset, offset + length));
        offset += length + 1;
      }
      resolve(result);
    });
    child.stdin.end(unique.join('\n') + '\n');
  });
}
