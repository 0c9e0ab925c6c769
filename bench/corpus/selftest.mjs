#!/usr/bin/env node
// Checks the harness's own judgement on hand-written launches (no repository content, no sandbox):
//   node bench/corpus/selftest.mjs
// Each case is an original Megatron-LM argv, a migrated run_recipe.py argv and the tool's report for it, as
// capture.py and --json would give them, and the exact verdict the comparison must reach.
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareLaunch } from './lib/compare.mjs';
import { parseHydraValue } from './lib/hydra.mjs';
import { findLaunches, worldSize } from './lib/launch-calls.mjs';
import { loadTable, splitMegatronArgv } from './lib/megatron-argv.mjs';
import { contextFinder } from './lib/source-context.mjs';
import { originalInvalid } from './lib/stand-ins.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const table = loadTable(root);
const RUNNER = ['torchrun', '--nproc_per_node', '4', '/opt/bridge/scripts/training/run_recipe.py', '--recipe', 'vanilla_gpt_pretrain_config', '--dataset', 'mock'];

function judge(originalArgv, migratedArgv, report) {
  const [original] = findLaunches([originalArgv]);
  const [migrated] = migratedArgv ? findLaunches([migratedArgv]) : [null];
  return compareLaunch({ original, migrated, reportLaunch: { migrated: true, overrides: [], unmapped: [], pinned: [], ...report }, table, lineOf: () => 7, forwardsArgs: false });
}

