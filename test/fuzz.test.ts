/**
 * Property-based fuzzing of the core `migrate()` with fast-check.
 *
 * Scripts are generated from a grammar of the patterns real Megatron-LM launch scripts use (see
 * fixtures/*\/input.sh): inline flags with `\` continuations, one-line and multi-line string
 * variables, arrays with comments and `+=` appends, `--flag=value`, `${VAR:-default}` values,
 * if/case branches, `srun bash -c "..."`, #SBATCH headers, env-var prefixes, and the launchers
 * torchrun / python -m torch.distributed.launch / deepspeed / mpirun / srun / plain python.
 * Flags come from the real mapping table (src/mapping/table.generated.json) with values of the
 * kind and count (arity) Megatron-LM's argparse expects. The generated scripts are then mutated
 * (lines deleted or duplicated, a quote cut, `\r` and non-ASCII text inserted, deep nesting,
 * random character changes).
 *
 * Properties checked for every case:
 *  1. migrate() never throws;
 *  2. the output has no more bash error regions (tree-sitter ERROR/MISSING) than the input;
 *  3. idempotence: migrate(output).output === output;
 *  4. a script with no launch (the report lists none) comes out byte-identical, and so does any
 *     script that does not even mention `pretrain_*.py`;
 *  5. locality: a line diff of input -> output only removes or replaces lines that hold a flag
 *     (`-x` / `--x` word), an entrypoint, a `bash -c` body or the continuation/blank remains of a
 *     deleted flag line, and a run of lines that is only inserted (no input line replaced)
 *     consists of `# bridge-migrate:` comments and the pinned-defaults array. Every other input
 *     line therefore survives byte for byte (the diff is computed on whole lines, so a changed
 *     character anywhere else would show up as a replaced line without a flag);
 *  6. `bash -n` accepts the output whenever it accepted the input (checked on every 20th case, to
 *     keep the run short).
 *
 * Core bugs the fuzzer found are pinned as it.fails regressions at the end of this file; while one
 * is open the main property recognises exactly that bug class (precisely: by bash's own verdict,
 * by the exception message, ...), counts it and goes on, so the run keeps looking for new ones.
 *
 * FUZZ_SEED (default 20240611) and FUZZ_RUNS (default 2000) override the fixed CI settings, and
 * FUZZ_VERBOSE=1 prints what the run saw (statuses, bash checks, known bugs met), e.g.
 *   FUZZ_VERBOSE=1 FUZZ_RUNS=50000 FUZZ_SEED=$RANDOM npx vitest run test/fuzz.test.ts
 * Runs are split into chunks of FUZZ_CHUNK cases (default 1000), one test each that first yields to
 * the event loop, so that a large run is a real pass/fail gate (a worker that runs synchronously
 * for a minute blocks vitest's RPC and the run "fails" with a time-out). Chunk k (from 0) uses seed FUZZ_SEED + k * 100003; a failure names
 * its chunk's seed, and `FUZZ_SEED=<that seed> FUZZ_RUNS=<chunk size>` replays it.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { initParser, migrate } from '../src/migrate.js';
import { parseBash } from '../src/parse/parser.js';
import { errorRegions } from '../src/parse/error-regions.js';
import table from '../src/mapping/table.generated.json' with { type: 'json' };

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const CHUNK = Math.max(1, Number(process.env.FUZZ_CHUNK ?? 1000));
/** The chunks of the run: [seed, cases] each. */
const CHUNKS = Array.from({ length: Math.ceil(RUNS / CHUNK) }, (_, k) => [SEED + k * 100003, Math.min(CHUNK, RUNS - k * CHUNK)] as const);
const BASH_EVERY = 20;

beforeAll(async () => {
  await initParser();
});

// ---------------------------------------------------------------------------------------------
// Flags and their values
// ---------------------------------------------------------------------------------------------

interface Entry {
  flag: string;
  arity: 0 | 1 | 2 | 3 | '?' | '*' | '+';
  valueType?: 'int' | 'float' | 'str' | 'bool';
  rename?: Record<string, string>;
  convert: string;
  aliases?: string[];
}
const entries = Object.values(table as unknown as Record<string, Entry>);
const byFlag = new Map(entries.map((e) => [e.flag, e]));

/** Flags real scripts use all the time (fixtures, Megatron-LM examples): drawn most often. */
const COMMON = [
  '--num-layers', '--hidden-size', '--num-attention-heads', '--seq-length', '--max-position-embeddings',
  '--micro-batch-size', '--global-batch-size', '--train-iters', '--lr', '--min-lr', '--lr-decay-style',
  '--lr-warmup-fraction', '--lr-decay-iters', '--weight-decay', '--clip-grad', '--adam-beta1', '--adam-beta2',
  '--init-method-std', '--bf16', '--fp16', '--data-path', '--split', '--vocab-file', '--merge-file',
  '--tokenizer-type', '--tokenizer-model', '--vocab-size', '--mock-data', '--save', '--load', '--save-interval',
  '--eval-interval', '--eval-iters', '--log-interval', '--tensorboard-dir', '--tensor-model-parallel-size',
  '--pipeline-model-parallel-size', '--sequence-parallel', '--use-distributed-optimizer', '--overlap-grad-reduce',
  '--swiglu', '--normalization', '--position-embedding-type', '--group-query-attention', '--num-query-groups',
  '--use-flash-attn', '--untie-embeddings-and-output-weights', '--disable-bias-linear', '--recompute-activations',
  '--use-mcore-models', '--distributed-backend', '--rampup-batch-size', '--train-data-path', '--valid-data-path',
  '--test-data-path', '--loss-scale-window', '--initial-loss-scale', '--fp8-format', '--wandb-project',
  '--wandb-exp-name', '--checkpoint-activations', '--hybrid-override-pattern', '--no-gradient-accumulation-fusion',
  '--train-samples', '--lr-warmup-samples', '--lr-decay-samples', '--data-cache-path', '--attention-dropout',
  '--hidden-dropout', '--ffn-hidden-size', '--kv-channels', '--use-rotary-position-embeddings', '--moe-aux-loss-coeff',
  '--num-experts', '--expert-model-parallel-size', '--context-parallel-size', '--cp-comm-type', '--recompute-modules',
].filter((f) => byFlag.has(f));
/** Flags that are not in the table (forks, DeepSpeed, typos) and launcher flags. */
const FOREIGN = ['--deepspeed', '--deepspeed_config=ds.json', '--zero-stage=1', '--local_rank', '--my-fork-flag', '--use_env', '-x'];

