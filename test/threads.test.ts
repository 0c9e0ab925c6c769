/**
 * The same run in one thread and on several (the main thread and workers taking files from one
 * queue, each holding two while bash checks them): byte-identical diff, findings, JSON report and
 * written files, in the same order. Every fixture input, under its fixture's name, plus scripts
 * without a launch and one that bash rejects. Spawns the built CLI (`npm test` builds first).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const FIXTURES = join(ROOT, 'fixtures');

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bm-threads-'));
  dirs.push(dir);
  for (const name of readdirSync(FIXTURES)) {
    mkdirSync(join(dir, name));
    writeFileSync(join(dir, name, 'run.sh'), readFileSync(join(FIXTURES, name, 'input.sh')));
  }
  for (let i = 0; i < 5; i++) writeFileSync(join(dir, `plain${i}.sh`), `#!/bin/bash\necho step ${i}\n`);
  writeFileSync(join(dir, 'broken.sh'), '#!/bin/bash\nDATA=<Specify path>\nif then\ntorchrun pretrain_gpt.py --num-layers 2 --data-path $DATA\n');
  return dir;
}

function run(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, '--no-color', ...args], { cwd, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  // The summary line's seconds are the only thing allowed to differ.
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\(\d+\.\d+s\)/g, '(Ns)') };
}

describe('one thread or several: the same output', () => {
  it('dry run with findings and the JSON report', () => {
    const dir = tree();
    const one = run(dir, ['--jobs', '1', '-v', '--json', 'report.json', '.']);
    const oneReport = readFileSync(join(dir, 'report.json'), 'utf8');
    expect(one.stdout.split('\n').filter((line) => line.startsWith('+++ ')).length).toBeGreaterThan(50);
    // Every name here is UTF-8 (top-level files too, whose walk names were Buffers in one thread).
    expect(oneReport).not.toContain('pathBase64');
    for (const jobs of ['2', '3']) {
      const many = run(dir, ['--jobs', jobs, '-v', '--json', 'report.json', '.']);
      expect(many).toEqual(one);
      expect(readFileSync(join(dir, 'report.json'), 'utf8')).toBe(oneReport);
    }
  });

  it('--write: the same files written', () => {
    const once = tree();
    const twice = join(mkdtempSync(join(tmpdir(), 'bm-threads-')), 'copy');
    dirs.push(twice);
    cpSync(once, twice, { recursive: true });
    const one = run(once, ['--jobs', '1', '--write', '.']);
    const many = run(twice, ['--jobs', '3', '--write', '.']);
    expect(many).toEqual(one);
    const names = readdirSync(once, { recursive: true, encoding: 'utf8' }).sort();
    expect(readdirSync(twice, { recursive: true, encoding: 'utf8' }).sort()).toEqual(names);
    let changed = 0;
    for (const name of names.filter((n) => n.endsWith('.sh'))) {
      const written = readFileSync(join(once, name), 'utf8');
      expect(readFileSync(join(twice, name), 'utf8')).toBe(written);
      if (name.endsWith('run.sh') && written !== readFileSync(join(FIXTURES, name.replace(/\/run\.sh$/, ''), 'input.sh'), 'utf8')) changed++;
    }
    expect(changed).toBeGreaterThan(50);
  });
});
