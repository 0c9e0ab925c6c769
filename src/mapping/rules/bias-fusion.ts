/**
 * Bias + activation fusion. Megatron-LM has one switch per activation and uses the one that
 * applies (megatron/training/argument_utils.py): --no-bias-swiglu-fusion with --swiglu,
 * --no-bias-gelu-fusion without it; the other one has no effect. Bridge has one field,
 * model.bias_activation_fusion. (The default, on in Megatron-LM and off in the vanilla recipe,
 * is pinned in src/mapping/defaults.ts.)
 */
import { removed, type Conversion } from '../convert.js';
import { occurrencesOf, type Rule } from './rule.js';

export const biasFusionRule: Rule = {
  name: 'bias-fusion',
  description: '--no-bias-gelu-fusion / --no-bias-swiglu-fusion -> model.bias_activation_fusion=false, whichever applies',
  apply(ctx) {
    const swiglu = occurrencesOf(ctx, '--swiglu').length > 0;
    const applies = swiglu ? '--no-bias-swiglu-fusion' : '--no-bias-gelu-fusion';
    const conversions: Conversion[] = [];
    for (const o of occurrencesOf(ctx, '--no-bias-gelu-fusion', '--no-bias-swiglu-fusion')) {
      if ((ctx.entryOf(o)?.flag ?? o.flag) === applies) {
        conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.bias_activation_fusion', value: { kind: 'raw', text: 'false' } }], notes: [] });
      } else {
        conversions.push(removed(o, `has no effect ${swiglu ? 'with' : 'without'} --swiglu in Megatron-LM (it uses ${applies})`, 'folded', ctx.entryOf(o)));
      }
    }
    return { conversions, findings: [] };
  },
};
