#!/usr/bin/env node
/**
 * bridge-migrate side by side with shfmt on a corpus-like tree of real scripts.
 *
 *   node bench/side-by-side.mjs [--files 10000,20000 (0: none)] [--pairs 3] [--tool DIR]... [--modes dry,check]
 *                               [--cold 10] [--corpus bench/out/corpus/scripts]
 *
 * The tree: the real-script collection that bench/corpus/collect.mjs extracts (git-ignored, never
 * committed) copied round-robin into bench/out/side-by-side/tree-<N>/copy-<k>/ until it holds N files
 * (built once, reused; a git repository of its own, since bench/out/ is git-ignored). Each round runs every command once (shfmt -d, then each --tool's dry run and
 * --check), the order rotated from round to round (A B, B A, ...), stdout and stderr to /dev/null,
 * under /usr/bin/time: wall (hrtime), CPU (user + sys, children included: the `bash -n` checks) and
 * peak RSS. Ratios are taken within a round (ours / shfmt of the same round), then the median and range
 * over the rounds. The cold start: one small script's dry run against `node -e 0`, alternated.
 *
 * shfmt: $SHFMT if set, else `shfmt` on PATH, else bench/out/venv-shfmt/bin/shfmt, made with
 *   python3 -m venv bench/out/venv-shfmt && bench/out/venv-shfmt/bin/pip install shfmt-py
 * --tool: a built checkout of bridge-migrate (default: this one); give two to A/B two builds.
 * Nothing here asserts on time.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function parseArgs(argv) {
  const options = { files: [10000, 20000], pairs: 3, tools: [], modes: ['dry', 'check'], cold: 10, corpus: path.join(ROOT, 'bench/out/corpus/scripts') };
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    const value = () => argv[++index];
    if (name === '--files') options.files = value().split(',').map(Number).filter((count) => count > 0);
    else if (name === '--pairs') options.pairs = Number(value());
    else if (name === '--tool') options.tools.push(path.resolve(value()));
    else if (name === '--modes') options.modes = value().split(',');
    else if (name === '--cold') options.cold = Number(value());
    else if (name === '--corpus') options.corpus = path.resolve(value());
    else throw new Error(`side-by-side.mjs: unknown option ${name}`);
  }
  if (options.tools.length === 0) options.tools.push(ROOT);
  return options;
}

function findShfmt() {
  if (process.env.SHFMT) return process.env.SHFMT;
  const onPath = spawnSync('sh', ['-c', 'command -v shfmt'], { encoding: 'utf8' }).stdout.trim();
  if (onPath) return onPath;
  const venv = path.join(ROOT, 'bench/out/venv-shfmt/bin/shfmt');
  if (existsSync(venv)) return venv;
  throw new Error('shfmt not found: set SHFMT, put it on PATH, or: python3 -m venv bench/out/venv-shfmt && bench/out/venv-shfmt/bin/pip install shfmt-py');
}

function listFiles(dir) {
  const out = [];
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) out.push(full);
    }
  };
  visit(dir);
  return out;
}

function buildTree(corpus, count) {
  const dir = path.join(ROOT, 'bench/out/side-by-side', `tree-${count}`);
  const stamp = path.join(dir, '.complete');
  if (existsSync(stamp)) return dir;
  if (!existsSync(corpus)) throw new Error(`no collection at ${corpus}: run node bench/corpus/collect.mjs first`);
  const sources = listFiles(corpus);
  rmSync(dir, { recursive: true, force: true });
  for (let index = 0; index < count; index += 1) {
    const source = sources[index % sources.length];
    const target = path.join(dir, `copy-${Math.floor(index / sources.length)}`, path.relative(corpus, source));
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(source, target, { preserveTimestamps: true });
  }
  // Its own repository: the walk honours the .gitignore of the enclosing one (bench/out/ is ignored),
  // and diff headers are relative to the tree's top.
  spawnSync('git', ['init', '-q', dir], { stdio: 'ignore' });
  writeFileSync(stamp, `${count}\n`);
  return dir;
}

/** One command under /usr/bin/time: wall seconds, CPU seconds (user + sys, children included), peak RSS in MiB. */
function timed(command, args, cwd) {
  const timeFile = path.join(tmpdir(), `side-by-side-${process.pid}.time`);
  const started = process.hrtime.bigint();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S %M', '-o', timeFile, command, ...args], { cwd, stdio: ['ignore', 'ignore', 'ignore'] });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  const [user, sys, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(/\s+/).map(Number);
  rmSync(timeFile, { force: true });
  return { wall, cpu: user + sys, rssMiB: maxKb / 1024, status: run.status };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fixed = (value, digits = 2) => value.toFixed(digits);
const range = (values, digits = 2) => `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`;

function toolName(tool) {
  const head = spawnSync('git', ['-C', tool, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const branch = spawnSync('git', ['-C', tool, 'rev-parse', '--abbrev-ref', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  return `${branch || path.basename(tool)}@${head || '?'}`;
}

function sideBySide(options, shfmt, tree, count) {
  const commands = [{ name: 'shfmt -d', command: shfmt, args: ['-d', tree] }];
  for (const tool of options.tools) {
    const bin = path.join(tool, 'bin/bridge-migrate.js');
    if (options.modes.includes('dry')) commands.push({ name: `${toolName(tool)} dry run`, command: process.execPath, args: [bin, tree] });
    if (options.modes.includes('check')) commands.push({ name: `${toolName(tool)} --check`, command: process.execPath, args: [bin, '--check', tree] });
  }
  const rounds = [];
  for (let round = 0; round < options.pairs; round += 1) {
    const shift = round % commands.length;
    const order = round % 2 === 0 ? [...commands.slice(shift), ...commands.slice(0, shift)] : [...commands].reverse();
    const results = new Map();
    for (const entry of order) {
      results.set(entry.name, timed(entry.command, entry.args, tree));
      process.stderr.write(`  ${count} files, round ${round + 1}: ${entry.name}: ${fixed(results.get(entry.name).wall)} s wall, ${fixed(results.get(entry.name).cpu)} s CPU, ${fixed(results.get(entry.name).rssMiB, 0)} MiB (load ${fixed(loadavg()[0])})\n`);
    }
    rounds.push(results);
  }
  const rows = [];
  for (const entry of commands) {
    const walls = rounds.map((r) => r.get(entry.name).wall);
    const cpus = rounds.map((r) => r.get(entry.name).cpu);
    const rss = rounds.map((r) => r.get(entry.name).rssMiB);
    const wallRatio = rounds.map((r) => r.get(entry.name).wall / r.get('shfmt -d').wall);
    const cpuRatio = rounds.map((r) => r.get(entry.name).cpu / r.get('shfmt -d').cpu);
    rows.push(`| ${entry.name} | ${count} | ${fixed(median(walls))} (${range(walls)}) | ${fixed(median(cpus))} | ${fixed(median(wallRatio))}x (${range(wallRatio)}) | ${fixed(median(cpuRatio))}x (${range(cpuRatio)}) | ${fixed(Math.max(...rss), 0)} |`);
  }
  return rows;
}

function coldStart(options) {
  const dir = path.join(tmpdir(), `side-by-side-cold-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'train.sh');
  writeFileSync(script, '#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py --num-layers 24 --hidden-size 1024 --bf16\n');
  const rows = [];
  for (const tool of options.tools) {
    const bin = path.join(tool, 'bin/bridge-migrate.js');
    const ours = [];
    const bare = [];
    for (let round = 0; round < options.cold; round += 1) {
      const pair = [() => ours.push(timed(process.execPath, [bin, script], dir).wall), () => bare.push(timed(process.execPath, ['-e', '0'], dir).wall)];
      if (round % 2) pair.reverse();
      for (const run of pair) run();
    }
    const extra = ours.map((value, index) => value - bare[index]);
    rows.push(`| cold start, ${toolName(tool)} | ${fixed(median(ours), 3)} | ${fixed(median(bare), 3)} | ${fixed(median(ours) / median(bare))}x | +${fixed(median(extra) * 1000, 0)} ms (${range(extra.map((v) => v * 1000), 0)}) |`);
  }
  rmSync(dir, { recursive: true, force: true });
  return rows;
}

const options = parseArgs(process.argv.slice(2));
const shfmt = findShfmt();
const shfmtVersion = spawnSync(shfmt, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`${new Date().toISOString()}  ${cpus().length} x ${cpus()[0]?.model ?? '?'}, Node ${process.version}, shfmt ${shfmtVersion} (${shfmt}), load ${loadavg().map((v) => fixed(v)).join(' ')}`);
const table = ['| what | files | wall s, median (range) | CPU s | wall / shfmt | CPU / shfmt | peak RSS MiB |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: |'];
for (const count of options.files) {
  const tree = buildTree(options.corpus, count);
  table.push(...sideBySide(options, shfmt, tree, count));
}
console.log(table.join('\n'));
if (options.cold > 0) {
  console.log(['', '| cold start (1 small file, dry run) | ours s | node -e 0 s | ratio | ours - node -e 0 |', '| --- | ---: | ---: | ---: | ---: |', ...coldStart(options)].join('\n'));
}
console.log(`load at the end: ${loadavg().map((v) => fixed(v)).join(' ')}`);
