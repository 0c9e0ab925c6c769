/**
 * What Megatron-LM received (argparse-like reading of an argv with the table's arities) and the
 * check that each flag's value arrived at the right Bridge key as Hydra parses it.
 */
import { defaultTable } from '../../src/mapping/table.js';
import { HFloat, num, type HydraJs } from './hydra-parse.js';
import { KNOBS } from '../../src/mapping/rules/precision-knobs.js';

export interface MlmFlag {
  flag: string;
  values: string[];
  /** A word that is no flag's value (Megatron-LM's argparse rejects it: unrecognized argument). */
  stray?: boolean;
}

const NEG = /^-\d|^-\.\d/;

export function readMegatronArgs(argv: string[]): MlmFlag[] {
  const out: MlmFlag[] = [];
  let i = 0;
  while (i < argv.length) {
    let a = argv[i++];
    const values: string[] = [];
    if (!a.startsWith('-')) {
      out.push({ flag: a, values, stray: true });
      continue;
    }
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    if (eq !== -1) {
      values.push(a.slice(eq + 1));
      a = a.slice(0, eq);
      out.push({ flag: a, values });
      continue;
    }
    const arity = defaultTable.lookup(a)?.arity;
    const max = arity === 0 ? 0 : arity === 1 || arity === '?' ? 1 : typeof arity === 'number' ? arity : Infinity;
    while (values.length < max && i < argv.length && (!argv[i].startsWith('-') || NEG.test(argv[i]))) values.push(argv[i++]);
    out.push({ flag: a, values });
  }
  return out;
}

/** Megatron-LM's moe_freq_type read by hand for the simple shapes fixtures use: [a,b]*n + [c]*m. */
function layerPattern(v: string): HydraJs {
  if (!v.includes('[')) return Number(v);
  const layers: number[] = [];
  for (const term of v.replace(/[\s()]/g, '').split('+')) {
    const [list, times = '1'] = term.split('*');
    for (let i = 0; i < Number(times); i++) layers.push(...list.slice(1, -1).split(',').map(Number));
  }
  return layers;
}

function typed(v: string, type: string | undefined): HydraJs {
  if (type === 'layer-pattern') return layerPattern(v);
  if (type === 'int') return Number(v);
  if (type === 'float') return new HFloat(Number(v));
  return v;
}

function same(a: HydraJs | undefined, b: HydraJs): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function last(flags: MlmFlag[], name: string): MlmFlag | undefined {
  const hits = flags.filter((f) => (defaultTable.lookup(f.flag)?.flag ?? f.flag) === name);
  return hits[hits.length - 1];
}

/**
 * A precision knob (--loss-scale, --hysteresis ...) folded into a written-out mixed_precision
 * config: its value must be that config's field. null when the knob is not written out.
 */
function writtenOutKnob(f: MlmFlag, o: Map<string, HydraJs>): string | undefined | null {
  const knob = KNOBS.find((k) => k.flag === f.flag);
  const config = o.get('mixed_precision');
  if (!knob || typeof knob.set !== 'string' || f.values.length !== 1) return null;
  if (!config || typeof config !== 'object' || Array.isArray(config) || config instanceof HFloat) return null;
  const field = (config as Record<string, HydraJs>)[knob.field];
  if (field === undefined) return null;
  const matches = knob.set === 'str' ? field === f.values[0] : num(field) === Number(f.values[0]);
  return matches ? undefined : `mixed_precision.${knob.field} is ${JSON.stringify(field)}, expected ${f.values[0]}`;
}

/** Undefined when fine; otherwise what is wrong. */
export function checkFlag(f: MlmFlag, all: MlmFlag[], o: Map<string, HydraJs>, removed: Set<string>, dataset: string): string | undefined {
  const e = defaultTable.lookup(f.flag);
  if (!e || e.convert === 'drop' || e.convert === 'launcher') {
    return removed.has(f.flag) ? undefined : `${f.flag} is neither mapped nor reported as removed`;
  }
  const writtenOut = writtenOutKnob(f, o);
  if (writtenOut !== null) return writtenOut;
  if (removed.has(f.flag)) return undefined; // reported (folded / error): the report says why
  // argparse: the last occurrence wins.
  if (last(all, e.flag) !== f) return undefined;
  const expectKeys = (value: HydraJs): string | undefined => {
    for (const k of e.keys) if (!same(o.get(k), value)) return `${k} is ${JSON.stringify(o.get(k))}, expected ${JSON.stringify(value)}`;
    return undefined;
  };
  switch (e.convert) {
    case 'pass':
      return expectKeys(typed(f.values[0], e.valueType));
    case 'true':
      return expectKeys(true);
    case 'false':
      return expectKeys(false);
    case 'const': {
      for (const k of e.keys) {
        const text = e.values?.[k] ?? e.value ?? 'null';
        const want: HydraJs = text === 'null' ? null : text === 'true' ? true : text === 'false' ? false : /^-?\d+$/.test(text) ? Number(text) : text;
        if (!same(o.get(k), want)) return `${k} is ${JSON.stringify(o.get(k))}, expected ${JSON.stringify(want)}`;
      }
      return undefined;
    }
    case 'list':
      if (e.scalarIfSingle && f.values.length === 1) return expectKeys(typed(f.values[0], e.valueType));
      return expectKeys(f.values.map((v) => typed(v, e.valueType)));
    case 'rename':
      return expectKeys(e.rename?.[f.values[0]] ?? f.values[0]);
    case 'rule':
      return checkRule(e.rule ?? '', f, all, o, dataset);
  }
  return undefined;
}

