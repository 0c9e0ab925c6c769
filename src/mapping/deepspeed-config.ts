/**
 * A DeepSpeed config that the script writes itself (resolve/deepspeed-config.ts), read as the
 * Megatron-LM flags it stands for. Under `--deepspeed`, Megatron-DeepSpeed hands its model and a
 * bare torch optimizer to `deepspeed.initialize` (megatron/optimizer/__init__.py returns before
 * Megatron's fp16 wrapper and gradient clipping), so the config's gradient_clipping and fp16 loss
 * scaling are what trained, and Megatron-LM's --clip-grad / --loss-scale* were not used. Each
 * setting is one entry of SETTINGS: read into stand-in flags, checked against the launch, ignored
 * with the reason (logging, memory layout), or blocking (Bridge cannot do it, or the value is
 * not known). The stand-ins go through the same table and rules as written flags; their overrides
 * are written where --deepspeed_config was.
 */
import { note, type Message } from '../findings.js';
import type { FlagOccurrence, Token } from '../resolve/types.js';
import type { DeepspeedConfig } from '../resolve/deepspeed-config.js';
import { removed, type Conversion } from './convert.js';
import type { FlagTable } from './table.js';

type Read = Extract<DeepspeedConfig, { kind: 'read' }>;

/** What the launch's own flags say, as the reading needs them. */
export interface LaunchFlags {
  /** The occurrences of a canonical flag. */
  of(flag: string): FlagOccurrence[];
  /** A value word's text with the script's fixed values put in, or undefined. */
  text(token: Token): string | undefined;
}

interface Reading {
  standIns: Array<{ flag: string; value?: string; from: string }>;
  overridden: Array<{ occurrence: FlagOccurrence; reason: string }>;
  problems: string[];
  notes: string[];
}

type Handler = (value: unknown, reading: Reading, flags: LaunchFlags) => void;

const ignored = (why: string): Handler => (_value, reading) => void reading.notes.push(why);
const blocks = (why: string): Handler => (_value, reading) => void reading.problems.push(why);

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const shown = (value: unknown) => JSON.stringify(value);

/** Megatron-LM flags that DeepSpeed's engine replaces, by the config section that replaces them. */
const LOSS_SCALING_FLAGS = ['--loss-scale', '--initial-loss-scale', '--min-loss-scale', '--loss-scale-window', '--hysteresis'];

function batchSize(flag: string, key: string): Handler {
  return (value, reading, flags) => {
    if (!isNumber(value) || !Number.isInteger(value)) return void reading.problems.push(`${key} is ${shown(value)}, not a number the script fixes`);
    const given = flags.of(flag);
    if (given.length === 0) return void reading.problems.push(`${key} is ${value} but the launch gives no ${flag}, so the batch size Bridge would train with is not known to be the config's; add ${flag} ${value} to the launch`);
    const texts = new Set(given.map((o) => (o.values.length === 1 ? flags.text(o.values[0]) : undefined)));
    const [text] = [...texts];
    if (texts.size !== 1 || text === undefined) return void reading.problems.push(`${key} is ${value} and ${flag} takes its value from the environment or a branch, so bridge-migrate cannot check that they agree`);
    if (Number(text) !== value) reading.problems.push(`${key} is ${value} but ${flag} is ${text}: Megatron-LM and DeepSpeed disagree on the batch, so which one trained is not known; make them equal`);
  };
}

function gradientClipping(value: unknown, reading: Reading, flags: LaunchFlags): void {
  if (!isNumber(value)) return void reading.problems.push(`gradient_clipping is ${shown(value)}, not a number`);
  reading.standIns.push({ flag: '--clip-grad', value: String(value), from: `gradient_clipping ${value}` });
  for (const occurrence of flags.of('--clip-grad')) reading.overridden.push({ occurrence, reason: `under DeepSpeed the config's gradient_clipping (${value}) is applied and Megatron-LM's --clip-grad is not used; optimizer.clip_grad is set from the config` });
}

