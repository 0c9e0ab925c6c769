/**
 * Golden CLI tests: every option of `bridge-migrate` run on a small repository of our own
 * scripts (test/cli-repo/, copied to a temporary git repository per case), with its exact stdout,
 * stderr, exit code and any file it writes compared with test/golden/<case>.txt.
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/cli-golden.test.ts    # rewrite the golden files (review the diff!)
 *
 * Normalised: the temporary folder (<repo>), the run time in the summary line ((…s)), the version.
 */
import { describe, it, expect } from 'vitest';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const REPO = join(ROOT, 'test', 'cli-repo');
const GOLDEN = join(ROOT, 'test', 'golden');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
const update = process.env.UPDATE_GOLDEN === '1';

interface Case {
  name: string;
  args: string[];
  /** Folder inside the repository to run in (default: its root). */
  cwd?: string;
  env?: Record<string, string>;
  stdin?: string;
  /** bridge-migrate runs before the one checked (e.g. a --write). */
  before?: string[][];
  /** Files (relative to the repository) whose content after the run is part of the golden output. */
  files?: string[];
}

const CASES: Case[] = [
  { name: 'dry-run', args: ['scripts/', 'tools/', 'fork/'] },
  { name: 'verbose', args: ['--verbose', 'scripts/train_gpt.sh'] },
  { name: 'check', args: ['--check', '.'] },
  { name: 'check-diff', args: ['--check', '--diff', 'scripts/train_gpt.sh', 'scripts/bert.sh'] },
  { name: 'check-fail-on-error', args: ['--check', '--fail-on', 'error', 'fork/', 'tools/'] },
  { name: 'check-clean', args: ['--check', 'tools/'] },
  { name: 'fail-on-warning', args: ['--fail-on', 'warning', '--quiet', 'scripts/train_gpt.sh'] },
  { name: 'fail-on-bad', args: ['--fail-on', 'note', '.'] },
  { name: 'list', args: ['-l', '.'] },
  { name: 'list-check', args: ['--list', '--check', 'scripts/'] },
  { name: 'write', args: ['--write', 'scripts/train_gpt.sh', 'scripts/deepspeed_run.sh'], files: ['scripts/train_gpt.sh'] },
  { name: 'after-write-check', before: [['--write', '--quiet', '.']], args: ['--check', '.'] },
  { name: 'after-write-check-verbose', before: [['--write', '--quiet', '.']], args: ['--check', '--verbose', 'scripts/train_gpt.sh'] },
  { name: 'after-write-fail-on-error', before: [['--write', '--quiet', '.']], args: ['--check', '--fail-on', 'error', 'scripts/train_gpt.sh', 'fork/'] },
  { name: 'statistics', args: ['--statistics', '.'] },
  { name: 'statistics-verbose', args: ['--statistics', '--verbose', '.'] },
  { name: 'format-json', args: ['--format', 'json', '--quiet', 'scripts/deepspeed_run.sh', 'fork/'] },
  { name: 'format-sarif', args: ['--format', 'sarif', '--quiet', 'scripts/deepspeed_run.sh', 'scripts/bert.sh'] },
  { name: 'format-github', args: ['--format', 'github', 'scripts/deepspeed_run.sh', 'scripts/bert.sh'] },
  { name: 'format-github-verbose', args: ['--format=github', '--verbose', '--quiet', 'scripts/train_gpt.sh'] },
  { name: 'json-file', args: ['--json', 'report.json', '--quiet', '--no-pin-defaults', 'scripts/bert.sh', 'tools/'], files: ['report.json'] },
  { name: 'json-stdout', args: ['--json', '-', '--quiet', 'tools/'] },
  { name: 'report-html', args: ['--report', 'review.html', '--quiet', 'tools/'] },
  { name: 'explain-flag', args: ['explain', '--num-layers'] },
  { name: 'explain-removed', args: ['explain', '--deepspeed'] },
  { name: 'explain-rule', args: ['explain', 'seq-length'] },
  { name: 'explain-pinned', args: ['explain', '--weight-decay'] },
  { name: 'explain-fork-config', cwd: 'fork', args: ['explain', '--fork-width'] },
  { name: 'explain-unknown', args: ['explain', '--num-layer'] },
  { name: 'list-recipes', args: ['--list-recipes'] },
  { name: 'recipe-unknown', args: ['--recipe', 'llama3_8b', 'scripts/'] },
  { name: 'recipe-named', args: ['--recipe', 'llama3_8b_pretrain_config', '--quiet', 'scripts/train_gpt.sh'] },
  { name: 'unified-context', args: ['-U', '1', '--no-pin-defaults', '--bridge-root', '/srv/bridge', '--quiet', 'scripts/train_gpt.sh'] },
  { name: 'unified-zero', args: ['-U0', '--no-pin-defaults', '--quiet', 'fork/run.slurm'] },
  { name: 'diff-from-subfolder', cwd: 'scripts', args: ['--no-pin-defaults', '--quiet', '../scripts/./train_gpt.sh'] },
  { name: 'config-upward', cwd: 'fork', args: ['.'] },
  { name: 'config-explicit', args: ['--config', 'fork/bridge-migrate.config.json', 'fork/run.slurm', 'scripts/bert.sh'] },
  { name: 'ignore', args: ['--ignore', 'deepspeed_*', '--ignore', 'fork/', '--quiet', '--check', '.'] },
  { name: 'stdin', args: ['--no-pin-defaults', '-'], stdin: 'torchrun pretrain_gpt.py --num-layers 2 --use-mcore-models --mock-data\n' },
  { name: 'stdin-format', args: ['--format', 'sarif', '-'], stdin: 'echo\n' },
  { name: 'color-forced', env: { FORCE_COLOR: '1' }, args: ['--check', 'scripts/bert.sh'] },
  { name: 'color-no-color-env', env: { NO_COLOR: '1' }, args: ['--check', 'scripts/bert.sh'] },
  { name: 'usage-unknown-option', args: ['--frobnicate', '.'] },
  { name: 'usage-bad-fail-on', args: ['--fail-on', 'sometimes', '.'] },
  { name: 'usage-two-stdout-formats', args: ['--statistics', '--format', 'json', '.'] },
  { name: 'usage-diff-without-check', args: ['--diff', '.'] },
];

