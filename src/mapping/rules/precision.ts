/**
 * --bf16 / --fp16 with --fp8-format / --fp8-recipe / --fp4-format pick one Bridge mixed-precision
 * preset (bridge-notes.md section c). A combination without a preset is reported, never guessed.
 */
import type { FlagOccurrence } from '../../resolve/types.js';
import { removed, type Conversion } from '../convert.js';
import { tokenText } from '../values.js';
import { lineList, occurrencesOf, sameBranch, type Rule } from './rule.js';

const FLAGS = ['--bf16', '--fp16', '--fp8-format', '--fp8-recipe', '--fp4-format', '--fp4-recipe'];

/** (fp8 format, fp8 recipe) -> preset stem; `{base}` is bf16 or fp16. */
const FP8_PRESETS: Record<string, string> = {
  'hybrid/delayed': '{base}_with_fp8_delayed_scaling_mixed',
  'hybrid/tensorwise': '{base}_with_fp8_current_scaling_mixed',
  'e4m3/mxfp8': '{base}_with_mxfp8_mixed',
  'hybrid/blockwise': '{base}_with_fp8_subchannel_scaling_mixed',
};
const FP4_PRESETS: Record<string, string> = {
  'bf16/e2m1/nvfp4': 'bf16_with_nvfp4_mixed',
};

function valueOf(occs: FlagOccurrence[]): string | undefined | null {
  if (occs.length === 0) return null;
  const vals = new Set(occs.map((o) => (o.values.length === 1 ? tokenText(o.values[0]) : undefined)));
  if (vals.size !== 1) return undefined;
  return [...vals][0];
}

export function choosePreset(base: 'bf16' | 'fp16' | null, fp8Format: string | null, fp8Recipe: string | null, fp4Format: string | null, fp4Recipe: string | null): { preset?: string; why?: string } {
  if (fp4Format) {
    const key = `${base}/${fp4Format}/${fp4Recipe ?? 'nvfp4'}`;
    const preset = FP4_PRESETS[key];
    return preset ? { preset } : { why: `no Bridge preset for --fp4-format ${fp4Format}${fp4Recipe ? ` --fp4-recipe ${fp4Recipe}` : ''} with ${base ?? 'fp32'}` };
  }
  if (fp8Format || fp8Recipe) {
    if (!base) return { why: 'FP8 without --bf16 or --fp16 has no Bridge preset' };
    // Megatron-LM's --fp8-recipe defaults to delayed; --fp8-format has no default (fp8 off).
    if (!fp8Format) return { why: '--fp8-recipe without --fp8-format leaves FP8 off in Megatron-LM; remove it' };
    const key = `${fp8Format}/${fp8Recipe ?? 'delayed'}`;
    const stem = FP8_PRESETS[key];
    return stem ? { preset: stem.replace('{base}', base) } : { why: `no Bridge preset for --fp8-format ${fp8Format} --fp8-recipe ${fp8Recipe ?? 'delayed'}` };
  }
  if (base) return { preset: `${base}_mixed` };
  return {};
}

export const precisionRule: Rule = {
  name: 'precision',
  description: 'precision flags -> one mixed_precision preset',
  apply(ctx) {
    const occs = occurrencesOf(ctx, ...FLAGS);
    const conversions: Conversion[] = [];
    const warnings: string[] = [];
    if (occs.length === 0) return { conversions, warnings };
    const by = (f: string) => occurrencesOf({ ...ctx, occurrences: occs }, f);
    const bf16 = by('--bf16');
    const fp16 = by('--fp16');
    const quant = [...by('--fp8-format'), ...by('--fp8-recipe'), ...by('--fp4-format'), ...by('--fp4-recipe')];
    const fail = (why: string) => {
      for (const o of occs) conversions.push(removed(o, `${why}; set mixed_precision by hand (see bridge-notes: precision presets)`, 'error', ctx.entryOf(o)));
      return { conversions, warnings };
    };
    if (quant.length === 0) {
      // Each --bf16 / --fp16 is a complete choice on its own, wherever it is written.
      for (const o of occs) {
        const preset = by('--fp16').includes(o) ? 'fp16_mixed' : 'bf16_mixed';
        conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'mixed_precision', value: { kind: 'raw', text: preset } }], notes: [] });
      }
      if (bf16.length && fp16.length && sameBranch([...bf16, ...fp16])) return fail('--bf16 and --fp16 are both set');
      return { conversions, warnings };
    }
    if (!sameBranch(occs)) return fail(`precision flags are set in different branches (${lineList(occs)})`);
    if (bf16.length && fp16.length) return fail('--bf16 and --fp16 are both set');
    const v = (f: string) => valueOf(by(f));
    const values = ['--fp8-format', '--fp8-recipe', '--fp4-format', '--fp4-recipe'].map(v);
    if (values.some((x) => x === undefined)) return fail('a precision flag takes its value from a variable');
    const [fp8Format, fp8Recipe, fp4Format, fp4Recipe] = values as Array<string | null>;
    const base = fp16.length ? 'fp16' : bf16.length ? 'bf16' : null;
    const { preset, why } = choosePreset(base, fp8Format, fp8Recipe, fp4Format, fp4Recipe);
    if (!preset) return fail(why ?? 'no preset');
    const [first, ...rest] = [...occs].sort((a, b) => a.start - b.start);
    conversions.push({ occurrence: first, entry: ctx.entryOf(first), overrides: [{ key: 'mixed_precision', value: { kind: 'raw', text: preset } }], notes: [] });
    for (const o of rest) conversions.push(removed(o, `folded into mixed_precision=${preset} (line ${first.line})`, 'folded', ctx.entryOf(o)));
    if (fp8Format && (fp8Recipe ?? 'delayed') === 'delayed') warnings.push('the delayed-scaling preset uses amax_history_len 1024 and amax algo max (Megatron-LM defaults: 1 and most_recent)');
    if (preset.includes('current_scaling')) warnings.push(`${preset} keeps the first and last layer in bf16, which Megatron-LM did not`);
    return { conversions, warnings };
  },
};
