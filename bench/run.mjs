#!/usr/bin/env node
/**
 * Benchmark: builds a synthetic repository of launch scripts (fixture patterns with varied values,
 * padded to ~4.5 KB on average, plus scripts with no launch), then measures in one run:
 * - wall time and peak memory of `bridge-migrate --check` and of the dry run over the whole tree;
 * - the same with one worker (parallel speed-up);
 * - the cold start of one small file;
 * - `shfmt -d` over the same tree when shfmt is installed (Debian package `shfmt`), as a ratio.
 * Prints a table. Usage: node bench/run.mjs [N ...]   (default: 10000 20000)
 * Nothing here asserts on time.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (sizes.length === 0) sizes.push(10000, 20000);

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

const templates = readdirSync(join(ROOT, 'fixtures'))
  .filter((d) => existsSync(join(ROOT, 'fixtures', d, 'input.sh')))
  .map((d) => readFileSync(join(ROOT, 'fixtures', d, 'input.sh'), 'utf8'));

const filler = (r, bytes) => {
  let out = '';
  let i = 0;
  while (out.length < bytes) {
    const k = Math.floor(r() * 4);
    if (k === 0) out += `# ${'note about the cluster setup and data layout '.repeat(2)}${i}\n`;
    else if (k === 1) out += `export NCCL_SETTING_${i}=${Math.floor(r() * 100)}\n`;
    else if (k === 2) out += `if [ -d "/scratch/run_${i}" ]; then\n    echo "reusing /scratch/run_${i}"\nfi\n`;
    else out += `log_${i}() { echo "[$(date +%T)] $*" >> "$LOG_DIR/run.log"; }\n`;
    i++;
  }
  return out;
};

function makeScript(r, i) {
  if (r() < 0.25) {
    return `#!/bin/bash\n# helper ${i}: no training launch\nset -euo pipefail\n${filler(r, 2500 + r() * 3500)}python tools/preprocess_data.py --input data_${i}.jsonl --output-prefix data_${i}\n`;
  }
  let t = templates[Math.floor(r() * templates.length)];
  // vary numbers so files differ
  t = t.replace(/\b(\d{2,5})\b/g, (m) => String(Number(m) + Math.floor(r() * 8)));
  const [shebang, ...rest] = t.split('\n');
  return `${shebang}\n${filler(r, 1500 + r() * 3500)}${rest.join('\n')}`;
}

function buildRepo(n) {
  const dir = join(tmpdir(), `bridge-migrate-bench-${n}`);
  rmSync(dir, { recursive: true, force: true });
  const r = rng(n);
  let bytes = 0;
  for (let i = 0; i < n; i++) {
    const sub = join(dir, `team${i % 40}`, `exp${Math.floor(i / 40) % 25}`);
    mkdirSync(sub, { recursive: true });
    const text = makeScript(r, i);
    bytes += text.length;
    writeFileSync(join(sub, `train_${i}.sh`), text);
  }
  return { dir, bytes };
}

function timed(cmd, args, opts = {}) {
  const res = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 30, ...opts });
  const line = res.stderr.trim().split('\n').pop();
  const [secs, kb] = line.split(' ').map(Number);
  return { secs, mb: kb / 1024, status: res.status };
}

const rows = [];
const add = (what, n, r, note = '') => rows.push({ what, n, secs: r.secs, mb: r.mb, note });

const small = join(tmpdir(), 'bridge-migrate-bench-small.sh');
writeFileSync(small, templates[0]);
for (let i = 0; i < 3; i++) add('cold start, 1 small file (dry run)', 1, timed('node', [BIN, '--quiet', small], { stdio: ['ignore', 'ignore', 'pipe'] }), `try ${i + 1}`);

const hasShfmt = spawnSync('shfmt', ['--version']).status === 0;
const perN = {};
for (const n of sizes) {
  const { dir, bytes } = buildRepo(n);
  const check = timed('node', [BIN, '--check', '--quiet', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  add('--check, whole tree', n, check, `${(bytes / n / 1024).toFixed(1)} KB/file`);
  const dry = timed('sh', ['-c', `node ${BIN} --quiet ${dir} > /dev/null`]);
  add('dry run (diff to /dev/null)', n, dry);
  const one = timed('node', [BIN, '--check', '--quiet', '--jobs', '1', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  add('--check, one worker', n, one, `speed-up ${(one.secs / check.secs).toFixed(2)}x`);
  let shfmt;
  if (hasShfmt) {
    shfmt = timed('sh', ['-c', `shfmt -d ${dir} > /dev/null`]);
    add('shfmt -d (reference)', n, shfmt, `ratio ours/shfmt: check ${(check.secs / shfmt.secs).toFixed(2)}, dry ${(dry.secs / shfmt.secs).toFixed(2)}`);
  }
  perN[n] = check.secs;
  rmSync(dir, { recursive: true, force: true });
}
if (sizes.length >= 2) {
  const [a, b] = sizes;
  rows.push({ what: `growth ${b} vs ${a} files (--check)`, n: b, secs: perN[b] / perN[a], mb: NaN, note: `ideal ${(b / a).toFixed(1)}x` });
}

const cpu = cpus()[0]?.model ?? 'unknown cpu';
console.log(`bridge-migrate benchmark on ${cpus().length} x ${cpu}, node ${process.version}${hasShfmt ? `, ${execFileSync('shfmt', ['--version']).toString().trim()}` : ', shfmt not installed'}`);
console.log('| what | files | seconds | peak MB | note |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const r of rows) console.log(`| ${r.what} | ${r.n} | ${Number.isFinite(r.secs) ? r.secs.toFixed(2) : '-'} | ${Number.isFinite(r.mb) ? r.mb.toFixed(0) : '-'} | ${r.note} |`);
