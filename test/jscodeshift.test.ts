/**
 * transforms/megatron-to-bridge.cjs under the real jscodeshift runner: every fixture's input.sh
 * (plus a binary file and a CRLF file with a byte-order mark) is migrated in place by jscodeshift in one temp copy and by the CLI
 * (`bridge-migrate --write`) in another; the files must come out identical and jscodeshift's
 * buckets (ok / unmodified / skipped / errors) must match the CLI's statuses. Both use the built
 * core in dist/ (`npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const fixtures = join(root, 'fixtures');
const transform = join(root, 'transforms', 'megatron-to-bridge.cjs');
const cli = join(root, 'bin', 'bridge-migrate.js');
const jscodeshiftBin = createRequire(import.meta.url).resolve('jscodeshift/bin/jscodeshift.js');
const cases = readdirSync(fixtures, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(fixtures, d.name, 'input.sh')))
  .map((d) => d.name)
  .sort();

type Bucket = 'ok' | 'unmodified' | 'skipped' | 'errors';
const BUCKET: Record<string, Bucket> = { changed: 'ok', unchanged: 'unmodified', skipped: 'skipped', error: 'errors' };
const LABEL: Record<string, Bucket> = { OKK: 'ok', NOC: 'unmodified', SKIP: 'skipped', ERR: 'errors' };

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function node(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const stripAnsi = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** jscodeshift's closing "Results:" block. */
function results(stdout: string): Record<Bucket, number> {
  const text = stripAnsi(stdout);
  const count = (what: string) => {
    const m = new RegExp(`^(\\d+) ${what}$`, 'm').exec(text);
    if (!m) throw new Error(`no "${what}" count in jscodeshift output:\n${text}`);
    return Number(m[1]);
  };
  return { errors: count('errors'), unmodified: count('unmodified'), skipped: count('skipped'), ok: count('ok') };
}

/** Per-file status lines of `--verbose=2`: file name -> bucket. */
function perFile(stdout: string, dir: string): Record<string, Bucket> {
  const out: Record<string, Bucket> = {};
  for (const line of stripAnsi(stdout).split('\n')) {
    const m = /^ (OKK|NOC|SKIP|ERR) (\S+)/.exec(line);
    if (m && m[2].startsWith(`${dir}/`)) out[m[2].slice(dir.length + 1)] = LABEL[m[1]];
  }
  return out;
}

function copyInputs(dir: string, names: string[]): void {
  mkdirSync(dir, { recursive: true });
  for (const name of names) copyFileSync(join(fixtures, name, 'input.sh'), join(dir, `${name}.sh`));
}

