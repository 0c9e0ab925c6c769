/**
 * Why the original launch itself would not have started under Megatron-LM as capture.py ran it:
 * capture.py gives every unset variable, positional parameter and command substitution a stand-in
 * (`1`, or nothing past `$9` and for `$(...)`), so some originals reach Megatron-LM with words its
 * argparse rejects, flags without their value, or zero iterations. A migrated launch that then
 * fails under Bridge fails for the stand-in, not for the migration; the table counts it apart.
 * Returns a reason, or null when the original's argv is well formed.
 */
import { splitMegatronArgv } from './megatron-argv.mjs';

/**
 * `forwardedWords`: words the script's own callers pass ("$@"), which are not judged. `worldSize`:
 * the launcher's process count as captured (null when unknown).
 */
export function originalInvalid(words, table, forwardedWords = new Set(), worldSize = null) {
  const { flags, positionals } = splitMegatronArgv(words, table);
  const stray = positionals.find((positional) => !forwardedWords.has(positional.word));
  if (stray) return `the original passes '${stray.word}' where Megatron-LM expects a flag (argparse: unrecognized arguments)`;
  const missing = flags.find((flag) => flag.missingValue);
  if (missing) return `the original passes ${missing.spelled} without its value`;
  const last = new Map(flags.map((flag) => [flag.flag, flag]));
  const dataPath = last.get('--data-path');
  if (dataPath && dataPath.values.length === 0 && !last.has('--mock-data')) return 'the original passes --data-path with no path (its value is a command substitution or an unset variable)';
  if (dataPath && dataPath.values.length && dataPath.values.every((value) => value === '1')) return "the original's --data-path is capture.py's stand-in `1` (no such dataset: Megatron-LM stops when it builds the data)";
  const integer = (flag, fallback) => {
    const value = last.get(flag)?.values[0];
    return value === undefined ? fallback : /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const [micro, global, tp, pp, cp] = [integer('--micro-batch-size', undefined), integer('--global-batch-size', undefined), integer('--tensor-model-parallel-size', 1), integer('--pipeline-model-parallel-size', 1), integer('--context-parallel-size', 1)];
  if (worldSize && micro && global && tp && pp && cp && worldSize % (tp * pp * cp) === 0) {
    const dataParallel = worldSize / (tp * pp * cp);
    // megatron/training/arguments.py asserts this before anything else runs.
    if (global % (micro * dataParallel) !== 0) return `the original's global batch ${global} is not a multiple of micro batch ${micro} x ${dataParallel} data-parallel ranks (${worldSize} processes as captured, often capture.py's stand-in counts): Megatron-LM stops at start-up`;
  }
  const iterations = last.get('--train-iters');
  if (iterations && iterations.values[0] === '0') return 'the original trains for 0 iterations (--train-iters is arithmetic over stand-in values)';
  // megatron/training/arguments.py validate_args: "Check required arguments" asserts num_layers (or
  // encoder_num_layers), hidden_size and num_attention_heads are not None, unless a YAML config or the
  // checkpoint's own arguments (--use-checkpoint-args, loaded before that check) supply them.
  const shapeElsewhere = ['--yaml-cfg', '--use-checkpoint-args'].some((flag) => last.has(flag));
  const shapeMissing = [['--num-layers', '--encoder-num-layers'], ['--hidden-size'], ['--num-attention-heads']].filter((spellings) => !spellings.some((flag) => last.has(flag)));
  if (!shapeElsewhere && shapeMissing.length) return `the original passes no ${shapeMissing.map((spellings) => spellings[0]).join(', ')} (from a file or variable missing where capture.py ran it): Megatron-LM stops in validate_args ("... argument is None")`;
  return null;
}