/** A fresh copy of the repository, made a git work tree. */
function freshRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-golden-'));
  cpSync(REPO, dir, { recursive: true });
  mkdirSync(join(dir, '.git'));
  writeFileSync(join(dir, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  return dir;
}

function run(dir: string, c: Pick<Case, 'args' | 'cwd' | 'env' | 'stdin'>) {
  const env: Record<string, string> = { ...(process.env as Record<string, string>) };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  return spawnSync(process.execPath, [BIN, ...c.args], { cwd: join(dir, c.cwd ?? '.'), env: { ...env, ...c.env }, input: c.stdin ?? '', encoding: 'utf8' });
}

function normalise(text: string, dir: string): string {
  return text
    .split(dir)
    .join('<repo>')
    .replace(/\((\d+\.\d+)s\)/g, '(…s)')
    .replace(new RegExp(`"(version|semanticVersion)": "${VERSION.replace(/\./g, '\\.')}"`, 'g'), '"$1": "<version>"')
    .replace(/generated \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/g, 'generated <time>');
}

function transcript(c: Case): string {
  const dir = freshRepo();
  try {
    for (const args of c.before ?? []) run(dir, { args });
    const r = run(dir, c);
    const parts = [`$ bridge-migrate ${c.args.join(' ')}${c.cwd ? `   (in ${c.cwd}/)` : ''}`, `exit: ${r.status}`, '--- stdout', r.stdout, '--- stderr', withoutMachineLines(r.stderr)];
    for (const f of c.files ?? []) parts.push(`--- file ${f}`, existsSync(join(dir, f)) ? readFileSync(join(dir, f), 'utf8') : '(missing)');
    if (c.name === 'report-html') parts.push(`--- review.html exists: ${existsSync(join(dir, 'review.html'))}`);
    return `${normalise(parts.join('\n'), dir)}\n`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The one stderr line that depends on the machine, not on the case: no getfattr/setfattr here. */
function withoutMachineLines(stderr: string): string {
  return stderr.split('\n').filter((line) => !line.includes('getfattr/setfattr were not found')).join('\n');
}

describe('golden CLI transcripts', () => {
  it('has one golden file per case and no stale ones', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    if (update) mkdirSync(GOLDEN, { recursive: true });
    const files = existsSync(GOLDEN) ? readdirSync(GOLDEN).filter((f) => f.endsWith('.txt')) : [];
    if (update) {
      for (const f of files) if (!names.includes(f.slice(0, -4))) rmSync(join(GOLDEN, f));
    } else {
      expect(files.map((f) => f.slice(0, -4)).sort()).toEqual([...names].sort());
    }
  });
  for (const c of CASES) {
    it(c.name, () => {
      const actual = transcript(c);
      const file = join(GOLDEN, `${c.name}.txt`);
      if (update) writeFileSync(file, actual);
      expect(actual).toBe(readFileSync(file, 'utf8'));
    });
  }
});
