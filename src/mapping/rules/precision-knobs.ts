/**
 * Mixed-precision knobs (--loss-scale-window, --fp8-amax-history-len, ...). Bridge's preset fixes
 * each of them (and the recipe stores the preset as a name, so `mixed_precision.<field>` cannot be
 * overridden). A knob whose value equals the preset's is folded into the preset; a different value
 * is reported, never dropped silently.
 */
import presetsDocument from '../presets.generated.json' with { type: 'json' };

export type KnobValue = string | number | boolean | null;

export interface Knob {
  flag: string;
  field: string;
  /** Megatron-LM's value when the flag is absent, and the value the flag gives (arity 0) or its type. */
  mlmDefault: KnobValue;
  set: KnobValue | 'int' | 'float' | 'str';
  /** When the knob matters in Megatron-LM. */
  when: (p: PresetInfo) => boolean;
}

export interface PresetInfo {
  name: string;
  base: 'bf16' | 'fp16' | 'fp32';
  fp8?: string;
  fp4?: string;
}

/**
 * MixedPrecisionConfig()'s defaults and each preset's fields that differ from them, read from the
 * pinned release (presets.generated.json, from scripts/extract-bridge-release.py).
 */
const PRESETS: { defaults: Record<string, unknown>; presets: Record<string, Record<string, unknown>> } = presetsDocument;

/**
 * FP8 on fp32 parameters (--fp8-format without --bf16 / --fp16, as in Megatron-LM's functional
 * tests) has no Bridge preset: `fp32_with_<stem>` names the bf16 FP8 preset's fields without its bf16
 * ones. Such a name is never written as a name; it is always written out as a MixedPrecisionConfig.
 */
export const FP32_BASE = 'fp32_with_';

export function isWrittenOutOnly(preset: string): boolean {
  return preset.startsWith(FP32_BASE);
}

/** A preset's fields that differ from MixedPrecisionConfig()'s (undefined for an unknown name). */
export function presetFields(preset: string): Record<string, unknown> | undefined {
  if (!isWrittenOutOnly(preset)) return PRESETS.presets[preset];
  const bf16 = PRESETS.presets[`bf16_with_${preset.slice(FP32_BASE.length)}`];
  if (!bf16) return undefined;
  return Object.fromEntries(Object.entries(bf16).filter(([field]) => !['bf16', 'params_dtype', 'pipeline_dtype'].includes(field)));
}

/** A field's value in a preset: its own, else MixedPrecisionConfig()'s (a torch dtype as {dtype}). */
export function presetFieldValue(preset: string, field: string): unknown {
  const fields = presetFields(preset);
  return fields && field in fields ? fields[field] : PRESETS.defaults[field];
}

/** A knob field's value in a preset, for comparing with Megatron-LM's. */
export function presetValue(preset: string, field: string): KnobValue {
  return (presetFieldValue(preset, field) ?? null) as KnobValue;
}

const fp16 = (p: PresetInfo) => p.base === 'fp16';
const fp8 = (p: PresetInfo) => !!p.fp8;
const any = () => true;

// num_layers_at_{start,end}_in_bf16 default to 1 in Megatron-LM but are only read with
// --first-last-layers-bf16, so without it they are effectively 0.
export const KNOBS: Knob[] = [
  { flag: '--loss-scale', field: 'loss_scale', mlmDefault: null, set: 'float', when: any },
  { flag: '--initial-loss-scale', field: 'initial_loss_scale', mlmDefault: 4294967296, set: 'float', when: fp16 },
  { flag: '--min-loss-scale', field: 'min_loss_scale', mlmDefault: 1, set: 'float', when: fp16 },
  { flag: '--loss-scale-window', field: 'loss_scale_window', mlmDefault: 1000, set: 'float', when: fp16 },
  { flag: '--hysteresis', field: 'hysteresis', mlmDefault: 2, set: 'int', when: fp16 },
  { flag: '--fp8-margin', field: 'fp8_margin', mlmDefault: 0, set: 'int', when: fp8 },
  { flag: '--fp8-amax-history-len', field: 'fp8_amax_history_len', mlmDefault: 1, set: 'int', when: (p) => p.fp8 === 'delayed' },
  { flag: '--fp8-amax-compute-algo', field: 'fp8_amax_compute_algo', mlmDefault: 'most_recent', set: 'str', when: (p) => p.fp8 === 'delayed' },
  { flag: '--no-fp8-wgrad', field: 'fp8_wgrad', mlmDefault: true, set: false, when: fp8 },
  { flag: '--fp8-param-gather', field: 'fp8_param_gather', mlmDefault: false, set: true, when: fp8 },
  { flag: '--first-last-layers-bf16', field: 'first_last_layers_bf16', mlmDefault: false, set: true, when: fp8 },
  { flag: '--num-layers-at-start-in-bf16', field: 'num_layers_at_start_in_bf16', mlmDefault: 0, set: 'int', when: fp8 },
  { flag: '--num-layers-at-end-in-bf16', field: 'num_layers_at_end_in_bf16', mlmDefault: 0, set: 'int', when: fp8 },
  { flag: '--reuse-grad-buf-for-mxfp8-param-ag', field: 'reuse_grad_buf_for_mxfp8_param_ag', mlmDefault: false, set: true, when: (p) => p.fp8 === 'mxfp8' },
  { flag: '--fp4-param-gather', field: 'fp4_param_gather', mlmDefault: false, set: true, when: (p) => !!p.fp4 },
  { flag: '--grad-reduce-in-bf16', field: 'grad_reduce_in_fp32', mlmDefault: true, set: false, when: (p) => p.base === 'bf16' },
];

/** Parses a knob's argv text into the comparable value. */
export function knobValue(k: Knob, text: string | undefined): KnobValue | undefined {
  if (typeof k.set !== 'string' || !['int', 'float', 'str'].includes(k.set)) return k.set as KnobValue;
  if (text === undefined) return undefined;
  if (k.set === 'str') return text;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}
