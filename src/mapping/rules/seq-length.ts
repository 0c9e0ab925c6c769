/**
 * --seq-length sets both model.seq_length and dataset.seq_length (Bridge validates they match).
 * --max-position-embeddings has no Bridge field of its own (model.max_position_embeddings does not
 * exist): it is folded into --seq-length when equal, reported when it differs.
 */
import { removed, type Conversion } from '../convert.js';
import { typedValue, tokenText } from '../values.js';
import { occurrencesOf, staticValue, type Rule } from './rule.js';
import { note, type Message } from '../../findings.js';

export const seqLengthRule: Rule = {
  name: 'seq-length',
  description: '--seq-length -> model.seq_length and dataset.seq_length; --max-position-embeddings checked against it',
  apply(ctx) {
    const conversions: Conversion[] = [];
    const findings: Message[] = [];
    const seq = occurrencesOf(ctx, '--seq-length');
    const maxPos = occurrencesOf(ctx, '--max-position-embeddings');
    for (const o of seq) {
      if (o.values.length !== 1) {
        conversions.push(removed(o, '--seq-length needs one value', 'error', ctx.entryOf(o)));
        continue;
      }
      const v = typedValue(o.values[0], 'int', o.flag);
      conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.seq_length', value: v }, { key: 'dataset.seq_length', value: v }], notes: [] });
    }
    // Megatron-LM's default position embeddings are learned (a table of max_position_embeddings rows).
    const positionType = staticValue(ctx, '--position-embedding-type') ?? (occurrencesOf(ctx, '--position-embedding-type').length ? undefined : 'learned_absolute');
    const positionTable = positionType === undefined ? 'unknown' : positionType === 'learned_absolute' ? 'learned' : 'none';
    const seqTexts = new Set(seq.map((o) => (o.values.length === 1 ? tokenText(o.values[0]) ?? o.values[0].parts.map((p) => p.text).join('') : '?')));
    for (const o of maxPos) {
      const text = o.values.length === 1 ? tokenText(o.values[0]) ?? o.values[0].parts.map((p) => p.text).join('') : undefined;
      if (seq.length === 0) {
        if (o.values.length !== 1) {
          conversions.push(removed(o, '--max-position-embeddings needs one value', 'error', ctx.entryOf(o)));
          continue;
        }
        // Without --seq-length, Megatron-LM's sequence length is the position-embedding size.
        const v = typedValue(o.values[0], 'int', o.flag);
        conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.seq_length', value: v }, { key: 'dataset.seq_length', value: v }], notes: [note('--max-position-embeddings used as the sequence length (no --seq-length given)')] });
        continue;
      }
      if (text !== undefined && seqTexts.size === 1 && seqTexts.has(text)) {
        conversions.push(removed(o, 'same as --seq-length; Bridge sizes position embeddings from model.seq_length', 'folded', ctx.entryOf(o)));
      } else if (positionTable === 'none') {
        // RoPE and no position embeddings keep no table of max_position_embeddings rows.
        conversions.push(removed(o, `only sizes a learned position-embedding table, and this launch uses --position-embedding-type ${positionType}`, 'folded', ctx.entryOf(o)));
      } else {
        const why = positionTable === 'learned'
          ? `differs from --seq-length ${[...seqTexts].join('/')}: Bridge has no separate position-embedding size (model.seq_length is used), so the learned position-embedding table would get a different shape`
          : `may differ from --seq-length ${[...seqTexts].join('/')} and the position-embedding type comes from a variable: with learned positions Bridge would size the table from model.seq_length; check by hand`;
        conversions.push(removed(o, why, 'error', ctx.entryOf(o)));
      }
    }
    return { conversions, findings };
  },
};