/** fp16: the dynamic loss scaler's settings, with DeepSpeed's defaults where the config is silent. */
function fp16Section(value: unknown, reading: Reading, flags: LaunchFlags): void {
  if (typeof value !== 'object' || value === null) return void reading.problems.push(`fp16 is ${shown(value)}, not a section`);
  const section = value as Record<string, unknown>;
  const enabled = section.enabled ?? false;
  if (enabled !== true && enabled !== false) return void reading.problems.push(`fp16.enabled is ${shown(enabled)}`);
  if (!enabled) return;
  const known = new Set(['enabled', 'loss_scale', 'initial_scale_power', 'loss_scale_window', 'hysteresis', 'min_loss_scale', 'consecutive_hysteresis', 'auto_cast', 'fp16_master_weights_and_grads']);
  for (const key of Object.keys(section)) if (!known.has(key)) reading.problems.push(`fp16.${key} is not a setting bridge-migrate knows how to carry`);
  for (const key of ['consecutive_hysteresis', 'auto_cast', 'fp16_master_weights_and_grads']) {
    if (section[key] === true) reading.problems.push(`fp16.${key} is true: Megatron Core's fp16 has no such mode`);
  }
  const numbers: Record<string, number> = {};
  for (const [key, fallback] of [['loss_scale', 0], ['loss_scale_window', 1000], ['hysteresis', 2], ['min_loss_scale', 1]] as const) {
    const given = section[key] ?? fallback;
    if (!isNumber(given)) return void reading.problems.push(`fp16.${key} is ${shown(given)}, not a number`);
    numbers[key] = given;
  }
  if (numbers.loss_scale > 0) reading.standIns.push({ flag: '--loss-scale', value: String(numbers.loss_scale), from: `fp16.loss_scale ${numbers.loss_scale}` });
  else {
    const power = section.initial_scale_power;
    // DeepSpeed's default changed (2^32 in its early releases, 2^16 later), so it is not guessed.
    if (power === undefined) return void reading.problems.push("fp16 scales the loss dynamically but the config gives no initial_scale_power, whose default depends on the DeepSpeed release (32 in early ones, 16 later); add it to the config");
    if (!isNumber(power) || !Number.isInteger(power)) return void reading.problems.push(`fp16.initial_scale_power is ${shown(power)}, not a whole number`);
    reading.standIns.push({ flag: '--initial-loss-scale', value: String(2 ** power), from: `fp16.initial_scale_power ${power}` });
  }
  reading.standIns.push(
    { flag: '--loss-scale-window', value: String(numbers.loss_scale_window), from: `fp16.loss_scale_window ${numbers.loss_scale_window}` },
    { flag: '--hysteresis', value: String(numbers.hysteresis), from: `fp16.hysteresis ${numbers.hysteresis}` },
    { flag: '--min-loss-scale', value: String(numbers.min_loss_scale), from: `fp16.min_loss_scale ${numbers.min_loss_scale}` },
  );
  for (const flag of LOSS_SCALING_FLAGS) {
    for (const occurrence of flags.of(flag)) reading.overridden.push({ occurrence, reason: "under DeepSpeed the config's fp16 section sets the loss scaling and Megatron-LM's own loss scaler is not used; mixed_precision is written from the config" });
  }
}

function bf16Section(value: unknown, reading: Reading): void {
  if (typeof value !== 'object' || value === null) return void reading.problems.push(`bf16 is ${shown(value)}, not a section`);
  const section = value as Record<string, unknown>;
  const enabled = section.enabled ?? false;
  if (enabled !== true && enabled !== false) return void reading.problems.push(`bf16.enabled is ${shown(enabled)}`);
  for (const key of Object.keys(section)) if (key !== 'enabled' && enabled) reading.problems.push(`bf16.${key} is not a setting bridge-migrate knows how to carry`);
}

