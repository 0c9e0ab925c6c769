#!/usr/bin/env node
/**
 * Every mapped Megatron-LM flag, one at a time, through the real Megatron Bridge: a tiny launch
 * with the flag (a value from its choices or type), migrated by bridge-migrate, passed to
 * verify/verify.py. Prints, per outcome, the flags whose override Bridge refuses (the key does not
 * exist, Hydra cannot parse the value, Bridge skips it) and those whose value validate() rejects.
 *
 *   npm run build && node bench/flags/verify-flags.mjs [--python .venv-bridge/bin/python] [--json out.json] [--only --a,--b]
 *
 * A refused override is a mapping bug. A validate() error may be the sample value's fault (a
 * flag that needs others beside it); read the message.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, fallback) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : fallback);
const python = path.resolve(arg('--python', path.join(ROOT, '.venv-bridge', 'bin', 'python')));
const { migrate, initParser } = await import(path.join(ROOT, 'dist', 'src', 'index.js'));
await initParser();
const table = JSON.parse(readFileSync(path.join(ROOT, 'src', 'mapping', 'table.generated.json'), 'utf8'));
const refPath = path.resolve(ROOT, '..', 'shared', 'reference', 'megatron-lm-flags.json');
const choices = new Map();
if (existsSync(refPath)) for (const f of JSON.parse(readFileSync(refPath, 'utf8')).flags) for (const o of f.effective_option_strings) choices.set(o, f.choices);

const BASE = '--num-layers 4 --hidden-size 256 --num-attention-heads 8 --seq-length 1024 --max-position-embeddings 1024 --micro-batch-size 1 --global-batch-size 8 --train-iters 100 --mock-data';
/** Sample values where the type alone would give a value Bridge must reject. */
const SAMPLE = {
  '--position-embedding-type': 'rope', '--normalization': 'RMSNorm', '--tokenizer-type': 'NullTokenizer', '--ckpt-format': 'torch_dist',
  '--save': '/tmp/ckpt', '--load': '/tmp/ckpt', '--pretrained-checkpoint': '/tmp/ckpt', '--rerun-mode': 'disabled', '--lr-decay-style': 'cosine',
  '--num-layers': '4', '--hidden-size': '256', '--num-attention-heads': '8', '--seq-length': '1024', '--micro-batch-size': '1', '--global-batch-size': '8',
};

function sample(entry) {
  if (SAMPLE[entry.flag] !== undefined) return SAMPLE[entry.flag];
  if (entry.arity === 0) return '';
  const options = choices.get(entry.flag);
  if (options?.length) return String(options[0]);
  const n = typeof entry.arity === 'number' ? entry.arity : 1;
  const one = entry.valueType === 'int' ? '1' : entry.valueType === 'float' ? '0.5' : entry.valueType === 'bool' ? 'true' : 'sample_value';
  return Array(n).fill(one).join(' ');
}

const only = arg('--only') ? new Set(arg('--only').split(',')) : undefined;
const cases = [];
for (const entry of Object.values(table)) {
  if (['drop', 'launcher'].includes(entry.convert) || entry.legacy) continue;
  if (only && !only.has(entry.flag)) continue;
  const value = sample(entry);
  const script = `torchrun --nproc_per_node 1 pretrain_gpt.py ${BASE} ${entry.flag}${value ? ` ${value}` : ''}\n`;
  const result = migrate(script, { verification: true, pinDefaults: false });
  const launch = result.report.launches[0];
  const verification = result.verification?.[0];
  const removed = launch?.removed.find((r) => r.flag === entry.flag);
  if (!launch?.migrated || !verification) cases.push({ flag: entry.flag, value, outcome: 'not migrated', detail: launch?.findings.map((f) => f.message).join('; ') });
  else if (removed) cases.push({ flag: entry.flag, value, outcome: `removed (${removed.severity})`, detail: removed.reason });
  else cases.push({ flag: entry.flag, value, request: { id: entry.flag, argv: verification.argv, worldSize: Math.max(1, verification.worldSize) } });
}
const requests = cases.filter((c) => c.request).map((c) => JSON.stringify(c.request)).join('\n') + '\n';
const run = spawnSync(python, [path.join(ROOT, 'verify', 'verify.py')], { input: requests, encoding: 'utf8', cwd: tmpdir(), maxBuffer: 1 << 28 });
const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
if (!lines[0]?.ready) throw new Error(`verifier not ready: ${run.stdout.slice(0, 500)} ${run.stderr.slice(-2000)}`);
const results = new Map(lines.slice(1).map((r) => [r.id, r]));
for (const c of cases) {
  if (!c.request) continue;
  const r = results.get(c.flag);
  c.outcome = r?.starts ? (r.ignored?.length ? 'starts, ignored' : 'starts') : `fails at ${r?.stage ?? '?'}`;
  c.detail = r?.starts ? r.ignored?.join('; ') : r?.error;
  delete c.request;
}
const byOutcome = {};
for (const c of cases) (byOutcome[c.outcome] ??= []).push(c);
console.log(`${lines[0].bridge ? `Megatron Bridge ${lines[0].bridge}` : ''}: ${cases.length} mapped flags`);
for (const [outcome, list] of Object.entries(byOutcome).sort((a, b) => b[1].length - a[1].length)) console.log(`${String(list.length).padStart(5)}  ${outcome}`);
for (const [outcome, list] of Object.entries(byOutcome)) {
  if (outcome === 'starts' || outcome.startsWith('removed')) continue;
  console.log(`\n## ${outcome}`);
  for (const c of list) console.log(`${c.flag} ${c.value}: ${(c.detail ?? '').replace(/\s+/g, ' ').slice(0, 300)}`);
}
const out = arg('--json');
if (out) writeFileSync(out, JSON.stringify({ bridge: lines[0], cases }, null, 1));
