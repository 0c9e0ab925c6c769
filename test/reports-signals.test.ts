/**
 * Promises kept everywhere (issue 13, items 6 and 7): report destinations are checked before any
 * script is touched and replaced atomically; a closed stdout pipe ends the run quietly; the
 * `bash -n` guard also covers the dry-run patch, --check and the stdin filter (and says when no
 * bash is there); SIGINT/SIGTERM stop cleanly (exit 130/143, nothing half-written, no temporary
 * files); nothing inside an unterminated backtick or `$(` is edited; symbolic links into ignored
 * folders obey the ignore rules of their target. Spawns the built CLI (`npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, chmodSync, symlinkSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser, migrate } from '../src/migrate.js';
import { walk } from '../src/files/walk.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const GOOD = readFileSync(join(ROOT, 'fixtures', 'string-var-oneline', 'input.sh'), 'utf8');
let MIGRATED = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string, args: string[], extra: { input?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, '--no-color', ...args], { cwd, input: extra.input, encoding: 'utf8', timeout: 60_000, env: extra.env ?? { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'bm-promise-'));
  dirs.push(d);
  return d;
}
function withGood(): string {
  const d = tmp();
  writeFileSync(join(d, 'good.sh'), GOOD);
  return d;
}
const leftovers = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => n.includes('.bridge-migrate-'));

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  await initParser();
  MIGRATED = migrate(GOOD).output;
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('report destinations are checked first and written atomically', () => {
  it('--json into a missing folder: an error before any script is written, no stack trace', () => {
    const d = withGood();
    const r = cli(d, ['--write', '--json', 'no/such/dir/report.json', 'good.sh']);
    expect(r.stderr).toBe(`bridge-migrate: --json no/such/dir/report.json: cannot write there (its folder does not exist: ${join(d, 'no/such/dir')}); nothing was done\n`);
    expect(r.status).toBe(2);
    expect(readFileSync(join(d, 'good.sh'), 'utf8')).toBe(GOOD);
  });

  it('--report naming a folder, or a device: errors before any work', () => {
    const d = withGood();
    mkdirSync(join(d, 'out'));
    const dir = cli(d, ['--write', '--report', 'out', 'good.sh']);
    expect(dir.stderr).toBe('bridge-migrate: --report out: is a directory; name a file\n');
    expect(dir.status).toBe(2);
    const dev = cli(d, ['--write', '--json', '/dev/null', 'good.sh']);
    expect(dev.stderr).toBe('bridge-migrate: --json /dev/null: not a regular file; name a file (or - for stdout)\n');
    expect(dev.status).toBe(2);
    expect(readFileSync(join(d, 'good.sh'), 'utf8')).toBe(GOOD);
    expect(leftovers(d)).toEqual([]);
  });

  it('a report that cannot be written (a full disk) keeps the old report whole; exit 2, no stack trace', (ctx) => {
    const d = withGood();
    const mnt = join(d, 'small');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]);
    if (mounted.status !== 0) return ctx.skip('cannot mount a small tmpfs here (needs root and mount permission)');
    try {
      writeFileSync(join(mnt, 'report.json'), '{"old": true}\n');
      spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=4k'], { stdio: 'ignore' });
      const r = cli(d, ['--json', join(mnt, 'report.json'), 'good.sh']);
      expect(r.stderr).toContain(`bridge-migrate: --json ${join(mnt, 'report.json')}: could not write the report (no space left on the device); the previous file, if any, was left as it was\n`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.status).toBe(2);
      expect(readFileSync(join(mnt, 'report.json'), 'utf8')).toBe('{"old": true}\n');
      expect(readdirSync(mnt).sort()).toEqual(['fill', 'report.json']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });

  it('a report is complete when written, and replaces the old one', () => {
    const d = withGood();
    writeFileSync(join(d, 'report.json'), 'old');
    const r = cli(d, ['--json', 'report.json', 'good.sh']);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')).files[0].status).toBe('changed');
    expect(leftovers(d)).toEqual([]);
  });
});

describe('pipes', () => {
  it('`bridge-migrate dir | head -1`: the first line, then a quiet exit 0 (no EPIPE error)', () => {
    const d = tmp();
    for (let i = 0; i < 150; i++) writeFileSync(join(d, `s${i}.sh`), GOOD);
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" --no-color . | head -1; echo "exit=\${PIPESTATUS[0]}" >&2`], { cwd: d, encoding: 'utf8', timeout: 60_000 });
    expect(r.stdout).toBe('--- a/s0.sh\n');
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
    expect(r.stderr).toContain('exit=0\n');
  });
});

describe('findings of a large run (kept in a temporary file until printed)', () => {
  it('come out in path order, each file\'s lines as a run on that file alone prints them', () => {
    const d = tmp();
    const names: string[] = [];
    // Folder names whose walk order differs from path order ('a-b.sh' sorts before 'a/...').
    for (let i = 0; i < 210; i++) {
      const name = i % 3 === 0 ? `a/s${i}.sh` : i % 3 === 1 ? `a-b${i}.sh` : `z${i}.sh`;
      mkdirSync(join(d, name, '..'), { recursive: true });
      writeFileSync(join(d, name), GOOD);
      names.push(name);
    }
    const alone = cli(join(d, 'a'), ['-v', 's0.sh']).stderr.split('\n').filter((line) => line.startsWith('s0.sh:'));
    expect(alone.length).toBeGreaterThan(0);
    const expected = [...names].sort().flatMap((name) => alone.map((line) => `${name}${line.slice('s0.sh'.length)}`));
    const run = cli(d, ['-v', 'a', 'a-b1.sh', ...names.filter((n) => !n.startsWith('a/') && n !== 'a-b1.sh')]);
    expect(run.stderr.split('\n').filter((line) => !line.startsWith('bridge-migrate:') && line !== '')).toEqual(expected);
    expect(readdirSync(tmpdir()).filter((n) => n.startsWith('bridge-migrate-findings-'))).toEqual([]);
  });
});

describe('the bash -n guard everywhere', () => {
  // A stand-in bash that rejects any text naming run_recipe.py: as if the migration broke syntax.
  function pickyBash(): string {
    const bin = join(tmp(), 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'bash'), '#!/bin/sh\n[ "$1" = "--version" ] && exit 0\nif grep -q run_recipe.py; then exit 2; fi\nexit 0\n');
    chmodSync(join(bin, 'bash'), 0o755);
    return bin;
  }
  const REJECTED = 'good.sh: error: bash -n rejects the migrated text although it accepted the original; the file was left unchanged. This is a bridge-migrate bug: please report it with the script\n';

  it('dry run and --check: a result bash rejects is an error, no diff offered', () => {
    const d = withGood();
    const env = { ...process.env, PATH: `${pickyBash()}:${process.env.PATH}` };
    const dry = cli(d, ['good.sh'], { env });
    expect(dry.stdout).toBe('');
    expect(dry.stderr).toContain(REJECTED);
    expect(dry.status).toBe(2);
    const check = cli(d, ['--check', 'good.sh'], { env });
    expect(check.stderr).toContain(REJECTED);
    expect(check.status).toBe(2);
  });

  it('on worker threads (the long-lived bash -n server): every rejected result is an error, the accepted original is not', () => {
    const d = tmp();
    // Enough files for worker threads (src/cli/pool.ts INLINE_BELOW); one that needs no change.
    for (let i = 0; i < 30; i++) writeFileSync(join(d, `good${String(i).padStart(2, '0')}.sh`), GOOD);
    writeFileSync(join(d, 'plain.sh'), '#!/bin/bash\necho no launch here\n');
    const env = { ...process.env, PATH: `${pickyBash()}:${process.env.PATH}` };
    const r = cli(d, ['--jobs', '2', '--check', '.'], { env });
    const rejected = r.stderr.split('\n').filter((line) => line.endsWith(REJECTED.slice('good.sh'.length, -1)));
    expect(rejected).toHaveLength(30);
    expect(r.stderr).toContain('31 files scanned, 0 would change, 0 unchanged, 1 without a launch');
    expect(r.status).toBe(2);
    // With the real bash, the same files are offered.
    const real = cli(d, ['--jobs', '2', '--check', '.']);
    expect(real.stdout.split('\n').filter((line) => line.startsWith('would migrate:'))).toHaveLength(30);
  });

  it('on worker threads with bash but no sh on the PATH: the checks fall back to one bash -n each, the run finishes', () => {
    const d = tmp();
    for (let i = 0; i < 30; i++) writeFileSync(join(d, `good${String(i).padStart(2, '0')}.sh`), GOOD);
    // A PATH with bash, mkfifo and timeout but no sh: the server cannot start, its FIFO gets no reader.
    const bin = join(d, 'bin-without-sh');
    mkdirSync(bin);
    for (const tool of ['bash', 'mkfifo', 'timeout']) {
      const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
      if (found) symlinkSync(found, join(bin, tool));
    }
    // SIGKILL at the limit: a run blocked on the FIFO does not answer SIGTERM.
    const r = spawnSync(process.execPath, [BIN, '--no-color', '--jobs', '2', '--check', '.'], { cwd: d, encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL', env: { PATH: bin, NO_COLOR: '1' } });
    expect(r.signal).toBeNull();
    expect(r.stdout.split('\n').filter((line) => line.startsWith('would migrate:'))).toHaveLength(30);
    expect(r.stderr).toContain('30 files scanned, 30 would change');
  });

  it('stdin filter: the input comes out unchanged, with the error', () => {
    const env = { ...process.env, PATH: `${pickyBash()}:${process.env.PATH}` };
    const r = cli(tmp(), ['-'], { input: GOOD, env });
    expect(r.stdout).toBe(GOOD);
    expect(r.stderr).toContain('<stdin>: error: bash -n rejects the migrated text although it accepted the original; the input is printed unchanged');
    expect(r.status).toBe(2);
  });

  it('without bash on the PATH: said once, the run goes on', () => {
    const d = withGood();
    const env = { PATH: join(d, 'no-such-bin'), NO_COLOR: '1' };
    const dry = cli(d, ['good.sh'], { env });
    expect(dry.stderr).toContain('bridge-migrate: warning: bash was not found: the migrated scripts were not checked with `bash -n`\n');
    expect(dry.stdout).toContain('+++ b/good.sh\n');
    const stdin = cli(d, ['-'], { input: GOOD, env });
    expect(stdin.stderr).toContain('bridge-migrate: warning: bash was not found: the migrated script was not checked with `bash -n`\n');
    expect(stdin.stdout).toBe(MIGRATED);
  });
});

describe('SIGINT and SIGTERM', () => {
  const COUNT = 200;
  /** Files that take a while each (30 launches), so that a signal lands mid-run. */
  function slowTree(): { dir: string; original: string; migrated: string } {
    const dir = tmp();
    const original = Array.from({ length: 30 }, () => GOOD).join('\n');
    for (let i = 0; i < COUNT; i++) writeFileSync(join(dir, `s${String(i).padStart(3, '0')}.sh`), original);
    return { dir, original, migrated: migrate(original).output };
  }
  async function interrupt(signals: NodeJS.Signals[], jobs: string): Promise<{ code: number | null; stderr: string; dir: string; original: string; migrated: string }> {
    const tree = slowTree();
    const child = spawn(process.execPath, [BIN, '--no-color', '--write', '--jobs', jobs, tree.dir], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // the first file written: the run is under way
    for (let t = 0; t < 3000; t++) {
      if (readFileSync(join(tree.dir, 's000.sh'), 'utf8') !== tree.original) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    for (const s of signals) child.kill(s);
    const code = await exited;
    return { code, stderr, ...tree };
  }
  function expectWhole(r: { dir: string; original: string; migrated: string }): number {
    let migrated = 0;
    for (const n of readdirSync(r.dir)) {
      const text = readFileSync(join(r.dir, n), 'utf8');
      if (text === r.migrated) migrated++;
      else expect(text, n).toBe(r.original);
    }
    expect(leftovers(r.dir)).toEqual([]);
    return migrated;
  }

  it('SIGTERM with workers: the files in flight finish, exit 143, nothing half-written, no temporary files', async () => {
    const r = await interrupt(['SIGTERM'], '2');
    expect(r.code).toBe(143);
    const m = /stopped by SIGTERM after (\d+) of (\d+) files/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(Number(m![2])).toBe(COUNT);
    expect(Number(m![1])).toBeLessThan(COUNT);
    expect(expectWhole(r)).toBe(Number(m![1]));
  }, 120_000);

  it('SIGINT in this thread (--jobs 1): exit 130, same promises', async () => {
    const r = await interrupt(['SIGINT'], '1');
    expect(r.code).toBe(130);
    const m = /stopped by SIGINT after (\d+) of (\d+) files/.exec(r.stderr);
    expect(m, r.stderr).not.toBeNull();
    expect(expectWhole(r)).toBe(Number(m![1]));
  }, 120_000);

  it('a second signal stops at once: still no temporary files and no half-written file', async () => {
    const r = await interrupt(['SIGTERM', 'SIGTERM'], '2');
    expect(r.code).toBe(143);
    expectWhole(r);
  }, 120_000);
});

