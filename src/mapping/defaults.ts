/**
 * Megatron-LM defaults that the recipe would silently change. When the script leaves a setting at
 * Megatron-LM's default, an override keeping Megatron-LM's value is pinned on the launch
 * (src/mapping/defaults.generated.json, from scripts/generate-mapping.mjs), plus a few pins that
 * depend on what the script does set. Values Megatron-LM computes from the run (global batch size
 * from the data-parallel size) cannot be pinned: they become warnings.
 */
import generated from './defaults.generated.json' with { type: 'json' };
import type { FlagOccurrence } from '../resolve/types.js';
import type { FlagTable } from './table.js';
import type { Override } from './hydra.js';
import { error, warning, type Message } from '../findings.js';
import { literalIntegers } from './start-checks.js';

export interface DefaultPin {
  key: string;
  flag: string;
  mlmDefault: string;
  recipeValue?: unknown;
  note?: string;
}

const rows = generated as DefaultPin[];

/**
 * Pins that only matter when a feature is on: pinned only when the script uses it (a flag present,
 * or a flag with a value matching `value`). Keeps the pinned list to what can change the run.
 */
const ONLY_WHEN: Record<string, { flags: string[]; value?: RegExp }> = {
  'optimizer.muon_momentum': { flags: ['--optimizer'], value: /muon/i },
  'optimizer.muon_tp_mode': { flags: ['--optimizer'], value: /muon/i },
  'optimizer.optimizer_offload_fraction': { flags: ['--optimizer-cpu-offload'] },
  'ddp.data_parallel_sharding_strategy': { flags: ['--use-megatron-fsdp', '--use-custom-fsdp'] },
  'checkpoint.strict_fsdp_dtensor_load': { flags: ['--ckpt-format'], value: /fsdp_dtensor/ },
  'checkpoint.use_persistent_ckpt_worker': { flags: ['--async-save'] },
  'checkpoint.save_interval': { flags: ['--save'] },
  'profiling.profile_ranks': { flags: ['--profile', '--use-pytorch-profiler'] },
  'profiling.memory_snapshot_path': { flags: ['--record-memory-history'] },
  'model.rope_scaling_factor': { flags: ['--use-rope-scaling'] },
  'scheduler.lr_wsd_decay_style': { flags: ['--lr-decay-style'], value: /^WSD$/ },
  'dataset.split': { flags: ['--data-path'] },
};

export interface Pin {
  override: Override;
  flag: string;
  note?: string;
}

/**
 * Megatron-LM settings that no flag holds but its argument code computes from others, where the
 * vanilla recipe differs (checked on a GPU by bench/equivalence):
 * - bias + activation fusion: on unless switched off (--no-bias-swiglu-fusion with --swiglu,
 *   --no-bias-gelu-fusion or --disable-bias-linear without it); the recipe has it off;
 * - fp32 (no --bf16/--fp16/FP8 flag): the optimizer and gradient reduction are fp32 too; the
 *   recipe keeps bf16 ones beside mixed_precision=null.
 */
function computedPins(setFlags: Set<string>, setKeys: Set<string>): Pin[] {
  const pins: Pin[] = [];
  const pin = (key: string, text: string, flag: string, note: string, ownedBy?: string) => {
    // A key the launch sets wins, except where the flags that spell it are read one at a time.
    if (ownedBy ? !setFlags.has(ownedBy) : !setKeys.has(key)) pins.push({ override: { key, value: { kind: 'raw', text } }, flag, note });
  };
  const swiglu = setFlags.has('--swiglu');
  const fused = swiglu ? !setFlags.has('--no-bias-swiglu-fusion') : !setFlags.has('--no-bias-gelu-fusion') && !setFlags.has('--disable-bias-linear');
  const fusionFlag = swiglu ? '--no-bias-swiglu-fusion' : '--no-bias-gelu-fusion';
  if (fused) pin('model.bias_activation_fusion', 'true', fusionFlag, 'Megatron-LM fuses bias and activation unless told not to; the recipe does not', fusionFlag);
  const precision = ['--bf16', '--fp16', '--fp8-format', '--fp4-format'].some((f) => setFlags.has(f));
  if (!precision) {
    pin('optimizer.bf16', 'false', '--bf16', 'fp32 training: Megatron-LM\'s optimizer works in fp32');
    pin('ddp.grad_reduce_in_fp32', 'false', '--accumulate-allreduce-grads-in-fp32', 'fp32 training: Megatron-LM reduces the fp32 gradients as they are');
  }
  return pins;
}

/** Pins and findings for one launch. */
/**
 * For a family recipe (--recipe NAME): its model settings are the point of choosing it, but its
 * parallel layout is not: the script's launcher sized the job for Megatron-LM's defaults (no
 * tensor, pipeline, context or expert parallelism unless the script asks). Pinned unless the
 * script sets them.
 */
const LAYOUT_DEFAULTS: Array<[key: string, value: string, flag: string]> = [
  ['model.tensor_model_parallel_size', '1', '--tensor-model-parallel-size'],
  ['model.pipeline_model_parallel_size', '1', '--pipeline-model-parallel-size'],
  ['model.virtual_pipeline_model_parallel_size', 'null', '--num-virtual-stages-per-pipeline-rank'],
  ['model.context_parallel_size', '1', '--context-parallel-size'],
  ['model.expert_model_parallel_size', '1', '--expert-model-parallel-size'],
  ['model.sequence_parallel', 'false', '--sequence-parallel'],
];