type Ctx = 'word' | 'dq';

const intValue = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 65536 }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('$TP', '${TP}', '${GPUS:-8}', '${LAYERS:-24}', '$((2*4))', '-1') },
);
const floatValue = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom('1e-4', '6.0e-5', '0.1', '.01', '1.0', '0.95', '3e-4', '0', '1', '2.5', '-0.5', 'inf') },
  { weight: 1, arbitrary: fc.constantFrom('$LR', '${LR:-3.0e-4}', '${MIN_LR:-3.0e-5}') },
);
function strValue(ctx: Ctx) {
  const plain = fc.constantFrom(
    'cosine', 'linear', 'RMSNorm', 'rope', 'GPT2BPETokenizer', 'NullTokenizer', 'HuggingFaceTokenizer', 'nccl',
    '/data/owt/owt_text_document', '/ckpt/run1', '949,50,1', '98,2,0', 'hybrid', 'gpt-small', 'M-M-M*-M-',
    '$DATA_PATH', '${DATA_PATH}', '$CHECKPOINT_PATH/tb', '${CKPT_DIR:-/ckpt}/run', '${VOCAB:-/data/gpt2-vocab.json}',
    'a2a', 'p2p', 'core_attn', 'run-7', '/data/日本語/corpus', 'x,y', '[1,2]', '{a:1}', 'null', 'True',
  );
  if (ctx === 'dq') return plain;
  return fc.oneof(
    { weight: 5, arbitrary: plain },
    { weight: 1, arbitrary: fc.constantFrom('"run 7, fixed"', "'a b'", '"$DATA"', '"${VOCAB:-/data/gpt2 vocab.json}"', '"$RUN_NAME"', "$'tab\\tsep'") },
  );
}
function valueOf(e: Entry, ctx: Ctx): fc.Arbitrary<string> {
  if (e.rename && Object.keys(e.rename).length) return fc.oneof(fc.constantFrom(...Object.keys(e.rename)), strValue(ctx));
  switch (e.valueType) {
    case 'int':
      return intValue;
    case 'float':
      return floatValue;
    case 'bool':
      return fc.constantFrom('true', 'false', 'True', '0', '1');
    default:
      return strValue(ctx);
  }
}
function valuesOf(e: Entry, ctx: Ctx): fc.Arbitrary<string[]> {
  const one = valueOf(e, ctx);
  if ((e.arity === '*' || e.arity === '+') && e.flag.endsWith('data-path')) {
    // a single prefix, or weight/prefix pairs
    return fc.oneof(
      one.map((v) => [v]),
      fc.array(fc.tuple(fc.constantFrom('0.3', '0.7', '1', '0.5'), strValue(ctx)), { minLength: 1, maxLength: 3 }).map((ps) => ps.flat()),
    );
  }
  switch (e.arity) {
    case 0:
      return fc.constant([]);
    case 1:
      return one.map((v) => [v]);
    case 2:
    case 3:
      return fc.array(one, { minLength: e.arity, maxLength: e.arity });
    case '?':
      return fc.array(one, { maxLength: 1 });
    case '*':
      return fc.array(one, { maxLength: 3 });
    case '+':
      return fc.array(one, { minLength: 1, maxLength: 3 });
  }
}

const entryArb: fc.Arbitrary<Entry> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...COMMON).map((f) => byFlag.get(f)!) },
  { weight: 3, arbitrary: fc.constantFrom(...entries) },
);

/** One flag with its values as shell text: `--flag v1 v2`, `--flag=v` or an alias spelling. */
function flagText(ctx: Ctx): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: entryArb.chain((e) =>
      fc.tuple(valuesOf(e, ctx), fc.boolean(), fc.constantFrom(e.flag, ...(e.aliases ?? []))).map(([vs, eq, spelling]) =>
        eq && vs.length === 1 ? `${spelling}=${vs[0]}` : [spelling, ...vs].join(' '))) },
    { weight: 1, arbitrary: fc.constantFrom(...FOREIGN) },
  );
}

// ---------------------------------------------------------------------------------------------
// Script grammar
// ---------------------------------------------------------------------------------------------

const NAMES = ['GPT_ARGS', 'MODEL_ARGS', 'TRAIN_ARGS', 'DATA_ARGS', 'OUTPUT_ARGS', 'OPTIONS', 'EXTRA', 'ds_args'];

interface Carrier {
  name: string;
  kind: 'string' | 'array';
  text: string;
}

const flagsDq = (min: number, max: number) => fc.array(flagText('dq'), { minLength: min, maxLength: max });
const flagsWord = (min: number, max: number) => fc.array(flagText('word'), { minLength: min, maxLength: max });