describe('syntax errors and ignored symlink targets', () => {
  it('a launch inside an unterminated backtick, $( or ( is not edited', () => {
    for (const src of [
      'X=`torchrun pretrain_gpt.py --num-layers 2\n',
      'echo start\nX=$(\ntorchrun pretrain_gpt.py --num-layers 2\necho end\n',
      'OUT=$(torchrun pretrain_gpt.py --num-layers 2 | tee log\necho end\n',
      '(\ntorchrun pretrain_gpt.py --num-layers 2\n',
    ]) {
      const r = migrate(src);
      expect(r.output, JSON.stringify(src)).toBe(src);
      expect(r.report.messages.some((m) => /bash syntax error/.test(m.message)), JSON.stringify(src)).toBe(true);
    }
  });

  it('symbolic links into node_modules, hidden or .gitignored folders are not followed (a line says so)', () => {
    const d = tmp();
    mkdirSync(join(d, '.git'));
    writeFileSync(join(d, '.gitignore'), 'build/\n*.generated.sh\n');
    for (const sub of ['node_modules/pkg', '.hidden', 'build', 'scripts']) mkdirSync(join(d, sub), { recursive: true });
    for (const sub of ['node_modules/pkg', '.hidden', 'build', 'scripts']) writeFileSync(join(d, sub, 'train.sh'), GOOD);
    writeFileSync(join(d, 'scripts', 'x.generated.sh'), GOOD);
    symlinkSync(join(d, 'node_modules', 'pkg', 'train.sh'), join(d, 'a.sh'));
    symlinkSync(join(d, '.hidden'), join(d, 'hidden-link'));
    symlinkSync(join(d, 'build', 'train.sh'), join(d, 'c.sh'));
    symlinkSync(join(d, 'build'), join(d, 'build-link'));
    symlinkSync(join(d, 'scripts', 'x.generated.sh'), join(d, 'e.sh'));
    symlinkSync(join(d, 'scripts', 'train.sh'), join(d, 'ok-link.sh')); // allowed (same real file as scripts/train.sh)
    const { files, skipped } = walk([d]);
    expect(files.map(String).map((f) => f.slice(d.length + 1)).sort()).toEqual(['ok-link.sh']);
    const why = Object.fromEntries(skipped.map((s) => [String(s.path).slice(d.length + 1), s.message]));
    expect(why).toEqual({
      'a.sh': 'symbolic link not followed: its target is inside node_modules',
      'hidden-link': 'symbolic link not followed: its target is inside the hidden folder .hidden',
      'c.sh': 'symbolic link not followed: its target is ignored (.gitignore or --ignore)',
      'build-link': 'symbolic link not followed: its target is ignored (.gitignore or --ignore)',
      'e.sh': 'symbolic link not followed: its target is ignored (.gitignore or --ignore)',
    });
    const r = cli(d, ['.']);
    expect(r.stderr).toContain('a.sh: skipped: symbolic link not followed: its target is inside node_modules\n');
    expect(r.stdout.match(/^\+\+\+ /gm)).toHaveLength(1);
  });
});