/** zero_optimization: stages 1 and 2 shard optimizer state (and gradients) as Megatron Core's distributed optimizer does. */
function zeroSection(value: unknown, reading: Reading, flags: LaunchFlags): void {
  if (typeof value !== 'object' || value === null) return void reading.problems.push(`zero_optimization is ${shown(value)}, not a section`);
  const section = value as Record<string, unknown>;
  const stage = section.stage ?? 0;
  if (stage !== 0 && stage !== 1 && stage !== 2) {
    return void reading.problems.push(stage === 3 ? 'zero_optimization.stage is 3 (parameters sharded too): Bridge does that with Megatron-FSDP (ddp.use_megatron_fsdp and its settings), which bridge-migrate does not set up for you' : `zero_optimization.stage is ${shown(stage)}`);
  }
  const communication = new Set(['allgather_partitions', 'allgather_bucket_size', 'overlap_comm', 'reduce_scatter', 'reduce_bucket_size', 'contiguous_gradients', 'round_robin_gradients', 'elastic_checkpoint', 'load_from_fp32_weights', 'ignore_unused_parameters', 'legacy_stage1']);
  const offload = new Set(['cpu_offload', 'cpu_offload_params', 'cpu_offload_use_pin_memory', 'offload_optimizer', 'offload_param']);
  const tuned: string[] = [];
  for (const key of Object.keys(section)) {
    if (key === 'stage') continue;
    if (communication.has(key)) tuned.push(key);
    else if (offload.has(key)) {
      const setting = section[key];
      const off = setting === false || setting === null || (typeof setting === 'object' && (setting as Record<string, unknown>).device === 'none');
      if (!off) reading.problems.push(`zero_optimization.${key} keeps optimizer state or parameters in CPU memory: a run that fit with it may not fit without it; set optimizer.optimizer_cpu_offload and its settings by hand`);
    } else reading.problems.push(`zero_optimization.${key} is not a setting bridge-migrate knows how to carry`);
  }
  if (tuned.length) reading.notes.push(`zero_optimization ${tuned.join(', ')}: DeepSpeed's communication settings; Megatron Core's distributed optimizer has its own (ddp.bucket_size, ddp.overlap_grad_reduce, ...)`);
  if (stage === 0) return;
  if (flags.of('--use-distributed-optimizer').length === 0) reading.standIns.push({ flag: '--use-distributed-optimizer', from: `zero_optimization.stage ${stage}` });
  if (stage === 2) reading.notes.push('zero_optimization.stage 2 shards gradients as well as optimizer state; Megatron Core\'s distributed optimizer reduce-scatters gradients into shards the same way');
}

function dataTypes(value: unknown, reading: Reading): void {
  const section = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  for (const [key, setting] of Object.entries(section)) {
    if (key === 'grad_accum_dtype' && (setting === 'fp32' || setting === 'float32')) reading.notes.push('data_types.grad_accum_dtype fp32: Megatron Core accumulates gradients in fp32 main grads');
    else reading.problems.push(`data_types.${key} is ${shown(setting)}: not a setting bridge-migrate knows how to carry`);
  }
}

const LOGGING = "DeepSpeed's own logging; Bridge logs with logger.* (from Megatron-LM's --log-* flags)";