const cases = [
  ['every value arrives, numbers written differently count as equal', () => {
    const record = judge(
      ['torchrun', 'pretrain_gpt.py', '--num-layers', '12', '--lr', '3e-4', '--train-iters', '2_000_000', '--no-bias-gelu-fusion'],
      [...RUNNER, 'model.num_layers=12', 'optimizer.lr=float(0.0003)', 'train.train_iters=2000000', 'model.bias_activation_fusion=false'],
      { overrides: [
        { key: 'model.num_layers', flag: '--num-layers', value: '12', line: 3 },
        { key: 'optimizer.lr', flag: '--lr', value: 'float(3e-4)', line: 4 },
        { key: 'train.train_iters', flag: '--train-iters', value: '2_000_000', line: 5 },
        { key: 'model.bias_activation_fusion', flag: '--no-bias-gelu-fusion', value: 'false', line: 6 },
      ] });
    assert.equal(record.status, 'migrated');
    assert.equal(record.mappable, 4);
    assert.equal(record.arrived, 4);
    assert.deepEqual(record.lost, []);
    assert.deepEqual(record.strays, []);
  }],
  ['a flag the resolver never saw reaches run_recipe.py raw: lost, and its words are strays', () => {
    const record = judge(
      ['python', 'pretrain_gpt.py', '--num-layers', '12', '--hidden-size', '768'],
      [...RUNNER, 'model.num_layers=12', '--hidden-size', '768'],
      { overrides: [{ key: 'model.num_layers', flag: '--num-layers', value: '12', line: 3 }] });
    assert.equal(record.arrived, 1);
    assert.deepEqual(record.lost.map((lost) => [lost.flag, lost.key, lost.cause]), [['--hidden-size', 'model.hidden_size', 'flag-left-raw']]);
    assert.deepEqual(record.strays.map((stray) => [stray.word, stray.cause]), [['--hidden-size', 'megatron-flag-left'], ['768', 'value-word-left']]);
  }],
  ['stand-in words of unset option strings after a flag of unknown arity in the original are not strays, as many as it had', () => {
    // `--fork-tokenizer Tok ${unset_opts} ${more_unset}`: capture.py's "1" for each unset variable reaches both runs.
    const record = judge(
      ['torchrun', 'pretrain_gpt.py', '--num-layers', '1', '--fork-tokenizer', 'Tok', '1', '1'],
      [...RUNNER, 'model.num_layers=1', '1', '1', '1'],
      { overrides: [{ key: 'model.num_layers', flag: '--num-layers', value: '1', line: 3 }], unmapped: [{ flag: '--fork-tokenizer', line: 4, kind: 'unmapped', reason: 'fork flag' }] });
    assert.deepEqual(record.strays.map((stray) => [stray.word, stray.cause]), [['1', 'stand-in-also-in-original'], ['1', 'stand-in-also-in-original'], ['1', 'value-word-left']]);
    // A fork switch the report removed alone (`--fork-switch`): every stand-in after it is spare.
    const afterSwitch = judge(
      ['torchrun', 'pretrain_gpt.py', '--num-layers', '1', '--fork-switch', '1', '1'],
      [...RUNNER, 'model.num_layers=1', '1', '1', '1'],
      { overrides: [{ key: 'model.num_layers', flag: '--num-layers', value: '1', line: 3 }], unmapped: [{ flag: '--fork-switch', line: 4, text: '--fork-switch', kind: 'unmapped', reason: 'fork flag' }] });
    assert.deepEqual(afterSwitch.strays.map((stray) => [stray.word, stray.cause]), [['1', 'stand-in-also-in-original'], ['1', 'stand-in-also-in-original'], ['1', 'value-word-left']]);
  }],
  ['a value with blanks split into words: the override holds the first word, the rest are strays', () => {
    const record = judge(
      ['torchrun', 'pretrain_gpt.py', '--tokenizer-model', 'PATH OR NAME'],
      [...RUNNER, "tokenizer.tokenizer_model='PATH'", 'OR', 'NAME'],
      { overrides: [{ key: 'tokenizer.tokenizer_model', flag: '--tokenizer-model', value: "'PATH'", line: 3 }] });
    assert.deepEqual(record.lost.map((lost) => [lost.flag, lost.cause, lost.got]), [['--tokenizer-model', 'value-split-into-words', 'PATH']]);
    assert.deepEqual(record.strays.map((stray) => [stray.word, stray.cause, stray.flag]), [['OR', 'piece-of-a-value-with-blanks', '--tokenizer-model'], ['NAME', 'piece-of-a-value-with-blanks', '--tokenizer-model']]);
  }],
  ['a pinned default in the place of a value the tool did not carry is a loss, and says who holds the key', () => {
    const record = judge(
      ['torchrun', 'pretrain_gpt.py', '--adam-beta2', '0.95'],
      [...RUNNER, 'optimizer.adam_beta2=0.999'],
      { pinned: [{ key: 'optimizer.adam_beta2', flag: '--adam-beta2', value: '0.999', line: 2 }] });
    assert.deepEqual(record.lost.map((lost) => [lost.flag, lost.cause, lost.got, lost.gotFrom]), [['--adam-beta2', 'not-in-report', '0.999', 'the pinned Megatron-LM default']]);
  }],
  ['a negative value that changes is counted as a changed negative', () => {
    const record = judge(
      ['torchrun', 'pretrain_gpt.py', '--eval-iters', '-1'],
      [...RUNNER, 'validation.eval_iters=1'],
      { overrides: [{ key: 'validation.eval_iters', flag: '--eval-iters', value: '1', line: 3 }] });
    assert.equal(record.negatives, 1);
    assert.deepEqual(record.negativesChanged.map((lost) => [lost.flag, lost.got]), [['--eval-iters', '1']]);
  }],
  ['deepspeed adds --local_rank; --load is read as --load_dir; a bad --dataset is rejected', () => {
    const record = judge(
      ['deepspeed', 'pretrain_gpt.py', '--load', '/ckpt'],
      ['deepspeed', 'run_recipe.py', '--recipe', 'x', '--dataset', 'megatron-indexed', '--load', '/ckpt', '--dataset', 'MMAP'],
      {});
    assert.deepEqual(record.strays.map((stray) => stray.cause), ['deepspeed-launcher-adds-local-rank', 'runner-option-rejected-by-argparse']);
    assert.deepEqual(record.runnerFlags.map((flag) => [flag.word, flag.reads]), [['--load', '--load_dir'], ['--dataset', '--dataset']]);
    assert.equal(record.arrived, 1, 'checkpoint.load=/ckpt through run_recipe.py --load_dir');
  }],
  ['a launch the migrated script still starts with pretrain_gpt.py is not migrated, reported or not', () => {
    const argv = ['torchrun', 'pretrain_bert.py', '--num-layers', '2'];
    const [original] = findLaunches([argv]);
    const quiet = compareLaunch({ original, migrated: original, reportLaunch: null, table, lineOf: () => null });
    const said = compareLaunch({ original, migrated: original, reportLaunch: { migrated: false, warnings: [{ message: 'no recipe family' }] }, table, lineOf: () => null });
    assert.equal(quiet.status, 'unreported-not-migrated');
    assert.equal(said.status, 'reported-not-migrated');
    assert.equal(said.reason, 'no recipe family');
  }],
  ['the argv is split by the table: arity, --x=v, a flag without its value, unknown flags take their words', () => {
    const { flags, positionals } = splitMegatronArgv(['--num-layers=4', '--split', '--bf16', '--fork-x', 'a', 'b', 'stray?'], table);
    assert.deepEqual(flags.map((item) => [item.flag, item.values, item.missingValue]), [
      ['--num-layers', ['4'], false], ['--split', [], true], ['--bf16', [], false], ['--fork-x', ['a', 'b', 'stray?'], false],
    ]);
    assert.deepEqual(positionals, []);
  }],
  ['Hydra values: quotes, lists, casts, escapes', () => {
    assert.deepEqual(parseHydraValue("'a b'"), { kind: 'string', value: 'a b' });
    assert.deepEqual(parseHydraValue("[1,'x, y']"), { kind: 'list', value: ['1', 'x, y'] });
    assert.deepEqual(parseHydraValue('int(8)'), { kind: 'string', value: '8', cast: 'int' });
    assert.deepEqual(parseHydraValue('a\\,b'), { kind: 'string', value: 'a,b' });
    assert.deepEqual(parseHydraValue('null'), { kind: 'null', value: null });
  }],
  ['world size from the launcher, through wrappers and srun', () => {
    const [torchrun] = findLaunches([['numactl', '--membind=0', 'torchrun', '--nproc_per_node=8', '--nnodes', '2', 'run_recipe.py']]);
    assert.deepEqual(worldSize(torchrun), { worldSize: 16, nprocPerNode: 8, nnodes: 2, from: 'torchrun' });
    const [bare] = findLaunches([['srun', '-n', '4', 'python', 'run_recipe.py'], ['python', 'run_recipe.py']]);
    assert.deepEqual(worldSize(bare), { worldSize: 4, from: 'srun --ntasks' });
    const [unknown] = findLaunches([['deepspeed', 'run_recipe.py']]);
    assert.equal(worldSize(unknown).worldSize, null);
  }],
  ['where a flag was written: array expanded into a string run by eval', () => {
    const text = ['MODEL=(', '  --num-layers 2', ')', 'CMD="torchrun pretrain_gpt.py ${MODEL[@]}"', 'eval $CMD'].join('\n');
    const context = contextFinder(text);
    assert.equal(context(2), 'array, expanded into a string');
    assert.equal(context(4), 'launch kept in a string, run by eval');
  }],
  ['an original with a stand-in positional word, a flag without its value, no data path, 0 iterations or no model shape is invalid itself', () => {
    const shape = ['--num-layers', '2', '--hidden-size', '8', '--num-attention-heads', '2'];
    assert.equal(originalInvalid(['--num-layers', '4', '1'], table), "the original passes '1' where Megatron-LM expects a flag (argparse: unrecognized arguments)");
    assert.equal(originalInvalid(['--num-layers', '4', '--hidden-size', '8', '--num-attention-heads', '2', '1'], table, new Set(['1'])), null);
    assert.equal(originalInvalid(['--num-layers', '--hidden-size', '8'], table), 'the original passes --num-layers without its value');
    assert.equal(originalInvalid(['--data-path', '--split', '9,1,0'], table), 'the original passes --data-path with no path (its value is a command substitution or an unset variable)');
    assert.equal(originalInvalid([...shape, '--data-path', '--mock-data'], table), null);
    assert.equal(originalInvalid(['--train-iters', '0'], table), 'the original trains for 0 iterations (--train-iters is arithmetic over stand-in values)');
    assert.equal(originalInvalid([...shape, '--data-path', 'a', '--train-iters', '10'], table), null);
    assert.equal(originalInvalid(['--num-layers', '4', '--data-path', 'a', '--train-iters', '10'], table), 'the original passes no --hidden-size, --num-attention-heads (from a file or variable missing where capture.py ran it): Megatron-LM stops in validate_args ("... argument is None")');
    assert.equal(originalInvalid(['--encoder-num-layers', '4', '--hidden-size', '8', '--num-attention-heads', '2'], table), null);
    assert.equal(originalInvalid(['--use-checkpoint-args', '--load', 'ckpt'], table), null);
    assert.equal(originalInvalid(['--data-path', '1'], table), "the original's --data-path is capture.py's stand-in `1` (no such dataset: Megatron-LM stops when it builds the data)");
    assert.equal(originalInvalid(['--micro-batch-size', '1', '--global-batch-size', '1', '--data-path', 'a'], table, new Set(), 2), "the original's global batch 1 is not a multiple of micro batch 1 x 2 data-parallel ranks (2 processes as captured, often capture.py's stand-in counts): Megatron-LM stops at start-up");
    assert.equal(originalInvalid([...shape, '--micro-batch-size', '1', '--global-batch-size', '4', '--tensor-model-parallel-size', '2', '--data-path', 'a'], table, new Set(), 8), null);
  }],
];

let failed = 0;
for (const [name, check] of cases) {
  try {
    check();
    console.log(`ok   ${name}`);
  } catch (error) {
    failed += 1;
    console.log(`FAIL ${name}\n${error.message}`);
  }
}
console.log(`${cases.length - failed}/${cases.length} passed`);
process.exit(failed ? 1 : 0);
