// Reading the argv run_recipe.py receives: its own options, KEY=VALUE overrides, and anything else (strays).
// The option list is that of scripts/training/run_recipe.py at Megatron Bridge's v0.6.0 tag (the 0.6.x line
// the project pins); it uses parse_known_args and rejects every leftover word that starts with `-` or has no `=`.
import { parseHydraValue, parseOverrideWord } from './hydra.mjs';

const RUNNER_VALUE_OPTIONS = [
  '--model', '--recipe', '--mode', '--step-func', '--step_func', '--dataset',
  '-ms', '--max_steps', '-gb', '--global_batch_size', '-mb', '--micro_batch_size', '-sl', '--seq_length',
  '-tp', '--tensor_model_parallel_size', '-pp', '--pipeline_model_parallel_size', '-cp', '--context_parallel_size',
  '-vp', '--virtual_pipeline_model_parallel_size', '-ep', '--expert_model_parallel_size',
  '-etp', '--expert_tensor_parallel_size', '--lr', '--min_lr', '--warmup_iters',
  '--pretrained_checkpoint', '--save_dir', '--load_dir', '--save_interval',
];
const RUNNER_SWITCHES = ['--dry-run', '--dry_run', '--deterministic', '--dump-env', '--dump_env', '-h', '--help'];
export const RUNNER_OPTIONS = new Set([...RUNNER_VALUE_OPTIONS, ...RUNNER_SWITCHES]);
const VALUE_OPTIONS = new Set(RUNNER_VALUE_OPTIONS);
const SHORT = { '-ms': '--max_steps', '-gb': '--global_batch_size', '-mb': '--micro_batch_size', '-sl': '--seq_length',
  '-tp': '--tensor_model_parallel_size', '-pp': '--pipeline_model_parallel_size', '-cp': '--context_parallel_size',
  '-vp': '--virtual_pipeline_model_parallel_size', '-ep': '--expert_model_parallel_size', '-etp': '--expert_tensor_parallel_size' };
// run_recipe.py's COMMON_OVERRIDE_FIELDS: these options become overrides placed before the trailing ones.
const OPTION_KEYS = {
  '--max_steps': 'train.train_iters', '--global_batch_size': 'train.global_batch_size',
  '--micro_batch_size': 'train.micro_batch_size', '--seq_length': 'dataset.seq_length',
  '--tensor_model_parallel_size': 'model.tensor_model_parallel_size', '--pipeline_model_parallel_size': 'model.pipeline_model_parallel_size',
  '--context_parallel_size': 'model.context_parallel_size', '--virtual_pipeline_model_parallel_size': 'model.virtual_pipeline_model_parallel_size',
  '--expert_model_parallel_size': 'model.expert_model_parallel_size', '--expert_tensor_parallel_size': 'model.expert_tensor_parallel_size',
  '--lr': 'optimizer.lr', '--min_lr': 'optimizer.min_lr', '--warmup_iters': 'scheduler.lr_warmup_iters',
  '--pretrained_checkpoint': 'checkpoint.pretrained_checkpoint', '--save_dir': 'checkpoint.save',
  '--load_dir': 'checkpoint.load', '--save_interval': 'checkpoint.save_interval',
};

/** argparse's prefix matching: a `--x` that abbreviates exactly one long runner option. */
function abbreviationOf(word) {
  if (!word.startsWith('--')) return null;
  const name = word.split('=')[0];
  const hits = [...RUNNER_OPTIONS].filter((option) => option.startsWith('--') && option.startsWith(name));
  return hits.length === 1 ? hits[0] : null;
}

/**
 * words: the argv after run_recipe.py. Returns
 * { options: [{ name, spelled, value, index, abbreviates }], overrides: [{ key, prefix, valueText, value, kind, index, word }],
 *   strays: [{ word, index }] }. A `--x` that abbreviates one runner option is that option, as argparse reads it.
 */
