/**
 * --recompute-method -> model.recompute_method; with full recompute and no layer count, also
 * model.recompute_num_layers=1, the old default (see ../recompute-layers.ts), with a warning.
 */
import { convertOccurrence, type Conversion } from '../convert.js';
import { recomputeLack } from '../recompute-layers.js';
import { occurrencesOf, type Rule } from './rule.js';
import { warning } from '../../findings.js';

export const recomputeLayersRule: Rule = {
  name: 'recompute-layers',
  description: '--recompute-method -> model.recompute_method, and model.recompute_num_layers=1 (the old default) with full recompute and no layer count',
  apply(ctx) {
    const addLayerCount = recomputeLack(ctx.allOccurrences, (occurrence) => ctx.entryOf(occurrence)?.flag ?? occurrence.flag) === 'old-default-count';
    const conversions: Conversion[] = occurrencesOf(ctx, '--recompute-method').map((occurrence) => {
      const entry = ctx.entryOf(occurrence);
      // The method itself converts as a plain flag would (its value count and argparse choices checked).
      const method = convertOccurrence(occurrence, entry && { ...entry, convert: 'pass', keys: ['model.recompute_method'] });
      if (addLayerCount && !method.removed) method.overrides.push({ key: 'model.recompute_num_layers', value: { kind: 'raw', text: '1' } });
      return { ...method, entry };
    });
    const countWritten = conversions.some((conversion) => conversion.overrides.some((override) => override.key === 'model.recompute_num_layers'));
    const findings = countWritten
      ? [warning('--recompute-granularity full without --recompute-num-layers: model.recompute_num_layers=1 written out, the default of the Megatron-LM releases (before 2023-09) and forks that started such a launch; current Megatron-LM and Bridge stop at start-up without a count. Check that 1 layer per recompute chunk is what this run had')]
      : [];
    return { conversions, findings };
  },
};