/** Every top-level setting bridge-migrate knows, and what it does with it. */
const SETTINGS: Record<string, Handler> = {
  train_batch_size: batchSize('--global-batch-size', 'train_batch_size'),
  train_micro_batch_size_per_gpu: batchSize('--micro-batch-size', 'train_micro_batch_size_per_gpu'),
  gradient_accumulation_steps: (value, reading) => void (isNumber(value) ? reading.notes.push(`gradient_accumulation_steps ${value}: DeepSpeed checks it against the batch sizes at start; Bridge derives it from them`) : reading.problems.push(`gradient_accumulation_steps is ${shown(value)}`)),
  gradient_clipping: gradientClipping,
  fp16: fp16Section,
  bf16: bf16Section,
  bfloat16: bf16Section,
  zero_optimization: zeroSection,
  data_types: dataTypes,
  prescale_gradients: (value, reading) => void (value === false ? null : reading.problems.push(`prescale_gradients is ${shown(value)}: Megatron Core averages gradients after the all-reduce`)),
  gradient_predivide_factor: (value, reading) => void (value === 1 || value === 1.0 ? null : reading.problems.push(`gradient_predivide_factor is ${shown(value)}: Megatron Core has no such setting`)),
  steps_per_print: ignored(`steps_per_print: ${LOGGING}`),
  wall_clock_breakdown: ignored(`wall_clock_breakdown: ${LOGGING}`),
  memory_breakdown: ignored(`memory_breakdown: ${LOGGING}`),
  flops_profiler: ignored(`flops_profiler: ${LOGGING}`),
  tensorboard: ignored(`tensorboard: ${LOGGING}`),
  wandb: ignored(`wandb: ${LOGGING}`),
  csv_monitor: ignored(`csv_monitor: ${LOGGING}`),
  comms_logger: ignored(`comms_logger: ${LOGGING}`),
  dump_state: ignored(`dump_state: ${LOGGING}`),
  zero_allow_untested_optimizer: ignored("zero_allow_untested_optimizer: lets DeepSpeed wrap Megatron-LM's optimizer; Bridge builds the optimizer itself"),
  activation_checkpointing: ignored("activation_checkpointing: DeepSpeed's memory options for recomputation (partition_activations, ...); what is recomputed comes from the Megatron-LM flags (model.recompute_*)"),
  pipeline: ignored("pipeline: DeepSpeed pipeline-engine memory options; Bridge runs Megatron Core's pipeline schedule"),
  checkpoint: ignored('checkpoint: DeepSpeed checkpoint-format options; Bridge writes Megatron Core distributed checkpoints'),
  optimizer: blocks("the config has an optimizer section: DeepSpeed then builds its own optimizer instead of Megatron-LM's; set optimizer.* from it by hand"),
  scheduler: blocks("the config has a scheduler section: DeepSpeed's learning-rate schedule then replaces Megatron-LM's; set scheduler.* from it by hand"),
  communication_data_type: blocks('communication_data_type changes the dtype of the gradient all-reduce; Bridge has no such override'),
  amp: blocks('amp (Apex AMP) has no Bridge counterpart'),
  curriculum_learning: blocks("curriculum_learning (DeepSpeed's sequence-length curriculum) has no Bridge counterpart"),
  data_efficiency: blocks('data_efficiency (DeepSpeed data sampling and routing) has no Bridge counterpart'),
  compression_training: blocks('compression_training has no Bridge counterpart'),
  sparse_attention: blocks('sparse_attention has no Bridge counterpart'),
  elasticity: blocks('elasticity (DeepSpeed elastic batch sizes) has no Bridge counterpart'),
  progressive_layer_drop: blocks('progressive_layer_drop has no Bridge counterpart'),
};