function carrierArb(name: string): fc.Arbitrary<Carrier> {
  const oneLine = flagsDq(1, 6).map((fs) => ({ name, kind: 'string' as const, text: `${name}="${fs.join(' ')}"\n` }));
  const multiLine = fc.tuple(flagsDq(1, 6), fc.boolean(), fc.boolean()).map(([fs, backslash, leadingBackslash]) => ({
    name,
    kind: 'string' as const,
    text: `${name}="${leadingBackslash ? ' \\' : ''}\n${fs.map((f) => `    ${f}${backslash ? ' \\' : ''}`).join('\n')}\n"\n`,
  }));
  const array = fc
    .tuple(fc.array(fc.tuple(flagText('word'), fc.constantFrom('', '', '', ' # model width', '\n    # a comment line')), { minLength: 1, maxLength: 6 }), fc.boolean(), fc.option(flagsWord(1, 3)))
    .map(([fs, tab, append]) => ({
      name,
      kind: 'array' as const,
      text: `${name}=(\n${fs.map(([f, c]) => `${tab ? '\t' : '    '}${f}${c}`).join('\n')}\n)\n${append ? `${name}+=(${append.join(' ')})\n` : ''}`,
    }));
  const appended = fc.tuple(flagsDq(1, 3), flagsDq(1, 2), fc.constantFrom('a', 'b', 'c')).map(([a, b, how]) => ({
    name,
    kind: 'string' as const,
    text:
      how === 'a' ? `${name}="${a.join(' ')}"\n${name}="$${name} ${b.join(' ')}"\n`
      : how === 'b' ? `${name}="${a.join(' ')}"\n${name}+=" ${b.join(' ')}"\n`
      : `${name}=""\n${name}=" ${a.join(' ')} \${${name}}"\n`,
  }));
  const ifBranch = fc.tuple(flagsDq(1, 3), flagsDq(1, 3), fc.boolean()).map(([a, b, elif]) => ({
    name,
    kind: 'string' as const,
    text: `if [ "\${PRECISION:-bf16}" = "fp16" ]; then\n    ${name}="${a.join(' ')}"\n${elif ? `elif [[ -n "\${X:-}" ]]; then\n    ${name}="\${${name}} --bf16"\n` : ''}else\n    ${name}="${b.join(' ')}"\nfi\n`,
  }));
  const caseBranch = fc.tuple(flagsDq(1, 3), flagsDq(1, 3)).map(([a, b]) => ({
    name,
    kind: 'string' as const,
    text: `case \${SIZE:-small} in\n  small)\n    ${name}="${a.join(' ')}"\n    ;;\n  large|xl)\n    ${name}="${b.join(' ')}"\n    ;;\n  *)\n    echo "unknown size" >&2\n    exit 1\n    ;;\nesac\n`,
  }));
  return fc.oneof(
    { weight: 4, arbitrary: oneLine },
    { weight: 3, arbitrary: multiLine },
    { weight: 4, arbitrary: array },
    { weight: 2, arbitrary: appended },
    { weight: 2, arbitrary: ifBranch },
    { weight: 1, arbitrary: caseBranch },
  );
}

const shebang = fc.constantFrom('#!/bin/bash\n', '#!/bin/bash\n', '#!/usr/bin/env bash\n', '#!/bin/sh\n', '');
const sbatch = fc.array(fc.constantFrom('#SBATCH --nodes=4\n', '#SBATCH --ntasks-per-node=8\n', '#SBATCH --job-name=gpt\n', '#SBATCH --exclusive\n'), { maxLength: 3 });
const preamble = fc.array(
  fc.constantFrom(
    'set -euo pipefail\n', 'set -x\n', 'export CUDA_DEVICE_MAX_CONNECTIONS=1\n', 'GPUS_PER_NODE=${GPUS:-8}\n',
    'DATA_PATH=/data/corpus_text_document\n', 'CHECKPOINT_PATH=$1\n', ': "${LR:=3.0e-4}"\n', 'TP=${TP:-2}\n',
    'DATA="${DATA_PREFIX:-/data/slimpajama}_text_document"\n', 'RUN_NAME="gpt run ${TAG:-v1}"\n', '# comment with --num-layers 2\n',
    'MEGATRON=/opt/megatron-lm\n', 'DISTRIBUTED_ARGS="--nproc_per_node $GPUS_PER_NODE --nnodes 1"\n',
    'DIST_ARR=(\n    --nproc_per_node 8\n    --master_port 6000\n)\n', '\n',
  ),
  { maxLength: 5 },
);

const ENTRYPOINTS = ['pretrain_gpt.py', 'pretrain_gpt.py', 'pretrain_gpt.py', 'pretrain_mamba.py', 'pretrain_bert.py', 'pretrain_t5.py', '/workspace/Megatron-LM/pretrain_gpt.py', '${MEGATRON_PATH:-/workspace/megatron}/pretrain_gpt.py', '$MEGATRON/pretrain_gpt.py'];
const launcherArb = fc.constantFrom(
  'torchrun --nproc_per_node 8 --nnodes 1',
  'torchrun $DISTRIBUTED_ARGS',
  'torchrun ${DIST_ARR[@]}',
  'torchrun --nproc_per_node=8',
  'python -m torch.distributed.launch --use_env --nproc_per_node=2',
  'python -m torch.distributed.run --nproc_per_node 4',
  'deepspeed --num_gpus 8',
  'mpirun -np 16 --hostfile hosts.txt -x CUDA_DEVICE_MAX_CONNECTIONS python3',
  'srun -l --mpi=pmix python -u',
  'python',
  '',
);
const envPrefix = fc.array(fc.constantFrom('CUDA_DEVICE_MAX_CONNECTIONS=1 ', 'NCCL_DEBUG=WARN ', 'OMP_NUM_THREADS=4 '), { maxLength: 2 }).map((a) => a.join(''));

function refOf(c: Carrier): fc.Arbitrary<string> {
  return c.kind === 'array' ? fc.constantFrom(`\${${c.name}[@]}`, `"\${${c.name}[@]}"`) : fc.constantFrom(`$${c.name}`, `\${${c.name}}`);
}