describe('jscodeshift transform', () => {
  let work: string;
  let shift: Run;
  let bridge: Run;
  let shiftOpts: Run;
  let bridgeOpts: Run;
  const optionCases = ['string-var-oneline', 'deepspeed-launcher'];

  beforeAll(async () => {
    if (!existsSync(join(root, 'dist', 'src', 'index.js'))) throw new Error('dist/ is missing: run `npm run build` (or `npx tsc -p .`) before this test');
    work = mkdtempSync(join(tmpdir(), 'bridge-migrate-jscodeshift-'));
    for (const dir of ['shift', 'cli']) {
      copyInputs(join(work, dir), cases);
      // A binary file: the CLI and the transform both refuse it (an error, the file is untouched).
      writeFileSync(join(work, dir, 'binary.sh'), Buffer.from('#!/bin/bash\necho a\0b\n', 'latin1'));
      // A byte-order mark and CRLF line endings survive, as in the CLI.
      const lf = readFileSync(join(fixtures, 'string-var-oneline', 'input.sh'), 'utf8');
      writeFileSync(join(work, dir, 'crlf-bom.sh'), `\ufeff${lf.replace(/\n/g, '\r\n')}`);
    }
    for (const dir of ['shift-opts', 'cli-opts']) copyInputs(join(work, dir), optionCases);
    const jscodeshift = (dir: string, extra: string[] = []) =>
      node([jscodeshiftBin, '--no-babel', '-t', transform, '--extensions=sh,slurm,sbatch', '--run-in-band', '--verbose=2', ...extra, join(work, dir)]);
    [shift, bridge, shiftOpts, bridgeOpts] = await Promise.all([
      jscodeshift('shift'),
      node([cli, '--write', '--quiet', '--json', join(work, 'cli.json'), join(work, 'cli')]),
      jscodeshift('shift-opts', ['--recipe=llama3_8b_pretrain_config', '--bridgeRoot=/opt/bridge', '--pinDefaults=false']),
      node([cli, '--write', '--quiet', '--recipe', 'llama3_8b_pretrain_config', '--bridge-root', '/opt/bridge', '--no-pin-defaults', join(work, 'cli-opts')]),
    ]);
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('runs', () => {
    expect(cases.length).toBeGreaterThan(10);
    expect(cases).toContain('no-launch');
    expect(shift.code, shift.stderr).toBe(0);
    expect(bridge.code, bridge.stderr).toBe(2); // the binary file
  });

  it('writes exactly what the CLI writes', () => {
    for (const name of [...cases.map((c) => `${c}.sh`), 'binary.sh', 'crlf-bom.sh']) {
      expect(readFileSync(join(work, 'shift', name), 'latin1'), name).toBe(readFileSync(join(work, 'cli', name), 'latin1'));
    }
    // And what the fixture says (this fixture has no options.json).
    expect(readFileSync(join(work, 'shift', 'string-var-oneline.sh'), 'utf8')).toBe(readFileSync(join(fixtures, 'string-var-oneline', 'expected.sh'), 'utf8'));
    expect(readFileSync(join(work, 'shift', 'no-launch.sh'), 'utf8')).toBe(readFileSync(join(fixtures, 'no-launch', 'input.sh'), 'utf8'));
    const expected = readFileSync(join(fixtures, 'string-var-oneline', 'expected.sh'), 'utf8');
    expect(readFileSync(join(work, 'shift', 'crlf-bom.sh'), 'utf8')).toBe(`\ufeff${expected.replace(/\n/g, '\r\n')}`);
  });

  it("puts each file in the bucket matching the CLI's status", () => {
    const report = JSON.parse(readFileSync(join(work, 'cli.json'), 'utf8')) as { files: Array<{ path: string; status: string }> };
    const expected: Record<string, Bucket> = {};
    const totals: Record<Bucket, number> = { ok: 0, unmodified: 0, skipped: 0, errors: 0 };
    for (const f of report.files) {
      const name = f.path.slice(f.path.lastIndexOf('/') + 1);
      expected[name] = BUCKET[f.status];
      totals[BUCKET[f.status]]++;
    }
    expect(Object.keys(expected).sort()).toEqual([...cases.map((c) => `${c}.sh`), 'binary.sh', 'crlf-bom.sh'].sort());
    expect(expected['no-launch.sh']).toBe('skipped');
    expect(expected['unsupported-bert.sh']).toBe('unmodified');
    expect(expected['string-var-oneline.sh']).toBe('ok');
    expect(expected['binary.sh']).toBe('errors');
    expect(perFile(shift.stdout, join(work, 'shift'))).toEqual(expected);
    expect(results(shift.stdout)).toEqual(totals);
    expect(stripAnsi(shift.stdout)).toContain('Transformation error (binary file (contains NUL bytes); not a shell script)');
  });

  it('reports removed flags and warnings as REP lines', () => {
    expect(stripAnsi(shift.stdout)).toMatch(/ REP \S+\/deepspeed-launcher\.sh line 5: warning: removed `--deepspeed`: DeepSpeed engine switch/);
  });

  it('passes --recipe, --bridgeRoot and --pinDefaults=false like the CLI options', () => {
    expect(shiftOpts.code, shiftOpts.stderr).toBe(0);
    expect(bridgeOpts.code, bridgeOpts.stderr).toBe(0);
    expect(results(shiftOpts.stdout)).toEqual({ ok: 2, unmodified: 0, skipped: 0, errors: 0 });
    for (const name of optionCases) {
      const out = readFileSync(join(work, 'shift-opts', `${name}.sh`), 'utf8');
      expect(out, name).toBe(readFileSync(join(work, 'cli-opts', `${name}.sh`), 'utf8'));
      expect(out).toContain(' /opt/bridge/scripts/training/run_recipe.py --recipe llama3_8b_pretrain_config ');
      expect(out).not.toContain('MEGATRON_LM_DEFAULTS');
    }
  });
});

describe('bridge-migrate-jscodeshift (jscodeshift with our defaults)', () => {
  const wrapper = join(root, 'bin', 'bridge-migrate-jscodeshift.cjs');
  const copy = () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-jscs-wrap-'));
    const scripts = join(root, 'test', 'cli-repo', 'scripts');
    for (const name of readdirSync(scripts)) copyFileSync(join(scripts, name), join(dir, name));
    // The same launch under the other default extensions.
    copyFileSync(join(scripts, 'train_gpt.sh'), join(dir, 'job.slurm'));
    copyFileSync(join(scripts, 'train_gpt.sh'), join(dir, 'job.sbatch'));
    copyFileSync(join(scripts, 'train_gpt.sh'), join(dir, 'job.bash'));
    return dir;
  };

  it('picks .sh .bash .slurm .sbatch, takes --no-pin-defaults before a path, and writes what the CLI writes', async () => {
    const jscs = copy();
    const ours = copy();
    const r = await node([wrapper, '--no-pin-defaults', '--run-in-band', jscs]);
    expect(r.code).toBe(0);
    expect(results(r.stdout)).toEqual({ ok: 5, unmodified: 1, skipped: 0, errors: 0 });
    const c = await node([cli, '--write', '--quiet', '--no-pin-defaults', ours]);
    expect(c.code).toBe(0);
    for (const name of readdirSync(ours).sort()) expect(readFileSync(join(jscs, name), 'utf8'), name).toBe(readFileSync(join(ours, name), 'utf8'));
    expect(readFileSync(join(jscs, 'job.slurm'), 'utf8')).not.toContain('MEGATRON_LM_DEFAULTS');
  });

  it('--fail-on-error: exit 1 on blocked launches, the rest of such a file still migrated and written', async () => {
    const jscs = copy();
    const ours = copy();
    const r = await node([wrapper, '--fail-on-error', '--run-in-band', jscs]);
    expect(r.code).toBe(1);
    expect(results(r.stdout)).toEqual({ ok: 4, unmodified: 0, skipped: 0, errors: 2 });
    expect(stripAnsi(r.stdout)).toContain('deepspeed_run.sh Transformation error (blocked launch at line 3 (pretrain_gpt.py); the rest of the file was migrated and written');
    expect(stripAnsi(r.stdout)).toContain('bert.sh Transformation error (blocked launch at line 2 (pretrain_bert.py, not migrated); the file is unchanged');
    await node([cli, '--write', '--quiet', ours]);
    for (const name of readdirSync(ours).sort()) expect(readFileSync(join(jscs, name), 'utf8'), name).toBe(readFileSync(join(ours, name), 'utf8'));
    // Without --fail-on-error the same run exits 0.
    expect((await node([wrapper, '--run-in-band', '--dry', copy()])).code).toBe(0);
  });
});