function readSettings(config: Read, flags: LaunchFlags): Reading {
  const reading: Reading = { standIns: [], overridden: [], problems: [], notes: [] };
  for (const [key, value] of Object.entries(config.settings)) {
    const handler = SETTINGS[key];
    if (handler) handler(value, reading, flags);
    else reading.problems.push(`${key} is not a setting bridge-migrate knows how to carry`);
  }
  // Without train_batch_size, DeepSpeed's batch is micro x accumulation x data-parallel ranks, which
  // the launch's --global-batch-size is not checked against (DeepSpeed checks the three when all are given).
  if (!('train_batch_size' in config.settings) && 'gradient_accumulation_steps' in config.settings) {
    reading.problems.push('the config gives gradient_accumulation_steps but no train_batch_size, so the batch size DeepSpeed trains with depends on the data-parallel size and is not checked against --global-batch-size; add train_batch_size to the config');
  }
  // DeepSpeed clips nothing unless the config says so (its gradient_clipping default is 0).
  if (!('gradient_clipping' in config.settings)) gradientClipping(0, reading, flags);
  // Megatron-DeepSpeed's own --zero-stage must say what the config says.
  const zero = config.settings.zero_optimization;
  const stage = typeof zero === 'object' && zero !== null ? ((zero as Record<string, unknown>).stage ?? 0) : 0;
  for (const occurrence of flags.of('--zero-stage')) {
    const text = occurrence.values.length === 1 ? flags.text(occurrence.values[0]) : undefined;
    if (text === undefined || Number(text) !== stage) reading.problems.push(`--zero-stage is ${text ?? 'not known'} but the config's zero_optimization.stage is ${shown(stage)}: make them agree`);
    else reading.overridden.push({ occurrence, reason: `the same stage as the DeepSpeed config's zero_optimization.stage, which is carried${stage === 0 ? ' (0: nothing to set)' : ' as the distributed optimizer'}` });
  }
  // Precision: Megatron-LM's flag makes the model's dtype, the config's section the engine's.
  const fp16 = (config.settings.fp16 as Record<string, unknown> | undefined)?.enabled === true;
  const bf16 = [config.settings.bf16, config.settings.bfloat16].some((s) => (s as Record<string, unknown> | undefined)?.enabled === true);
  const configPrecision = fp16 && bf16 ? 'fp16 and bf16' : fp16 ? 'fp16' : bf16 ? 'bf16' : 'fp32';
  const launchFp16 = flags.of('--fp16').length > 0;
  const launchBf16 = flags.of('--bf16').length > 0;
  const launchPrecision = launchFp16 && launchBf16 ? 'fp16 and bf16' : launchFp16 ? 'fp16' : launchBf16 ? 'bf16' : 'fp32';
  if (configPrecision !== launchPrecision) reading.problems.push(`the config trains in ${configPrecision} but the launch's flags say ${launchPrecision}: make the two agree`);
  return reading;
}

export interface DeepspeedPlan {
  /** The occurrences to convert: the launch's own, without those DeepSpeed overrides, plus the stand-ins. */
  occurrences: FlagOccurrence[];
  /** Turns the conversions back into the launch's own: stand-ins folded into --deepspeed_config's. */
  fold(conversions: Conversion[]): Conversion[];
}

/** A stand-in flag occurrence, written where --deepspeed_config is. */
function standIn(configOccurrence: FlagOccurrence, flag: string, value: string | undefined): FlagOccurrence {
  const token = (text: string): Token => ({ parts: [{ kind: 'lit', text }], start: configOccurrence.start, end: configOccurrence.end, ctx: configOccurrence.flagToken.ctx, splat: false });
  return { ...configOccurrence, flag, values: value === undefined ? [] : [token(value)], flagToken: token(flag), inlineValue: false, problems: [], nameFrom: undefined, placeholder: undefined, standInFor: configOccurrence };
}

/**
 * The plan for a launch with `--deepspeed --deepspeed_config PATH`. A config from elsewhere stays
 * the table's error (its settings are not carried); one the script writes but bridge-migrate
 * cannot read, or whose settings Bridge cannot take, is the same error with the reason; a config
 * read whole becomes stand-in flags.
 */
