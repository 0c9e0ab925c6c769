#!/usr/bin/env node
/**
 * Writes fixtures/guide-<section>/input.sh: one launch per section of the migration guide with every
 * row's flag and a plausible value (from megatron-lm-flags.json: choices, type), so every guide row
 * has a fixture. Run once; review the expected.sh that the fixture test writes with UPDATE_FIXTURES=1.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REF = process.env.BRIDGE_MIGRATE_REFERENCE ?? path.resolve(ROOT, '..', 'shared', 'reference');
const guide = readFileSync(path.join(REF, 'megatron-lm-to-megatron-bridge-guide.md'), 'utf8');
const flags = JSON.parse(readFileSync(path.join(REF, 'megatron-lm-flags.json'), 'utf8')).flags;
const table = JSON.parse(readFileSync(path.join(ROOT, 'src', 'mapping', 'table.generated.json'), 'utf8'));
const byOpt = new Map();
for (const f of flags) for (const o of f.effective_option_strings) byOpt.set(o, f);

const sections = [];
let current;
for (const line of guide.split('\n')) {
  const h = /^### (.+)$/.exec(line);
  if (h) sections.push((current = { name: h[1], flags: [] }));
  const row = /^\| `(--[A-Za-z0-9_-]+)`/.exec(line);
  if (row && current) current.flags.push(row[1]);
}

const SPECIAL = {
  '--position-embedding-type': 'rope',
  '--normalization': 'RMSNorm',
  '--moe-router-load-balancing-type': 'aux_loss',
  '--moe-token-dispatcher-type': 'alltoall',
  '--moe-router-dtype': 'fp32',
  '--tokenizer-type': 'HuggingFaceTokenizer',
  '--tokenizer-model': 'meta-llama/Llama-3.1-8B',
  '--rampup-batch-size': '32 32 1000',
  '--profile-ranks': '0 1',
  '--ckpt-format': 'torch_dist',
  '--ckpt-convert-format': 'torch_dist',
  '--dist-ckpt-strictness': 'log_all',
  '--timing-log-option': 'minmax',
  '--distributed-backend': 'nccl',
  '--non-persistent-ckpt-type': 'global',
  '--non-persistent-local-ckpt-algo': 'fully_parallel',
  '--sharp-enabled-group': 'dp',
  '--high-priority-stream-groups': 'dp pp',
  '--inprocess-granularity': 'node',
  '--error-injection-type': 'transient_error',
  '--rerun-mode': 'report_stats',
  '--lr-decay-style': 'cosine',
  '--lr-wsd-decay-style': 'linear',
  '--weight-decay-incr-style': 'linear',
  '--wandb-exp-name': '"run 7, ablation"',
  '--save': '/ckpt/run7',
  '--load': '/ckpt/run7',
  '--pretrained-checkpoint': '/ckpt/base',
  '--tensorboard-dir': '/logs/tb',
  '--wandb-save-dir': '/logs/wandb',
  '--memory-snapshot-path': '/logs/snapshot.pickle',
  '--non-persistent-global-ckpt-dir': '/ckpt/np-global',
  '--non-persistent-local-ckpt-dir': '/local/np',
  '--ckpt-convert-save': '/ckpt/converted',
  '--logging-level': '20',
  '--seq-length': '4096',
  '--max-position-embeddings': '4096',
};

function value(flag) {
  if (SPECIAL[flag]) return SPECIAL[flag];
  const e = table[flag];
  const f = byOpt.get(flag);
  if (!e || e.arity === 0) return '';
  if (f?.choices?.length) return f.choices[0];
  const n = typeof e.arity === 'number' ? e.arity : 1;
  const one = e.valueType === 'int' ? '8' : e.valueType === 'float' ? '0.25' : 'value_x';
  return Array(n).fill(one).join(' ');
}

for (const s of sections) {
  const slug = s.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  const lines = [];
  // Precision rows conflict with each other: --bf16 alone is the guide's row.
  const seen = new Set();
  for (const flag of s.flags) {
    if (seen.has(flag)) continue;
    seen.add(flag);
    const v = value(flag);
    lines.push(`    ${flag}${v ? ` ${v}` : ''}`);
  }
  const base = s.name.startsWith('Model architecture') ? '' : '    --num-layers 4 --hidden-size 256 --num-attention-heads 8 --seq-length 1024 --max-position-embeddings 1024';
  const body = [base, ...lines].filter(Boolean).join(' \\\n');
  const dir = path.join(ROOT, 'fixtures', `guide-${slug}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'input.sh'),
    `#!/bin/bash\n# Every row of the guide's "${s.name}" table, one flag each.\ntorchrun --nproc_per_node 8 pretrain_gpt.py \\\n${body} \\\n    --mock-data\n`,
  );
  console.log(slug, s.flags.length);
}
