/**
 * Megatron-LM sets position_embedding_type = 'rope' after parsing whenever the deprecated
 * --use-rotary-position-embeddings is given (megatron/training/arguments.py, "Legacy RoPE
 * arguments"), whatever --position-embedding-type says and wherever it is written. Overrides are
 * applied in order, so a later `model.position_embedding_type=mrope` would win in Bridge: the
 * --position-embedding-type occurrences are folded into the rope that Megatron-LM trained with.
 */
import { removed, type Conversion } from '../convert.js';
import { occurrencesOf, type Rule } from './rule.js';

export const legacyRopeRule: Rule = {
  name: 'legacy-rope',
  description: '--use-rotary-position-embeddings makes the position embedding rope, whatever --position-embedding-type says',
  apply(ctx) {
    const conversions: Conversion[] = [];
    if (occurrencesOf(ctx, '--use-rotary-position-embeddings').length === 0) return { conversions, findings: [] };
    for (const occurrence of occurrencesOf(ctx, '--position-embedding-type')) {
      conversions.push(removed(occurrence, "--use-rotary-position-embeddings is also given, and Megatron-LM then trains with rope whatever this flag says (it sets position_embedding_type after parsing); model.position_embedding_type=rope comes from that flag", 'folded', ctx.entryOf(occurrence)));
    }
    return { conversions, findings: [] };
  },
};