export function deepspeedPlan(configOccurrence: FlagOccurrence, config: DeepspeedConfig, occurrences: FlagOccurrence[], flags: LaunchFlags): DeepspeedPlan {
  const keep = (conversions: Conversion[], reason?: string) =>
    reason === undefined ? conversions : conversions.map((c) => (c.occurrence === configOccurrence ? removed(configOccurrence, reason, 'error', c.entry) : c));
  if (config.kind === 'elsewhere') return { occurrences, fold: (conversions) => conversions };
  if (config.kind === 'unread') {
    const reason = `the DeepSpeed config${config.line ? ` written at line ${config.line}` : ''} cannot be read: ${config.why}; its batch, precision, clipping and ZeRO settings are not carried: translate them to train.*, mixed_precision, optimizer.clip_grad and ddp.* by hand`;
    return { occurrences, fold: (conversions) => keep(conversions, reason) };
  }
  const reading = readSettings(config, flags);
  if (reading.problems.length) {
    const reason = `the DeepSpeed config written at line ${config.line} has settings Bridge cannot take as they are: ${reading.problems.join('; ')}`;
    return { occurrences, fold: (conversions) => keep(conversions, reason) };
  }
  const overridden = new Map(reading.overridden.map((o) => [o.occurrence, o.reason]));
  const standIns = reading.standIns.map((s) => ({ occurrence: standIn(configOccurrence, s.flag, s.value), from: s.from }));
  const fromOf = new Map(standIns.map((s) => [s.occurrence, s.from]));
  return {
    occurrences: [...occurrences.filter((o) => !overridden.has(o)), ...standIns.map((s) => s.occurrence)],
    fold(conversions) {
      const own = conversions.filter((c) => !c.occurrence.standInFor);
      const folded = conversions.filter((c) => c.occurrence.standInFor === configOccurrence);
      const notes: Message[] = [note(`read the DeepSpeed config written at line ${config.line}: ${reading.standIns.map((s) => s.from).join(', ')}${reading.notes.length ? `; left out: ${reading.notes.join('; ')}` : ''}`)];
      const failed = folded.find((c) => c.removed?.kind === 'error');
      for (const c of folded) {
        notes.push(...c.notes);
        if (c.removed && c.removed.kind !== 'error') notes.push(note(`${fromOf.get(c.occurrence)} (as ${c.occurrence.flag}): ${c.removed.reason}`));
      }
      const index = own.findIndex((c) => c.occurrence === configOccurrence);
      const configConversion: Conversion = failed
        ? removed(configOccurrence, `the DeepSpeed config written at line ${config.line}: ${fromOf.get(failed.occurrence)} (as ${failed.occurrence.flag}): ${failed.removed!.reason}`, 'error', own[index]?.entry)
        : folded.some((c) => c.overrides.length)
          ? { occurrence: configOccurrence, entry: own[index]?.entry, overrides: folded.flatMap((c) => c.overrides), notes }
          : { ...removed(configOccurrence, `read (line ${config.line}); everything it sets is already set by the launch's flags or the recipe`, 'folded', own[index]?.entry), notes };
      if (failed) configConversion.notes = notes;
      const result = own.map((c) => (c.occurrence === configOccurrence ? configConversion : c));
      for (const [occurrence, reason] of overridden) result.push(removed(occurrence, reason, 'folded'));
      return result;
    },
  };
}

/**
 * `--deepspeed --deepspeed_config PATH`, written once and unconditionally: the plan that reads the
 * config (mapping/deepspeed-config.ts). Without --deepspeed Megatron-DeepSpeed never reads it.
 */
export function deepspeedPlanFor(occurrences: FlagOccurrence[], table: FlagTable, read: (configOccurrence: FlagOccurrence) => DeepspeedConfig, text: (token: Token) => string | undefined): DeepspeedPlan | undefined {
  const canonical = (o: FlagOccurrence) => table.lookup(o.flag)?.flag ?? o.flag;
  const configs = occurrences.filter((o) => canonical(o) === '--deepspeed_config');
  const engine = occurrences.some((o) => canonical(o) === '--deepspeed' || canonical(o) === '--deepscale');
  if (!engine || configs.length !== 1 || configs[0].condition || configs[0].values.length !== 1) return undefined;
  const flags: LaunchFlags = { of: (flag) => occurrences.filter((o) => canonical(o) === flag), text };
  return deepspeedPlan(configs[0], read(configs[0]), occurrences, flags);
}