export function layoutPins(occurrences: FlagOccurrence[], table: FlagTable): { pins: Pin[]; findings: Message[] } {
  const setKeys = new Set(occurrences.filter((o) => !o.condition).flatMap((o) => table.lookup(o.flag)?.keys ?? []));
  const pins = LAYOUT_DEFAULTS.filter(([key]) => !setKeys.has(key)).map(([key, text, flag]) => ({ override: { key, value: { kind: 'raw' as const, text } }, flag, note: "Megatron-LM's default parallel layout; the recipe's own may need more processes than the launcher starts" }));
  const findings = pins.length ? [warning(`the recipe's parallel layout is replaced by Megatron-LM's defaults where the script does not set one (${pins.map((p) => p.override.key.replace('model.', '')).join(', ')}), since the launcher sized the job for them; the rest of the recipe's settings apply`)] : [];
  return { pins, findings };
}

const SHAPE_KEYS: Record<string, string> = { '--num-layers': 'model.num_layers', '--hidden-size': 'model.hidden_size', '--num-attention-heads': 'model.num_attention_heads' };

/** `worldSize`: how many processes the launcher starts, when its words say (computed on demand). */
export function pinnedDefaults(occurrences: FlagOccurrence[], table: FlagTable, worldSize: () => { size: number; from: string } | undefined = () => undefined): { pins: Pin[]; findings: Message[] } {
  const findings: Message[] = [];
  const setKeys = new Set<string>();
  const setFlags = new Set<string>();
  const values = new Map<string, string[]>();
  /** Flags the launch may use, conditional ones (`${X:+--save $X}`) included: they switch feature pins on. */
  const usedFlags = new Set<string>();
  const usedValues = new Map<string, string[]>();
  for (const o of occurrences) {
    const e = table.lookup(o.flag);
    const flag = e?.flag ?? o.flag;
    const texts = o.values.map((v) => v.parts.map((p) => p.text).join(''));
    usedFlags.add(flag);
    usedValues.set(flag, [...(usedValues.get(flag) ?? []), ...texts]);
    // A conditional flag still gets its key pinned: the pin holds Megatron-LM's default for when
    // the condition fails, and the conditional override after it wins when it holds.
    if (o.condition) continue;
    values.set(flag, [...(values.get(flag) ?? []), ...texts]);
    setFlags.add(flag);
    for (const k of [...(e?.keys ?? []), ...Object.keys(e?.companions ?? {})]) setKeys.add(k);
  }
  const applies = (key: string) => {
    const cond = ONLY_WHEN[key];
    if (!cond) return true;
    return cond.flags.some((f) => usedFlags.has(f) && (!cond.value || (usedValues.get(f) ?? []).some((v) => cond.value!.test(v))));
  };
  const pins: Pin[] = rows
    .filter((p) => !setFlags.has(p.flag) && !setKeys.has(p.key) && applies(p.key))
    .map((p) => ({ override: { key: p.key, value: { kind: 'raw' as const, text: p.mlmDefault } }, flag: p.flag, note: p.note }));
  for (const pin of computedPins(setFlags, setKeys)) pins.push(pin);
  if (!setFlags.has('--global-batch-size')) {
    // Megatron-LM: global batch = micro batch x data-parallel size (world / (TP x PP x CP)); the
    // old `--batch-size` is the micro batch under its earlier name.
    const int = literalIntegers(occurrences, table);
    const micro = int('--micro-batch-size') ?? int('--batch-size');
    const model = [int('--tensor-model-parallel-size', 1), int('--pipeline-model-parallel-size', 1), int('--context-parallel-size', 1)];
    const world = micro !== undefined && model.every((n) => n !== undefined) ? worldSize() : undefined;
    const parallel = model.reduce((a, b) => a! * b!, 1)!;
    if (world && micro && world.size % parallel === 0) {
      const global = micro * (world.size / parallel);
      pins.push({ override: { key: 'train.global_batch_size', value: { kind: 'raw', text: String(global) } }, flag: '--global-batch-size', note: `Megatron-LM's micro-batch-size x data-parallel size: ${micro} x ${world.size / parallel} (${world.from})` });
    } else {
      findings.push(warning('no --global-batch-size: Megatron-LM used micro-batch-size x data-parallel size, which bridge-migrate cannot work out here (the process count or a parallel size comes from the environment); the recipe uses 32, and a run whose micro-batch x data-parallel size does not divide it stops at start-up. Set train.global_batch_size to the value your run had'));
    }
  }
  const shape = ['--num-layers', '--hidden-size', '--num-attention-heads'].filter((flag) => !setFlags.has(flag));
  if (shape.length) {
    // vanilla_gpt_pretrain_config builds a model of 0 layers, hidden size 0 and 0 heads.
    findings.push(error(`no ${shape.join(', ')} found: vanilla_gpt_pretrain_config has no model shape of its own (0), so Bridge stops at start-up (hidden_size // num_attention_heads in TransformerConfig); Megatron-LM required them too. If a variable bridge-migrate cannot see passes them, write them there as Bridge overrides (${shape.map((flag) => `${SHAPE_KEYS[flag]}=...`).join(' ')})`));
  }
  if (!setFlags.has('--micro-batch-size') && !setFlags.has('--batch-size')) {
    findings.push(warning('no --micro-batch-size found: the recipe uses 2; set train.micro_batch_size'));
  }
  if (!setFlags.has('--train-iters') && !setFlags.has('--train-samples')) {
    findings.push(warning('no --train-iters or --train-samples found: the recipe trains for 300000 iterations; set train.train_iters'));
  }
  return { pins, findings };
}