function checkRule(rule: string, f: MlmFlag, all: MlmFlag[], o: Map<string, HydraJs>, dataset: string): string | undefined {
  const eq = (k: string, v: HydraJs) => (same(o.get(k), v) ? undefined : `${k} is ${JSON.stringify(o.get(k))}, expected ${JSON.stringify(v)}`);
  switch (rule) {
    case 'precision': {
      const mp = o.get('mixed_precision');
      if (mp && typeof mp === 'object' && !Array.isArray(mp) && !(mp instanceof HFloat)) {
        // Written out in full (a preset with knobs it fixes): a MixedPrecisionConfig to instantiate.
        const config = mp as Record<string, HydraJs>;
        if (config._target_ !== 'megatron.bridge.training.mixed_precision.MixedPrecisionConfig') return `mixed_precision is ${JSON.stringify(mp)}`;
        if (last(all, '--fp16') && config.fp16 !== true) return `mixed_precision ${JSON.stringify(mp)} for --fp16`;
        if (last(all, '--bf16') && config.bf16 !== true) return `mixed_precision ${JSON.stringify(mp)} for --bf16`;
        return undefined;
      }
      if (typeof mp !== 'string') return `mixed_precision is ${JSON.stringify(mp)}`;
      if (last(all, '--fp16') && !mp.startsWith('fp16')) return `mixed_precision ${mp} for --fp16`;
      if (last(all, '--bf16') && !mp.startsWith('bf16')) return `mixed_precision ${mp} for --bf16`;
      return undefined;
    }
    case 'seq-length':
      if (f.flag === '--max-position-embeddings' && last(all, '--seq-length')) return undefined;
      return eq('model.seq_length', Number(f.values[0])) ?? eq('dataset.seq_length', Number(f.values[0]));
    case 'data-path': {
      const v = o.get('dataset.data_path');
      const words = Array.isArray(v) ? v.map((x) => (x instanceof HFloat ? String(x.float) : String(x))) : typeof v === 'string' ? v.split(/\s+/).filter(Boolean) : [];
      if (dataset !== 'megatron-indexed') return `--dataset ${dataset} with --data-path`;
      return JSON.stringify(words) === JSON.stringify(f.values) ? undefined : `dataset.data_path ${JSON.stringify(v)} != ${JSON.stringify(f.values)}`;
    }
    case 'swiglu':
      return eq('model.gated_linear_unit', true) ?? eq('model.activation_func', 'silu');
    case 'distributed-optimizer':
      return eq('ddp.use_distributed_optimizer', true) ?? eq('optimizer.use_distributed_optimizer', true);
    case 'mock-data':
      return dataset === 'mock' || o.get('dataset.mock') === true ? undefined : 'mock data not selected';
    case 'gqa': {
      const n = last(all, '--num-query-groups');
      return eq('model.num_query_groups', n ? Number(n.values[0]) : 1);
    }
    case 'blend-per-split': {
      const bps = o.get('dataset.blend_per_split');
      if (!Array.isArray(bps) || bps.length !== 3) return `dataset.blend_per_split is ${JSON.stringify(bps)}`;
      const idx = ['--train-data-path', '--valid-data-path', '--test-data-path'].indexOf(f.flag);
      const entry = bps[idx] as HydraJs[] | null;
      const paths = entry ? (entry[0] as HydraJs[]).map(String) : [];
      const weights = entry && entry[1] ? (entry[1] as HydraJs[]).map(num) : [];
      const flat = weights.length ? paths.flatMap((p, i) => [weights[i], p]) : paths;
      const expectFlat = weights.length ? f.values.map((v, i) => (i % 2 === 0 ? Number(v) : v)) : f.values;
      if (JSON.stringify(flat) !== JSON.stringify(expectFlat)) return `blend_per_split[${idx}] ${JSON.stringify(entry)} != ${JSON.stringify(f.values)}`;
      return eq('dataset.split', null);
    }
    case 'vpp':
      return o.has('model.virtual_pipeline_model_parallel_size') ? undefined : 'no model.virtual_pipeline_model_parallel_size';
    case 'bias-fusion': {
      // Megatron-LM reads --no-bias-swiglu-fusion with --swiglu, --no-bias-gelu-fusion without it.
      const applies = last(all, '--swiglu') ? '--no-bias-swiglu-fusion' : '--no-bias-gelu-fusion';
      return (defaultTable.lookup(f.flag)?.flag ?? f.flag) === applies ? eq('model.bias_activation_fusion', false) : undefined;
    }
    case 'recompute-layers': {
      // The method passes; with full recompute and no layer count, the old default count 1 is set.
      const counted = ['--recompute-num-layers', '--checkpoint-num-layers', '--activations-checkpoint-num-layers'].some((flag) => last(all, flag));
      const full = last(all, '--recompute-granularity')?.values[0] === 'full';
      return eq('model.recompute_method', f.values[0]) ?? (full && !counted ? eq('model.recompute_num_layers', 1) : undefined);
    }
    case 'profiling': {
      // --profile switches profiling on; --use-pytorch-profiler picks torch.profiler over nsys.
      if (!last(all, '--profile')) return undefined;
      const torch = !!last(all, '--use-pytorch-profiler');
      return torch ? eq('profiling.use_pytorch_profiler', true) : eq('profiling.use_nsys_profiler', true);
    }
  }
  return `unknown rule ${rule}`;
}
