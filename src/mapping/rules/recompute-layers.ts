/**
 * `--recompute-granularity full --recompute-method M` without `--recompute-num-layers`: Megatron-LM
 * releases before 2023-09 (and the Megatron-DeepSpeed and BigCode forks) defaulted the layer count
 * to 1; since then it is None and Megatron Core stops at start-up ("recompute_num_layers must be
 * between 1 and num_layers_per_pipeline_rank"), in Megatron-LM and in Bridge alike. 1 is therefore
 * the only count under which such a launch ever trained: it is written out, with a warning.
 */
import { removed, type Conversion } from '../convert.js';
import { typedValue } from '../values.js';
import { occurrencesOf, staticValue, type Rule } from './rule.js';
import { warning } from '../../findings.js';

const LAYER_COUNT_FLAGS = ['--recompute-num-layers', '--checkpoint-num-layers', '--activations-checkpoint-num-layers'];

export const recomputeLayersRule: Rule = {
  name: 'recompute-layers',
  description: '--recompute-method -> model.recompute_method, and model.recompute_num_layers=1 (the old default) with full recompute and no layer count',
  apply(ctx) {
    const methods = occurrencesOf(ctx, '--recompute-method');
    const fullRecompute = staticValue(ctx, '--recompute-granularity') === 'full';
    const layerCountGiven = occurrencesOf(ctx, ...LAYER_COUNT_FLAGS).length > 0;
    const addLayerCount = fullRecompute && !layerCountGiven;
    const conversions: Conversion[] = methods.map((occurrence) => {
      if (occurrence.values.length !== 1) return removed(occurrence, '--recompute-method needs one value', 'error', ctx.entryOf(occurrence));
      const overrides: Conversion['overrides'] = [{ key: 'model.recompute_method', value: typedValue(occurrence.values[0], 'str', occurrence.flag) }];
      if (addLayerCount) overrides.push({ key: 'model.recompute_num_layers', value: { kind: 'raw', text: '1' } });
      return { occurrence, entry: ctx.entryOf(occurrence), overrides, notes: [] };
    });
    const findings = addLayerCount && methods.length
      ? [warning('--recompute-granularity full without --recompute-num-layers: model.recompute_num_layers=1 written out, the default of the Megatron-LM releases (before 2023-09) and forks that started such a launch; current Megatron-LM and Bridge stop at start-up without a count. Check that 1 layer per recompute chunk is what this run had')]
      : [];
    return { conversions, findings };
  },
};
