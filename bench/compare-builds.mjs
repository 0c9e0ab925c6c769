#!/usr/bin/env node
/**
 * Byte-for-byte comparison of two built checkouts on a tree of scripts (default: the real-script
 * collection of bench/corpus/collect.mjs, git-ignored):
 *
 *   node bench/compare-builds.mjs --base /path/to/old/checkout [--tool .] [--tree bench/out/corpus/scripts]
 *
 * Runs both over a copy of the tree (its own git repository, so paths and .gitignore behave the same):
 * the dry run (stdout, stderr), --check, --statistics, --json FILE and --format sarif, then --write on a
 * fresh copy each (every written file). The summary line's seconds and nothing else are masked.
 * Exits 1 and names the first difference when the outputs differ. Nothing here asserts on time.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const options = { tool: ROOT, base: undefined, tree: path.join(ROOT, 'bench/out/corpus/scripts') };
for (let index = 2; index < process.argv.length; index += 1) {
  const name = process.argv[index];
  const value = process.argv[++index];
  if (name === '--tool') options.tool = path.resolve(value);
  else if (name === '--base') options.base = path.resolve(value);
  else if (name === '--tree') options.tree = path.resolve(value);
  else throw new Error(`compare-builds.mjs: unknown option ${name}`);
}
if (!options.base) throw new Error('compare-builds.mjs: --base <checkout> is required');

const work = mkdtempSync(path.join(tmpdir(), 'compare-builds-'));
function copyTree(name) {
  const dir = path.join(work, name);
  cpSync(options.tree, dir, { recursive: true });
  spawnSync('git', ['init', '-q', dir]);
  return dir;
}
const masked = (text) => text.replace(/\(\d+(\.\d+)?s\)$/gm, '(Ts)').replace(/"(elapsed|seconds|durationMs|startedAt|time)": [^,\n]+/g, '"$1": T');
function run(checkout, args, cwd) {
  const r = spawnSync(process.execPath, [path.join(checkout, 'bin/bridge-migrate.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
  return `exit ${r.status}\n--- stdout\n${masked(r.stdout)}\n--- stderr\n${masked(r.stderr)}`;
}
function files(dir) {
  const out = [];
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name === '.git') continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else out.push(`${path.relative(dir, full)}\n${readFileSync(full, 'latin1')}`);
    }
  };
  visit(dir);
  return out.join('\n\u0000\n');
}
function firstDifference(a, b) {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i += 1;
  return `at character ${i}: ${JSON.stringify(a.slice(Math.max(0, i - 200), i + 200))}\n  vs\n${JSON.stringify(b.slice(Math.max(0, i - 200), i + 200))}`;
}

const tree = copyTree('tree');
const cases = [
  ['dry run', ['.']],
  ['dry run -v -U 5', ['-v', '-U', '5', '.']],
  ['--check', ['--check', '.']],
  ['--check --diff', ['--check', '--diff', '.']],
  ['--list', ['--list', '.']],
  ['--statistics', ['--statistics', '.']],
  ['--format json', ['--format', 'json', '.']],
  ['--format sarif', ['--format', 'sarif', '.']],
  ['--format github', ['--format', 'github', '.']],
];
let failed = false;
const check = (name, a, b) => {
  if (a === b) {
    console.log(`same: ${name} (${a.length} characters)`);
    return;
  }
  failed = true;
  console.log(`DIFFERENT: ${name} ${firstDifference(a, b)}`);
};
for (const [name, args] of cases) check(name, run(options.tool, args, tree), run(options.base, args, tree));
check('--json FILE', (run(options.tool, ['--json', path.join(work, 'new.json'), '.'], tree), masked(readFileSync(path.join(work, 'new.json'), 'utf8'))), (run(options.base, ['--json', path.join(work, 'old.json'), '.'], tree), masked(readFileSync(path.join(work, 'old.json'), 'utf8'))));
const writeNew = copyTree('write-new');
const writeOld = copyTree('write-old');
check('--write output', run(options.tool, ['--write', '.'], writeNew), run(options.base, ['--write', '.'], writeOld));
check('--write files', files(writeNew), files(writeOld));
rmSync(work, { recursive: true, force: true });
process.exitCode = failed ? 1 : 0;
