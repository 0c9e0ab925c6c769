/**
 * Inputs that used to hang or blow up (issue 13, item 5): a FIFO or /dev/zero named .gitignore or
 * as the config file, deep `$(` / subshell nesting, a very long launch line. Only regular files
 * under a size cap are read; the analysis of one file has a depth, a size and a time limit, and
 * reaching one is a per-file error ("too deeply nested / too large to migrate safely"), never a
 * crash or a hang. No test asserts on time: the CLI runs get a generous time-out only so that a
 * hang fails the test instead of the suite (bench/limits.mjs measures the times).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, symlinkSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser } from '../src/migrate.js';
import { migrateWithinLimits } from '../src/files/process-file.js';
import { MAX_TREE_DEPTH, MAX_WORDS } from '../src/parse/limits.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const GOOD = readFileSync(join(ROOT, 'fixtures', 'string-var-oneline', 'input.sh'), 'utf8');
/** Generous: a run that does not end in this time hangs (the inputs take well under a second). */
const HANG = 60_000;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function cli(cwd: string, args: string[], input?: string): Run {
  const r = spawnSync(process.execPath, [BIN, '--no-color', ...args], { cwd, input, encoding: 'utf8', timeout: HANG, killSignal: 'SIGKILL', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: (r.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT' };
}

const dirs: string[] = [];
function withGood(): string {
  const d = mkdtempSync(join(tmpdir(), 'bm-limits-'));
  dirs.push(d);
  writeFileSync(join(d, 'good.sh'), GOOD);
  return d;
}

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  await initParser();
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const nestedDollar = (n: number) => `torchrun pretrain_gpt.py --num-layers ${'$(echo '.repeat(n)}1${')'.repeat(n)} --hidden-size 8\n`;
const nestedSubshells = (n: number) => `${'('.repeat(n)}torchrun pretrain_gpt.py --num-layers 2${')'.repeat(n)}\n`;
/** One launch line of about `bytes` bytes of flags. */
function longLine(bytes: number): string {
  const parts: string[] = [];
  let len = 0;
  for (let i = 0; len < bytes; i++) {
    const p = `--num-layers ${i} `;
    parts.push(p);
    len += p.length;
  }
  return `torchrun pretrain_gpt.py ${parts.join('')}\n`;
}

describe('files that are not regular files are never read as ignore or config files', () => {
  it('a FIFO named .gitignore: an error for its folder, no hang; the other files processed', (ctx) => {
    const d = withGood();
    mkdirSync(join(d, 'sub'));
    writeFileSync(join(d, 'sub', 'x.sh'), GOOD);
    if (spawnSync('mkfifo', [join(d, 'sub', '.gitignore')]).status !== 0) return ctx.skip('mkfifo is not available');
    const r = cli(d, ['.']);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toContain('sub: error: sub/.gitignore: cannot be read as an ignore file (a FIFO (named pipe), not a regular file); the folder was skipped so that nothing it ignores is changed\n');
    expect(r.stdout).toContain('--- a/good.sh\n');
    expect(r.stdout).not.toContain('sub/x.sh');
    expect(r.status).toBe(2);
  });

  it('/dev/zero as .gitignore: an error, no memory blow-up', () => {
    const d = withGood();
    symlinkSync('/dev/zero', join(d, '.gitignore'));
    const r = cli(d, ['.']);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toContain('.gitignore: cannot be read as an ignore file (a character device, not a regular file)');
    expect(r.status).toBe(2);
  });

  it('a FIFO or /dev/zero as the config file: a config error, no hang', (ctx) => {
    const d = withGood();
    symlinkSync('/dev/zero', join(d, 'bridge-migrate.config.json'));
    const zero = cli(d, ['good.sh']);
    expect(zero.timedOut).toBe(false);
    expect(zero.stderr).toContain('bridge-migrate: bridge-migrate.config.json: cannot read: a character device, not a regular file\n');
    expect(zero.status).toBe(2);
    if (spawnSync('mkfifo', [join(d, 'pipe.json')]).status !== 0) return ctx.skip('mkfifo is not available');
    const fifo = cli(d, ['--config', 'pipe.json', 'good.sh']);
    expect(fifo.timedOut).toBe(false);
    expect(fifo.stderr).toContain('bridge-migrate: pipe.json: cannot read: a FIFO (named pipe), not a regular file\n');
    expect(fifo.status).toBe(2);
  });
});

describe('nesting and size limits', () => {
  it('1,000 nested $( ... ): migrated (linear analysis), within the hang guard', () => {
    const d = withGood();
    writeFileSync(join(d, 'deep.sh'), nestedDollar(1000));
    const r = cli(d, ['deep.sh']);
    expect(r.timedOut).toBe(false);
    expect(r.stdout).toContain('+++ b/deep.sh\n');
    expect(r.stdout).toContain('model.hidden_size=8');
    expect(r.status).toBe(0);
  });

  it(`10,000 nested subshells: "too deeply nested to migrate safely" (tree over ${MAX_TREE_DEPTH} levels), not a stack overflow`, () => {
    const d = withGood();
    writeFileSync(join(d, 'deep.sh'), nestedSubshells(10_000));
    writeFileSync(join(d, 'deeper.sh'), `(\n${nestedSubshells(10_000)})\n`.replace(/\(/g, '( '));
    const r = cli(d, ['good.sh', 'deep.sh', 'deeper.sh']);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).toMatch(/deep\.sh: error: (line \d+: )?too deeply nested to migrate safely/);
    expect(r.stderr).toMatch(/deeper\.sh: error: line \d+: too deeply nested to migrate safely/);
    expect(r.stdout).toContain('--- a/good.sh\n');
    expect(r.status).toBe(2);
    // stdin mode: the input passed through unchanged
    const s = cli(d, ['-'], nestedSubshells(10_000));
    expect(s.stdout).toBe(nestedSubshells(10_000));
    expect(s.stderr).toMatch(/^<stdin>: error: (line \d+: )?too deeply nested to migrate safely/);
    expect(s.status).toBe(2);
  });

  it('deep nesting inside a `bash -c \'...\'` body (parsed on its own): a limit message, not a crash', () => {
    const src = `srun bash -c '${'$('.repeat(3000)}torchrun pretrain_gpt.py --num-layers 2${')'.repeat(3000)}'\n`;
    const r = migrateWithinLimits(src, {});
    expect(r).toEqual({ limit: expect.stringMatching(/too deeply nested to migrate safely/) });
  });

  it(`a 1 MB launch line: refused as too large (over ${MAX_WORDS} words), not minutes of work`, () => {
    const d = withGood();
    writeFileSync(join(d, 'long.sh'), longLine(1 << 20));
    const r = cli(d, ['good.sh', 'long.sh']);
    expect(r.timedOut).toBe(false);
    expect(r.stderr).toContain(`long.sh: error: line 1: a command with over ${MAX_WORDS} words is too large to migrate safely; nothing was changed. Split it or migrate it by hand\n`);
    expect(r.stdout).toContain('--- a/good.sh\n');
    expect(r.status).toBe(2);
  });

  it('the same limit for arrays and strings that hold flags', () => {
    const flags = Array.from({ length: MAX_WORDS + 1 }, (_, i) => `--lr ${i}`).join(' ');
    for (const [what, src] of [
      ['an array', `A=(${flags})\ntorchrun pretrain_gpt.py "\${A[@]}"\n`],
      ['a string', `A="${flags}"\ntorchrun pretrain_gpt.py $A\n`],
    ]) {
      const r = migrateWithinLimits(src, {});
      expect(r, what).toEqual({ limit: `line 1: ${what} with over ${MAX_WORDS} words is too large to migrate safely; nothing was changed. Split it or migrate it by hand` });
    }
  });

  it('the per-file time limit ends the analysis with a message (a budget of 0 ms is spent at once)', () => {
    const r = migrateWithinLimits(GOOD, {}, 0);
    expect(r).toEqual({ limit: expect.stringMatching(/^took longer than 0 s to analyse \(the per-file time limit\): too large or too deeply nested to migrate safely; nothing was changed/) });
    // and an ordinary budget leaves the result alone
    const ok = migrateWithinLimits(GOOD, {});
    expect('limit' in ok).toBe(false);
  });
});
