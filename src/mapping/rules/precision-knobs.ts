/**
 * Mixed-precision knobs (--loss-scale-window, --fp8-amax-history-len, ...). Bridge's preset fixes
 * each of them (and the recipe stores the preset as a name, so `mixed_precision.<field>` cannot be
 * overridden). A knob whose value equals the preset's is folded into the preset; a different value
 * is reported, never dropped silently. Values from bridge-config.json (MixedPrecisionConfig
 * defaults) and the preset definitions in bridge-notes.md section c.
 */
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
  base: 'bf16' | 'fp16';
  fp8?: string;
  fp4?: string;
}

const FIELD_DEFAULTS: Record<string, KnobValue> = {
  loss_scale: null,
  initial_loss_scale: 4294967296,
  min_loss_scale: 1,
  loss_scale_window: 1000,
  hysteresis: 2,
  fp8_margin: 0,
  fp8_amax_history_len: 1,
  fp8_amax_compute_algo: 'most_recent',
  fp8_wgrad: true,
  fp8_param_gather: false,
  fp4_param_gather: false,
  first_last_layers_bf16: false,
  num_layers_at_start_in_bf16: 0,
  num_layers_at_end_in_bf16: 0,
  reuse_grad_buf_for_mxfp8_param_ag: false,
};

const PRESET_FIELDS: Array<[RegExp, Record<string, KnobValue>]> = [
  [/^bf16_mixed$/, { grad_reduce_in_fp32: true }],
  [/^fp16_mixed$/, { grad_reduce_in_fp32: false }],
  [/fp8_delayed_scaling/, { fp8_amax_history_len: 1024, fp8_amax_compute_algo: 'max', fp8_param_gather: true }],
  [/mxfp8/, { fp8_param_gather: true, reuse_grad_buf_for_mxfp8_param_ag: true }],
  [/fp8_current_scaling/, { first_last_layers_bf16: true, num_layers_at_start_in_bf16: 1, num_layers_at_end_in_bf16: 1, fp8_param_gather: true }],
  [/fp8_subchannel_scaling/, { fp8_param_gather: false }],
  [/nvfp4/, { fp4_param_gather: true }],
];

export function presetValue(preset: string, field: string): KnobValue {
  let v: KnobValue = FIELD_DEFAULTS[field] ?? null;
  if (field === 'grad_reduce_in_fp32') v = !preset.startsWith('fp16');
  for (const [re, fields] of PRESET_FIELDS) if (re.test(preset) && field in fields) v = fields[field];
  return v;
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