export function readRecipeArgv(words) {
  const options = [];
  const overrides = [];
  const strays = [];
  for (let index = 0; index < words.length; index += 1) {
    const word = words[index];
    if (word.startsWith('-')) {
      const equals = word.indexOf('=');
      const spelled = equals > 0 ? word.slice(0, equals) : word;
      const abbreviates = RUNNER_OPTIONS.has(spelled) ? null : abbreviationOf(word);
      if (!RUNNER_OPTIONS.has(spelled) && !abbreviates) {
        strays.push({ word, index });
        continue;
      }
      const name = SHORT[spelled] ?? abbreviates ?? spelled;
      let value = equals > 0 ? word.slice(equals + 1) : null;
      if (value === null && VALUE_OPTIONS.has(name) && index + 1 < words.length) value = words[++index];
      options.push({ name, spelled, value, index, abbreviates });
      continue;
    }
    const override = word.includes('=') || word.startsWith('~') ? parseOverrideWord(word) : null;
    if (override) {
      const parsed = parseHydraValue(override.valueText);
      overrides.push({ ...override, value: parsed.value, kind: parsed.kind, index, word });
    } else {
      strays.push({ word, index });
    }
  }
  return { options, overrides, strays };
}

const DATASETS = ['mock', 'megatron-indexed', 'squad', 'tulu3', 'openmathinstruct2', 'openmathinstruct2-thinking', 'gsm8k',
  'local-jsonl', 'local-vlm', 'cord-v2', 'llava-video-178k', 'medpix', 'raven'];
const CHOICES = { '--mode': ['pretrain', 'sft', 'lora', 'dora'] };
const INT_OPTIONS = new Set(['--max_steps', '--global_batch_size', '--micro_batch_size', '--seq_length', '--tensor_model_parallel_size',
  '--pipeline_model_parallel_size', '--context_parallel_size', '--virtual_pipeline_model_parallel_size',
  '--expert_model_parallel_size', '--expert_tensor_parallel_size', '--warmup_iters', '--save_interval']);
const FLOAT_OPTIONS = new Set(['--lr', '--min_lr']);

/**
 * Runner options argparse itself rejects: a value outside the choices, not an int / float, or a value
 * option given last with no value. (--dataset's choices are Bridge v0.6.0's DATASET_PRESETS keys, as far as
 * that tag lists them; a name outside it is reported, for a person to check.)
 */
export function rejectedOptions(options) {
  const problems = [];
  for (const option of options) {
    const { name, value } = option;
    if (!VALUE_OPTIONS.has(name)) continue;
    let why = null;
    if (value === null) why = 'needs a value';
    else if (name === '--dataset' && !DATASETS.includes(value) && !value.startsWith('-')) why = `invalid choice ${value}`;
    else if (CHOICES[name] && !CHOICES[name].includes(value)) why = `invalid choice ${value}`;
    else if (INT_OPTIONS.has(name) && !/^[+-]?\d+$/.test(value)) why = `not an int: ${value}`;
    else if (FLOAT_OPTIONS.has(name) && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?(inf|nan)$/i.test(value)) why = `not a float: ${value}`;
    if (why) problems.push({ word: `${option.spelled}${value === null ? '' : ` ${value}`}`, why, option });
  }
  return problems;
}

/** The overrides run_recipe.py builds from its own options (argparse: the last one given wins), in its order. */
export function optionOverrides(options) {
  const last = new Map();
  for (const option of options) if (OPTION_KEYS[option.name] && option.value !== null) last.set(option.name, option);
  return Object.entries(OPTION_KEYS).filter(([name]) => last.has(name)).map(([name, key]) => {
    const option = last.get(name);
    return { key, prefix: '', valueText: option.value, value: option.value, kind: 'string', index: option.index, word: `${option.spelled} ${option.value}`, fromOption: name };
  });
}

/** The value each key ends with (Hydra applies overrides in order; the last one wins). */
export function finalOverrides(overrides) {
  const byKey = new Map();
  for (const override of overrides) byKey.set(override.key, override);
  return byKey;
}