/** A launch statement using some of the carriers. */
function launchArb(carriers: Carrier[]): fc.Arbitrary<string> {
  const refs = carriers.length ? fc.subarray(carriers).chain((cs) => (cs.length ? fc.tuple(...cs.map(refOf)) : fc.constant([] as string[]))) : fc.constant([] as string[]);
  const plain = fc
    .tuple(envPrefix, launcherArb, fc.constantFrom(...ENTRYPOINTS), refs, flagsWord(0, 8), fc.constantFrom('line', 'continued', 'mixed'))
    .map(([env, launcher, entry, rs, fs, layout]) => {
      const head = `${env}${launcher ? `${launcher} ` : ''}${entry}`;
      const args = [...rs, ...fs];
      if (layout === 'line' || args.length === 0) return `${[head, ...args].join(' ')}\n`;
      if (layout === 'continued') return `${head} \\\n${args.map((a) => `    ${a}`).join(' \\\n')}\n`;
      return `${head} ${args.slice(0, 2).join(' ')}${args.length > 2 ? ` \\\n    ${args.slice(2).join(' ')}` : ''}\n`;
    });
  const dqRefs = carriers.filter((c) => c.kind === 'string');
  const bashC = fc
    .tuple(fc.constantFrom('srun --container-image img:1 --container-mounts /data:/data', 'srun', 'ssh node1'), fc.subarray(dqRefs.map((c) => `$${c.name}`)), flagsDq(0, 5), fc.constantFrom('bash', 'sh', 'bash'), fc.boolean())
    .map(([pre, rs, fs, sh, continued]) =>
      `${pre}${continued ? ' \\\n   ' : ''} ${sh} -c "cd \${MEGATRON:-/opt} && python \${MEGATRON:-/opt}/pretrain_gpt.py ${[...rs, ...fs].join(' ')} --save /ckpt/\\$SLURM_JOB_ID"\n`);
  return fc.oneof({ weight: 6, arbitrary: plain }, { weight: 1, arbitrary: bashC });
}

/** Wraps text in nested if / for / function / subshell / brace groups. */
function nest(text: string, kinds: number[]): string {
  let out = text;
  for (const k of kinds) {
    switch (k % 5) {
      case 0: out = `if [ -n "\${RUN:-1}" ]; then\n${out}fi\n`; break;
      case 1: out = `for i in 1 2; do\n${out}done\n`; break;
      case 2: out = `run_${k}() {\n${out}}\nrun_${k} "$@"\n`; break;
      case 3: out = `(\n${out})\n`; break;
      case 4: out = `{\n${out}} 2>&1 | tee log.txt\n`; break;
    }
  }
  return out;
}

interface Script {
  text: string;
  /** Generated with a launch statement (before mutation). */
  hasLaunch: boolean;
}

const scriptArb: fc.Arbitrary<Script> = fc
  .tuple(
    shebang,
    sbatch,
    preamble,
    fc.uniqueArray(fc.constantFrom(...NAMES), { maxLength: 4 }),
    fc.integer({ min: 0, max: 9 }),
    fc.array(fc.nat(9), { maxLength: 3 }),
    fc.constantFrom('', 'echo done\n', 'exit 0\n'),
  )
  .chain(([sb, sbh, pre, names, launchKind, nesting, tail]) =>
    (names.length ? fc.tuple(...names.map(carrierArb)) : fc.constant([] as Carrier[])).chain((carriers) => {
      // 0: no launch at all (a preprocessing script), 1: GPT + BERT, 2: two launches, else one
      const launches: fc.Arbitrary<string[]> =
        launchKind === 0 ? fc.constant(['python tools/preprocess_data.py --input /data/raw.jsonl --workers 32 --append-eod\n'])
        : launchKind === 1 ? fc.tuple(launchArb(carriers), flagsWord(0, 3)).map(([l, fs]) => [l, `torchrun pretrain_bert.py ${fs.join(' ')} --bert-no-binary-head\n`])
        : launchKind === 2 ? fc.tuple(launchArb(carriers), launchArb(carriers)).map(([a, b]) => [a, b])
        : launchArb(carriers).map((l) => [l]);
      return launches.map((ls) => ({
        text: sb + sbh.join('') + (sbh.length ? '\n' : '') + pre.join('') + carriers.map((c) => c.text).join('') + nest(ls.join(''), nesting) + tail,
        hasLaunch: launchKind !== 0,
      }));
    }),
  );

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

type Mutation =
  | { op: 'deleteLine' | 'duplicateLine'; at: number }
  | { op: 'cutQuote'; at: number; truncate: boolean }
  | { op: 'insertCR' | 'crlfAll' | 'dropFinalNewline'; at: number }
  | { op: 'nonAscii'; at: number; text: string }
  | { op: 'nest'; kinds: number[] }
  | { op: 'randomChar'; at: number; ch: string };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constantFrom('deleteLine' as const, 'duplicateLine' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('cutQuote' as const), at: fc.nat(), truncate: fc.boolean() }),
  fc.record({ op: fc.constantFrom('insertCR' as const, 'crlfAll' as const, 'dropFinalNewline' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('nonAscii' as const), at: fc.nat(), text: fc.constantFrom('é', '日本語', '🚀', '\u00a0', '\u200b', 'Ω≈ç', '\ud83d\ude00x', 'ü') }),
  fc.record({ op: fc.constant('nest' as const), kinds: fc.array(fc.nat(9), { minLength: 3, maxLength: 12 }) }),
  fc.record({ op: fc.constant('randomChar' as const), at: fc.nat(), ch: fc.constantFrom('"', "'", '\\', '$', '{', '}', '(', ')', '\n', ' ', '#', ';', '&', '|', '`', '=', '-', 'a', '\t', '\r', '<', '>') }),
);

