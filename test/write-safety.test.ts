/**
 * `--write` never loses an edit or a property of a file (issue 13, items 1, 3 and the long-name
 * part of 7):
 *  - an edit made between the read and the replace is kept, and the file is reported (the edit is
 *    injected through the test hook in src/files/atomic-write.ts, in-process);
 *  - POSIX ACLs, extended attributes, hard links, owner and mode survive;
 *  - write-protected files, and (as a non-root user) other users' files, are refused unless
 *    --force;
 *  - names near the 255-byte limit can be written (the temporary name is a hash).
 * The CLI is the built one (bin/bridge-migrate.js, dist/: `npm test` builds first). Tests that
 * need root (to run the CLI as nobody), setfacl/getfacl (Debian `acl`) or setfattr/getfattr
 * (`attr`) are skipped with the reason when the machine lacks them.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, chmodSync, chownSync, statSync, linkSync, readdirSync, rmSync, existsSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser, migrate } from '../src/migrate.js';
import { processFile } from '../src/files/process-file.js';
import { testHooks } from '../src/files/atomic-write.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const GOOD = readFileSync(join(ROOT, 'fixtures', 'string-var-oneline', 'input.sh'), 'utf8');
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
let MIGRATED = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, args: string[], as: { uid?: number; gid?: number } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, '--no-color', ...args], { cwd, encoding: 'utf8', timeout: 60_000, uid: as.uid, gid: as.gid, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
function tmp(mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), 'bm-safe-'));
  chmodSync(d, mode);
  dirs.push(d);
  return d;
}
const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.bridge-migrate-'));
const has = (tool: string) => !spawnSync(tool, ['--version'], { stdio: 'ignore' }).error;

let nobodyWorks = false;
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  await initParser();
  MIGRATED = migrate(GOOD).output;
  expect(MIGRATED).not.toBe(GOOD);
  if (isRoot) {
    const d = tmp(0o755);
    nobodyWorks = spawnSync(process.execPath, [BIN, '--version'], { cwd: d, uid: NOBODY, gid: NOBODY }).status === 0;
  }
});

afterAll(() => {
  testHooks.beforeReplace = undefined;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('an edit made while --write runs is never overwritten', () => {
  it('an append between the read and the rename: the file keeps the edit, the error names the file', () => {
    const d = tmp();
    const file = join(d, 'train.sh');
    writeFileSync(file, GOOD);
    testHooks.beforeReplace = () => appendFileSync(file, 'echo appended by someone else\n');
    try {
      const outcome = processFile(file, { write: true });
      expect(outcome.written).toBe(false);
      expect(outcome.report.status).toBe('error');
      expect(outcome.report.error).toMatch(/^the file changed on disk while bridge-migrate was working on it; it was left as it is now/);
      expect(outcome.path).toBe(file);
    } finally {
      testHooks.beforeReplace = undefined;
    }
    expect(readFileSync(file, 'utf8')).toBe(`${GOOD}echo appended by someone else\n`);
    expect(leftovers(d)).toEqual([]);
    // unchanged since the read: written
    expect(processFile(file, { write: true }).written).toBe(true);
  });

  it('an edit of the same size and mtime is still seen (content compared), also for in-place writes', () => {
    for (const hardLinked of [false, true]) {
      const d = tmp();
      const file = join(d, 'train.sh');
      writeFileSync(file, GOOD);
      if (hardLinked) linkSync(file, join(d, 'other-name.sh'));
      const edited = GOOD.replace('--num-layers 24', '--num-layers 12');
      expect(edited.length).toBe(GOOD.length);
      testHooks.beforeReplace = () => {
        const st = statSync(file);
        writeFileSync(file, edited);
        spawnSync('touch', ['-d', st.mtime.toISOString(), file]);
      };
      try {
        const outcome = processFile(file, { write: true });
        expect(outcome.report.error, `hard-linked: ${hardLinked}`).toMatch(/changed on disk/);
      } finally {
        testHooks.beforeReplace = undefined;
      }
      expect(readFileSync(file, 'utf8')).toBe(edited);
      expect(leftovers(d)).toEqual([]);
    }
  });
});

describe('metadata survives --write', () => {
  it('hard links: written through, every name sees the migrated text, same inode', () => {
    const d = tmp();
    writeFileSync(join(d, 'a.sh'), GOOD);
    linkSync(join(d, 'a.sh'), join(d, 'b-link'));
    const ino = statSync(join(d, 'a.sh')).ino;
    const r = cli(d, ['--write', 'a.sh']);
    expect(r.stderr).not.toContain(': error:');
    expect(r.status).toBe(0);
    expect(readFileSync(join(d, 'a.sh'), 'utf8')).toBe(MIGRATED);
    expect(readFileSync(join(d, 'b-link'), 'utf8')).toBe(MIGRATED);
    expect(statSync(join(d, 'a.sh')).ino).toBe(ino);
    expect(statSync(join(d, 'a.sh')).nlink).toBe(2);
    expect(leftovers(d)).toEqual([]);
  });

  it('POSIX ACLs are kept (and the group bits are not widened)', (ctx) => {
    if (!has('setfacl') || !has('getfacl')) return ctx.skip('setfacl/getfacl not installed (Debian: apt-get install acl)');
    if (!has('getfattr')) return ctx.skip('getfattr not installed (Debian: apt-get install attr)');
    const d = tmp();
    const file = join(d, 'acl.sh');
    writeFileSync(file, GOOD, { mode: 0o640 });
    chmodSync(file, 0o640);
    const set = spawnSync('setfacl', ['-m', 'u:nobody:rw,g::r,m::rw', file]);
    if (set.status !== 0) return ctx.skip(`this file system does not take ACLs: ${set.stderr}`);
    const acl = () => spawnSync('getfacl', ['--omit-header', '--absolute-names', file], { encoding: 'utf8' }).stdout;
    const before = acl();
    const mode = statSync(file).mode;
    expect(before).toContain('user:nobody:rw-');
    const r = cli(d, ['--write', 'acl.sh']);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(acl()).toBe(before);
    expect(statSync(file).mode).toBe(mode);
    expect(leftovers(d)).toEqual([]);
  });

  it("a folder's default ACL is not given to a file that had none", (ctx) => {
    if (!has('setfacl') || !has('getfacl') || !has('getfattr')) return ctx.skip('setfacl/getfacl (acl) or getfattr (attr) not installed');
    const d = tmp();
    const file = join(d, 'plain.sh');
    writeFileSync(file, GOOD);
    const set = spawnSync('setfacl', ['-d', '-m', 'u:nobody:rwx', d]);
    if (set.status !== 0) return ctx.skip(`this file system does not take ACLs: ${set.stderr}`);
    const acl = () => spawnSync('getfacl', ['--omit-header', '--absolute-names', file], { encoding: 'utf8' }).stdout;
    const before = acl();
    expect(before).not.toContain('nobody');
    const r = cli(d, ['--write', 'plain.sh']);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(acl()).toBe(before);
    expect(leftovers(d)).toEqual([]);
  });

  it('extended attributes are kept', (ctx) => {
    if (!has('setfattr') || !has('getfattr')) return ctx.skip('setfattr/getfattr not installed (Debian: apt-get install attr)');
    const d = tmp();
    const file = join(d, 'x.sh');
    writeFileSync(file, GOOD);
    const set = spawnSync('setfattr', ['-n', 'user.reviewed-by', '-v', 'alice', file]);
    if (set.status !== 0) return ctx.skip(`this file system does not take user xattrs: ${set.stderr}`);
    const attrs = () => spawnSync('getfattr', ['--absolute-names', '-d', '-m', '-', file], { encoding: 'utf8' }).stdout;
    const before = attrs();
    expect(before).toContain('user.reviewed-by="alice"');
    const r = cli(d, ['--write', 'x.sh']);
    expect(r.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(attrs()).toBe(before);
    expect(leftovers(d)).toEqual([]);
  });

  it('a write-protected file (no write bit) is refused, also for root; --force writes it and keeps its mode', () => {
    const d = tmp();
    const file = join(d, 'ro.sh');
    writeFileSync(file, GOOD);
    chmodSync(file, 0o444);
    const r = cli(d, ['--write', 'ro.sh']);
    expect(r.stderr).toContain('ro.sh: error: the file is write-protected (it has no write permission bit); nothing was changed. Make it writable (chmod u+w), or pass --force to replace it anyway\n');
    expect(r.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    const f = cli(d, ['--write', '--force', 'ro.sh']);
    expect(f.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(statSync(file).mode & 0o7777).toBe(0o444);
    expect(cli(d, ['--force', 'ro.sh']).stderr).toContain('--force only makes sense with --write');
  });

  it('a file name of 250 bytes: written (the temporary name is derived from a hash)', () => {
    const d = tmp();
    const name = `${'n'.repeat(247)}.sh`;
    expect(Buffer.byteLength(name)).toBe(250);
    writeFileSync(join(d, name), GOOD);
    const r = cli(d, ['--write', name]);
    expect(r.stderr).not.toContain(': error:');
    expect(r.status).toBe(0);
    expect(readFileSync(join(d, name), 'utf8')).toBe(MIGRATED);
    expect(leftovers(d)).toEqual([]);
  });
});

describe('as a non-root user (the CLI runs as nobody)', () => {
  // A folder everyone may write, as /tmp or a shared project folder.
  const shared = () => {
    const d = tmp(0o777);
    return d;
  };

  it("another user's file in a folder nobody may write: refused (the owner would change); --force writes it in place, owner kept", (ctx) => {
    if (!isRoot || !nobodyWorks) return ctx.skip('needs root to run the CLI as nobody (and the project readable by others)');
    const d = shared();
    const file = join(d, 'roots.sh');
    writeFileSync(file, GOOD);
    chmodSync(file, 0o666);
    const r = cli(d, ['--write', 'roots.sh'], { uid: NOBODY, gid: NOBODY });
    expect(r.stderr).toContain(`roots.sh: error: it is owned by user 0 (you are ${NOBODY}): replacing it would make it yours; nothing was changed. Run bridge-migrate as its owner, or pass --force (writes it in place when you may, keeping its owner)\n`);
    expect(r.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    const f = cli(d, ['--write', '--force', 'roots.sh'], { uid: NOBODY, gid: NOBODY });
    expect(f.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(statSync(file).uid).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o666);
    expect(leftovers(d)).toEqual([]);
  });

  it("another user's file that nobody may not write: refused; --force replaces it (it becomes nobody's)", (ctx) => {
    if (!isRoot || !nobodyWorks) return ctx.skip('needs root to run the CLI as nobody');
    const d = shared();
    const file = join(d, 'theirs.sh');
    writeFileSync(file, GOOD);
    chmodSync(file, 0o644);
    const r = cli(d, ['--write', 'theirs.sh'], { uid: NOBODY, gid: NOBODY });
    expect(r.stderr).toContain('theirs.sh: error: permission denied (you may not write the file); nothing was changed. Ask its owner, or pass --force to replace it anyway where you may write its folder (it then becomes yours)\n');
    expect(r.status).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(GOOD);
    expect(statSync(file).uid).toBe(0);
    const f = cli(d, ['--write', '--force', 'theirs.sh'], { uid: NOBODY, gid: NOBODY });
    expect(f.status).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(MIGRATED);
    expect(statSync(file).uid).toBe(NOBODY);
  });

  it("the user's own files: written; their own write-protected file refused without --force", (ctx) => {
    if (!isRoot || !nobodyWorks) return ctx.skip('needs root to run the CLI as nobody');
    const d = shared();
    for (const [name, mode] of [['mine.sh', 0o644], ['mine-ro.sh', 0o444]] as const) {
      writeFileSync(join(d, name), GOOD);
      chownSync(join(d, name), NOBODY, NOBODY);
      chmodSync(join(d, name), mode);
    }
    const r = cli(d, ['--write', 'mine.sh', 'mine-ro.sh'], { uid: NOBODY, gid: NOBODY });
    expect(readFileSync(join(d, 'mine.sh'), 'utf8')).toBe(MIGRATED);
    expect(statSync(join(d, 'mine.sh')).uid).toBe(NOBODY);
    expect(r.stderr).toContain('mine-ro.sh: error: the file is write-protected');
    expect(readFileSync(join(d, 'mine-ro.sh'), 'utf8')).toBe(GOOD);
    expect(r.status).toBe(2);
  });
});