function applyMutation(text: string, m: Mutation): string {
  const lines = text.split('\n');
  switch (m.op) {
    case 'deleteLine': {
      const i = m.at % lines.length;
      lines.splice(i, 1);
      return lines.join('\n');
    }
    case 'duplicateLine': {
      const i = m.at % lines.length;
      lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    }
    case 'cutQuote': {
      const quotes = [...text.matchAll(/["']/g)].map((x) => x.index!);
      if (!quotes.length) return text;
      const q = quotes[m.at % quotes.length];
      return m.truncate ? text.slice(0, q + 1 + ((m.at >> 3) % 7)) : text.slice(0, q) + text.slice(q + 1);
    }
    case 'insertCR': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + '\r' + text.slice(at);
    }
    case 'crlfAll':
      return text.replace(/\n/g, '\r\n');
    case 'dropFinalNewline':
      return text.replace(/\n+$/, '');
    case 'nonAscii': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'nest': {
      const nl = text.startsWith('#!') ? text.indexOf('\n') + 1 : 0;
      return text.slice(0, nl) + nest(text.slice(nl) + (text.endsWith('\n') ? '' : '\n'), m.kinds);
    }
    case 'randomChar': {
      if (!text.length) return m.ch;
      const at = m.at % text.length;
      return text.slice(0, at) + m.ch + text.slice(at + 1);
    }
  }
}

const caseArb = fc
  .tuple(scriptArb, fc.oneof({ weight: 2, arbitrary: fc.constant([] as Mutation[]) }, { weight: 3, arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) }))
  .map(([s, ms]) => ({ source: ms.reduce(applyMutation, s.text), generatedWithLaunch: s.hasLaunch, mutations: ms }));

// ---------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------

function errorCount(text: string): number {
  const tree = parseBash(text);
  try {
    return errorRegions(tree.rootNode).length;
  } finally {
    tree.delete();
  }
}

/** Lines the core may remove or replace: they hold a flag word, an entrypoint or a bash -c body. */
const EDITABLE_TEXT = /(^|[\s"'(=\\])-{1,2}[A-Za-z_]|pretrain_[A-Za-z0-9_]+\.py|\b(ba|da|z)?sh\s+-c\b/;
/** Also after bash removes a backslash before an ordinary character (`-\group`, `pretrain_\amba.py`). */
const EDITABLE = { test: (line: string) => EDITABLE_TEXT.test(line) || EDITABLE_TEXT.test(line.replace(/\\([A-Za-z0-9_.])/g, '$1')) };
/** A line of plain words (no operators; may close an array): can be a flag's values (`=p2p` too). */
const VALUES = /^\s*[^\s#(){};|&<>][^;|&<>()]*\)?\s*$/;
const KEYWORD = /^\s*(fi|done|esac|else|elif|then|do|echo|exit|set|export|source|cd|return)\b/;
/** Remains of a deleted flag line: blank, or only a continuation backslash / quote / parenthesis. */
const REMAINS = /^[\s\\"')]*$/;
/**
 * Lines the core may write that were not in the input: its comments, the pinned-defaults array,
 * Hydra overrides (`key=value`, `key.sub=value`), the run_recipe.py launch, and lines that still
 * hold a flag (launcher options, flags left in place) or only continuation remains.
 */
const WRITTEN = /# bridge-migrate: |^\s*[A-Za-z_][A-Za-z0-9_]*(\+)?=\(?\s*$|run_recipe\.py|(^|[\s"'(=\\])(\+\+|\+|~)?[A-Za-z_][\w.]*\+?=|(^|[\s"'(=\\])-{1,2}[A-Za-z_]/;

/**
 * 0-based numbers of the lines covered by a word (string, concatenation, word ...) that spans more
 * than one line. The core rewrites a flag's value as a whole word, so when a value is such a word
 * (a quoted value with newlines in it) every line it covers may change.
 */
function multiLineWordLines(text: string): Set<number> {
  const rows = new Set<number>();
  const tree = parseBash(text);
  try {
    // web-tree-sitter's own nodes: they carry rows (SyntaxNode has offsets only).
    const visit = (n: import('web-tree-sitter').Node) => {
      if (n.startPosition.row === n.endPosition.row) return;
      if (/^(string|raw_string|ansi_c_string|concatenation|word|translated_string)$/.test(n.type)) {
        for (let r = n.startPosition.row; r <= n.endPosition.row; r++) rows.add(r);
        return;
      }
      for (const c of n.children) if (c) visit(c);
    };
    visit(tree.raw.rootNode);
    return rows;
  } finally {
    tree.delete();
  }
}

/**
 * Locality, in two halves:
 *  (a) preservation: the input lines that hold no flag, entrypoint or bash -c body, are not mere
 *      continuation remains, are not inside a multi-line word and are not a line of plain words
 *      right after a flag line (its values, written on the next line), appear in the output in the
 *      same order, byte for byte (a subsequence test, so the check does not depend on how a diff
 *      aligns repeated lines such as `)` or two identical launches); a trailing ` \` may go (a
 *      launch line loses it when the flag lines after it are removed, and the next line may then
 *      be joined on), and `${A[@]}` may become `"${A[@]}"`; a line of values followed by shell
 *      syntax (`0.7 /data)`, `x; cmd`) must keep the syntax part;
 *  (b) novelty: every output line that is not an input line is something the core writes, the
 *      trailing comment of a removed flag line kept on a line of its own, what is left of an
 *      input flag line once flags are cut out of it (its characters in order), or part of a
 *      multi-line word.
 * Returns a description of the first violation, or undefined.
 */
export function localityViolation(input: string, output: string): string | undefined {
  const ins = input.split('\n');
  const outs = output.split('\n');
  const inWords = multiLineWordLines(input);
  // `x \` and `x \<CR>` (a file with mixed line ends) compare as `x`
  // and an array expansion the core quotes (`${A[@]}` -> `"${A[@]}"`) compares as unquoted
  const bare = (l: string) => l.replace(/[ \t]*\\\r?$/, '').replace(/\r$/, '').replace(/"(\$\{[A-Za-z_]\w*\[[@*]\]\})"/g, '$1');
  // A flag's values may sit on the next line (in an array, a multi-line string, after ` \`): a
  // line of plain words right after a flag line may change with it.
  const valueLine = (i: number) => {
    let p = i - 1;
    while (p >= 0 && /^\s*(#.*)?$/.test(ins[p])) p--;
    if (p < 0 || !EDITABLE.test(ins[p])) return false;
    // after `--flag \` the next line is part of the same command whatever it holds (bash agrees:
    // a `}` or `done` there is an argument, not a keyword)
    if (p === i - 1 && /\\\r?$/.test(ins[p])) return true;
    return VALUES.test(ins[i]) && !KEYWORD.test(ins[i]);
  };
  // a comment line between a flag and its values goes with them when the flag is removed
  const insideFlagSpan = (i: number) => {
    if (!/^\s*#/.test(ins[i])) return false;
    let n = i + 1;
    while (n < ins.length && /^\s*#/.test(ins[n])) n++;
    return n < ins.length && valueLine(n);
  };
  let j = 0;
  for (let i = 0; i < ins.length; i++) {
    const line = ins[i];
    if (EDITABLE.test(line) || REMAINS.test(line) || inWords.has(i) || valueLine(i) || insideFlagSpan(i)) continue;
    // plain words (values of the flag above) then shell syntax: the syntax part must survive
    const op = /^\s*[^\s#;|&<>()=][^;|&<>()]*(?=[;|&<>()])/.exec(line);
    if (op && i > 0 && EDITABLE.test(ins[i - 1])) {
      if (!output.includes(line.slice(op[0].length))) return `input line ${i + 1}: the shell syntax after the values did not survive: ${JSON.stringify(line)}`;
      continue;
    }
    // (a tidy deletion of the words after a continued line may join the next line onto it)
    const same = (o: string) => o === line || bare(o) === bare(line) || (bare(line) !== line && bare(o).startsWith(bare(line)));
    let k = j;
    while (k < outs.length && !same(outs[k])) k++;
    if (k === outs.length) return `input line ${i + 1} holds no flag or entrypoint but did not survive byte for byte (or out of order): ${JSON.stringify(line)}`;
    j = k + 1;
  }
  const known = new Set([...ins, ...ins.map(bare)]);
  const editable = ins.filter((l, i) => EDITABLE.test(l) || inWords.has(i) || valueLine(i));
  let outWords: Set<number> | undefined;
  for (let k = 0; k < outs.length; k++) {
    const line = outs[k];
    if (known.has(line) || known.has(bare(line)) || REMAINS.test(line) || WRITTEN.test(line)) continue;
    // the trailing comment of a removed flag line is kept on a line of its own
    const comment = /^\s*(#.*)$/.exec(line);
    if (comment && input.includes(comment[1])) continue;
    // a continued line that the next line was joined onto (see `same` above)
    if (ins.some((l) => bare(l) !== l && !REMAINS.test(l) && bare(line).startsWith(bare(l)))) continue;
    // what is left of a flag line once its flags are removed (its characters, in order)
    if (editable.some((l) => isSubsequence(line, l) || isSubsequence(bare(line), l))) continue;
    outWords ??= multiLineWordLines(output);
    if (outWords.has(k)) continue;
    return `output line ${k + 1} is neither an input line nor something bridge-migrate writes: ${JSON.stringify(line)}`;
  }
  return undefined;
}

function isSubsequence(small: string, big: string): boolean {
  let k = 0;
  for (let i = 0; i < big.length && k < small.length; i++) if (big[i] === small[k]) k++;
  return k === small.length;
}

function bashN(text: string): boolean {
  const r = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8', timeout: 10_000 });
  return r.status === 0;
}
const haveBash = spawnSync('bash', ['-c', 'true']).status === 0;

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Core bugs this fuzzer found are fixed and kept as regression tests at the end of the file. The
// one tolerance left is by design: template placeholder lines are verified on the blanked text.
// ---------------------------------------------------------------------------------------------

/**
 * Bug F (src/migrate.ts since c2657bf): when lines with syntax errors are blanked for analysis,
 * the error regions and verifyOutput() are computed on the blanked text, not on the file: edits
 * land in text that is inside a syntax error of the file as written (quotes then pair differently
 * and other lines change), and an output that parses worse than the input is no longer refused.
 * Recognised by the report's "template placeholder" message.
 */
function blankedTemplateLines(report: { messages: Array<{ message: string }> }): boolean {
  return report.messages.some((m) => /template placeholder/.test(m.message));
}

describe('fuzz: migrate() on generated and mutated launch scripts', () => {
  it('sanity: the generator produces real launches that migrate', () => {
    const sample = fc.sample(caseArb, { seed: SEED, numRuns: 200 });
    let changed = 0;
    for (const c of sample) if (migrate(c.source).report.status === 'changed') changed++;
    // most generated scripts have a GPT launch; many survive their mutations
    expect(changed).toBeGreaterThan(40);
  });

  it.each(CHUNKS)('properties hold for seed %i: %i cases', async (seed, runs) => {
    // Let vitest's worker answer its RPC between chunks (a chunk runs synchronously; a worker that
    // never yields for a minute fails the run with "Timeout calling onTaskUpdate").
    await new Promise((resolve) => setImmediate(resolve));
    let changedSeen = 0;
    const stats = { cases: 0, changed: 0, unchanged: 0, skipped: 0, error: 0, inputErrors: 0, bashChecked: 0, blankedTemplate: 0 };
    fc.assert(
      fc.property(caseArb, (c) => {
        stats.cases++;
        const src = c.source;
        // 1. never throws
        let r;
        r = migrate(src);
        const out = r.output;
        stats[r.report.status]++;
        // 4. no launch -> byte-identical
        if (r.report.launches.length === 0 && out !== src) throw new Error('a script without a launch was changed');
        if (!/pretrain_/.test(src) && out !== src) throw new Error('a script that names no pretrain_*.py was changed');
        if (out !== src && r.report.status !== 'changed') throw new Error(`output differs but status is ${r.report.status}`);
        const before = errorCount(src);
        if (before) stats.inputErrors++;
        if (out === src) return;
        // A violation of 2, 3 or 5 is first matched against the known bugs (see above).
        const fail = (message: string): void => {
          // By design: template placeholder lines (`<Specify path>`) are blanked for analysis and
          // the output is verified on that text; the file as written fragments differently.
          if (blankedTemplateLines(r.report)) return void stats.blankedTemplate++;
          throw new Error(message);
        };
        // 2. parses no worse
        const after = errorCount(out);
        if (after > before) return fail(`output has ${after} error regions, input had ${before}`);
        // 3. idempotent
        const again = migrate(out).output;
        if (again !== out) return fail(`not idempotent: second run changed the output\n--- first output:\n${out}\n--- second output:\n${again}`);
        // 5. locality
        const v = localityViolation(src, out);
        if (v) return fail(v);
        // 6. bash -n, on a sample
        if (haveBash && ++changedSeen % BASH_EVERY === 0) {
          stats.bashChecked++;
          if (bashN(src) && !bashN(out)) throw new Error('bash -n accepted the input but rejects the output');
        }
      }),
      { seed, numRuns: runs },
    );
    if (process.env.FUZZ_VERBOSE) console.log({ seed, ...stats });
    // The run exercised what it claims to.
    expect(stats.changed).toBeGreaterThan(runs / 10);
    if (haveBash) expect(stats.bashChecked).toBeGreaterThan(0);
  }, 120_000 + CHUNK * 60);
});

describe('fuzz regressions: core bugs the fuzzer found (fixed)', () => {
  // Bug A. Found by the locality property. bash -n rejects the input (unterminated backtick); the
  // core still migrates the launch: the unknown flag `--foo` takes the unterminated `\`...` word,
  // which runs to EOF, and deleting it deletes the next line `echo after` (and the final newline).
  // The output parses with no error, so verifyOutput() lets it through. Cause:
  // src/parse/error-regions.ts gives the zero-width MISSING node at EOF the region [p, p+1), and
  // overlaps() in src/migrate.ts uses half-open ranges, so a launch ending at p "does not overlap"
  // it. (On 4175289 the same happened with an unterminated double quote; on 2e11830 that one is
  // now hidden by template-line blanking, the backtick one is not.)
  it('A: a launch whose last word has an unterminated backtick is left alone', () => {
    const src = 'torchrun pretrain_gpt.py --num-layers 2 --foo`x\necho after\n';
    const r = migrate(src);
    expect(r.output).toContain('\necho after\n');
    expect(r.output).toBe(src);
  });

  // Bug B. Found by "never throws". migrate() is documented "Never throws for bad input", but the
  // seq-length rule (src/mapping/rules/seq-length.ts) calls typedValue() without catching its
  // ValueError. In the CLI the file becomes "internal error while migrating (please report it)";
  // in stdin mode the process dies with a stack trace and prints nothing (see bad-input.test.ts).
  it('B: a non-integer --seq-length / --max-position-embeddings does not make migrate() throw', () => {
    for (const flag of ['--seq-length', '--max-position-embeddings', '--num-virtual-stages-per-pipeline-rank']) {
      expect(() => migrate(`torchrun pretrain_gpt.py ${flag} abc --num-layers 2\n`), flag).not.toThrow();
    }
  });

  // Bug D (fixed in 59853c1 while this file was written, kept as a regression test). Found by the
  // locality property: deleting a whole flag line (array element, or `    --flag \` in a continued
  // launch) also deleted the next line's indentation (src/rewrite/edits.ts mergeDeletions()).
  it('D: removing a flag line keeps the indentation of the next line', () => {
    const arr = 'A=(\n    --DDP-impl local\n    # keep my indentation\n)\ntorchrun pretrain_gpt.py ${A[@]}\n';
    expect(migrate(arr).output).toContain('\n    # keep my indentation\n');
    const inline = 'torchrun pretrain_gpt.py \\\n    --use-mcore-models \\\n    --num-layers 2 \\\n    --mock-data\n';
    expect(migrate(inline).output).toMatch(/\n    model\.num_layers=2 \\\n/);
  });

  // Bug E. Found by idempotence. A command holding two entrypoint words (a duplicated
  // continuation line) gets its first entrypoint replaced and the flags after the second one
  // converted; a second run then replaces the second entrypoint. It should be reported and left
  // alone (or both treated consistently).
  it('E2: also when the second entrypoint word starts with an expansion (seed 777, 20,000 runs)', () => {
    const src = 'python -m torch.distributed.launch --nproc_per_node=2 ${M:-/m}/pretrain_gpt.py \\\npython -m torch.distributed.launch --nproc_per_node=2 ${M:-/m}/pretrain_gpt.py \\\n    --num-layers 0\n';
    const r = migrate(src);
    expect(r.output).toBe(src);
    expect(r.report.launches[0].findings[0].message).toMatch(/names a second entrypoint/);
    expect(r.report.launches[0].verdict).toBe('blocked');
  });

  it('G: a flag outside a quoted array element whose words are its values is reported, not spliced across the quote (Megatron-LM examples/gpt3, 2026)', () => {
    const src = 'A=(\n    --num-layers 2\n    --step-batch-size-schedule "0:16 2.4B:320"\n)\ntorchrun pretrain_gpt.py ${A[@]}\n';
    const r = migrate(src);
    expect(r.report.status).toBe('changed');
    expect(errorCount(r.output)).toBe(0);
    expect(r.output).toContain('    model.num_layers=2\n');
    // Megatron-LM received `0:16` and rejected `2.4B:320`: the flag and its whole element go.
    expect(r.output).not.toContain('2.4B:320"\n');
    const u = r.report.launches[0].removed.find((x) => x.flag === '--step-batch-size-schedule');
    expect(u?.kind).toBe('error');
    expect(u?.text).toBe('--step-batch-size-schedule "0:16 2.4B:320"');
    expect(u?.reason).toMatch(/^its value is split into separate words \(0:16 2\.4B:320\).*quote the expansion \("\$\{A\[@\]\}"\)/);
  });

  it('E: a command with two entrypoint words migrates idempotently', () => {
    const src = 'torchrun pretrain_gpt.py --num-layers 2 pretrain_gpt.py --hidden-size 8\n';
    const once = migrate(src).output;
    expect(migrate(once).output).toBe(once);
  });

  // Bug H. Found by idempotence (seed 27182, case 24,645 of 50,000). tree-sitter-bash splits
  // `"..."\CU=1` into two words, so the command `ssh node1 sh -c "... pretrain_gpt.py ..."\CU=1 ...
  // torchrun ... pretrain_gpt.py ...` holds a code string and an entrypoint word. The outer launch
  // was migrated and the body left; a second run then migrated the body (the outer entrypoint is
  // run_recipe.py by then). Both entrypoints are one command's: reported, nothing changed.
  it('H: a `sh -c "... pretrain_gpt.py ..."` body followed by a second entrypoint word is reported and left alone', () => {
    const cases = [
      'ssh node1 sh -c "cd /opt && python /opt/pretrain_gpt.py $EXTRA --save /ckpt/\\$JOB"\\CU=1 CU=1 torchrun --nproc_per_node 8 $MEGATRON/pretrain_gpt.py $EXTRA --fp16\n',
      'srun sh -c "torchrun pretrain_gpt.py --num-layers 2" pretrain_gpt.py --hidden-size 8\n',
    ];
    for (const src of cases) {
      const r = migrate(src);
      expect(r.output, src).toBe(src);
      expect(migrate(r.output).output).toBe(r.output);
      expect(r.report.launches[0].migrated).toBe(false);
      expect(r.report.launches[0].findings[0].message).toMatch(/names a second entrypoint/);
    }
  });

  // Bug I. Found by locality (seed 31337, case 34,074 of 50,000): `--local_rank \` followed by a
  // line `exit 0` made `exit` the value of --local_rank, and a launcher flag is removed with its
  // value without a line on stderr: `exit` vanished silently and a lone `0` was left.
  it('I: --local_rank does not swallow a next word that is no integer', () => {
    const src = 'torchrun pretrain_gpt.py \\\n    --swiglu \\\n    --local_rank \\\nexit 0\n';
    const r = migrate(src);
    expect(r.output).toContain('\nexit 0\n');
    expect(r.output).not.toContain('--local_rank \\');
    const u = r.report.launches[0].removed.find((x) => x.flag === '--local_rank');
    expect(u?.kind).toBe('error');
    expect(u?.text).toBe('--local_rank');
    expect(migrate(r.output).output).toBe(r.output);
    // an integer or an expansion is still its value, removed with it
    for (const value of ['0', '$LOCAL_RANK', '"${SLURM_LOCALID}"']) {
      const out = migrate(`torchrun pretrain_gpt.py --local_rank ${value} --num-layers 2\n`);
      expect(out.output).not.toContain(`--local_rank`);
      expect(out.report.launches[0].removed[0]).toMatchObject({ flag: '--local_rank', kind: 'launcher', text: `--local_rank ${value}` });
    }
  });

  // Bug J. Found by locality (seed 2718281, chunk seed 4118323). A flag whose values continue on
  // the next lines of an array, each line with its own comment, was replaced as one span: the
  // comments between the values were deleted (and the last one ended up after the override, as if
  // it described it). Now the flag is replaced on its own and each value word deleted.
  it('J: comments between a flag\'s values on several lines are kept', () => {
    const src = 'ARGS=(\n    --data-path 0.3 /data/a   # web text\n                0.7 /data/b   # code\n    --num-layers 2 # depth\n)\ntorchrun pretrain_gpt.py "${ARGS[@]}"\n';
    const r = migrate(src);
    expect(r.output).toContain(`    "dataset.data_path='0.3 /data/a 0.7 /data/b'"   # web text\n`);
    expect(r.output).toContain('# code\n');
    expect(r.output).toContain('    model.num_layers=2 # depth\n');
    expect(migrate(r.output).output).toBe(r.output);
    // removed flags too: word by word, comments kept
    const removed = migrate('ARGS=(\n    --my-fork-flag 1 # a\n        2 # b\n)\ntorchrun pretrain_gpt.py "${ARGS[@]}"\n').output;
    expect(removed).toContain('# a\n');
    expect(removed).toContain('# b\n');
  });

  // Bug K. Found by "parses no worse" (seed 99991, chunk seed 3600096). A stray `)` before the
  // launch: the output, re-parsed incrementally from the analysis tree, showed 1 error region, a
  // fresh parse 3; the result was returned as changed. With errors in the file the output is now
  // parsed afresh, and refused.
  it('K: with a syntax error in the file, an output that parses worse (fresh parse) is refused', () => {
    const src = 'X="--nnodes 1"\nA=1)torchrun --nproc_per_node 8 pretrain_gpt.py\npython -m torch.distributed.run --nproc_per_node 4 pretrain_gpt.py --train-data-path 0.3 "$RUN_NAME" --end-wd ${LR:-3.0e-4} --rl-durable-rollout-bank --load "run 7, fixed"\nexit 0\n';
    const r = migrate(src);
    expect(errorCount(r.output)).toBeLessThanOrEqual(errorCount(src));
  });

  // Bug F (c2657bf, src/migrate.ts): when lines with syntax errors were blanked for analysis,
  // verifyOutput() checks the edits applied to the blanked text, not the real output. Found by
  // "parses no worse": here the input has 1 error region (the stray `)`), the output 3, and the
  // result is returned as `changed` instead of being refused. (bash -n rejects both.)
  it('F: an output that parses worse than the input is refused, also when template lines were blanked', () => {
    const src = 'A=(\n    --num-layers 2\n)\n)\nA+=(--foo-bar)\ntorchrun pretrain_gpt.py ${A[@]}\n';
    const r = migrate(src);
    expect(errorCount(src)).toBe(1);
    expect(errorCount(r.output)).toBeLessThanOrEqual(errorCount(src));
  });
});
