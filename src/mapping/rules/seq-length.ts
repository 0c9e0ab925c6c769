/**
 * --seq-length sets both model.seq_length and dataset.seq_length (Bridge validates they match).
 * --max-position-embeddings has no Bridge field of its own (model.max_position_embeddings does not
 * exist): it is folded into --seq-length when equal, reported when it differs.
 */
import { removed, type Conversion } from '../convert.js';
import type { FlagOccurrence, Token } from '../../resolve/types.js';
import type { RuleContext } from './rule.js';
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
        const checked = positionTable === 'learned' ? checkedAtRunTime(ctx, seq, o) : undefined;
        if (checked) {
          conversions.push(checked);
          continue;
        }
        const why = positionTable === 'learned'
          ? `differs from --seq-length ${[...seqTexts].join('/')}: Bridge has no separate position-embedding size (model.seq_length is used), so the learned position-embedding table would get a different shape`
          : `may differ from --seq-length ${[...seqTexts].join('/')} and the position-embedding type comes from a variable: with learned positions Bridge would size the table from model.seq_length; check by hand`;
        conversions.push(removed(o, why, 'error', ctx.entryOf(o)));
      }
    }
    return { conversions, findings };
  },
};

/** A value word as a shell operand of `[`: literal digits, or one plain `$VAR` / `${VAR}` reference. */
function operand(token: Token): { shell: string; shown: string } | undefined {
  if (token.ctx === 'sq-code' || token.parts.length !== 1) return undefined;
  const [part] = token.parts;
  if (part.kind === 'lit') return /^\d+$/.test(part.text) ? { shell: part.text, shown: part.text } : undefined;
  if (!part.name || part.array || part.verbatim) return undefined;
  return { shell: `"\${${part.name}}"`, shown: `\${${part.name}}` };
}

/**
 * `--max-position-embeddings` beside a `--seq-length` whose word differs (learned positions): folded
 * when both values are fixed by the script and equal; where one comes from the environment
 * (`: "${SEQ_LENGTH:=2048}"`), folded with a check above the statement that stops a run where they
 * differ. Undefined when neither holds (the caller blocks the launch).
 */
function checkedAtRunTime(ctx: RuleContext, seq: FlagOccurrence[], maxPos: FlagOccurrence): Conversion | undefined {
  if (seq.length !== 1 || seq[0].values.length !== 1 || maxPos.values.length !== 1) return undefined;
  const [seqToken, maxToken] = [seq[0].values[0], maxPos.values[0]];
  const [seqValue, maxValue] = [ctx.valueText?.(seqToken), ctx.valueText?.(maxToken)];
  if (seqValue !== undefined && maxValue !== undefined) {
    return seqValue === maxValue ? removed(maxPos, `same as --seq-length (both ${seqValue} as the script sets them); Bridge sizes position embeddings from model.seq_length`, 'folded', ctx.entryOf(maxPos)) : undefined;
  }
  const [seqOperand, maxOperand] = [operand(seqToken), operand(maxToken)];
  if (!seqOperand || !maxOperand || seq[0].segment.statementStart !== maxPos.segment.statementStart) return undefined;
  const conversion = removed(
    maxPos,
    `folded into --seq-length ${seqOperand.shown}: Bridge has no separate position-embedding size (a learned table of model.seq_length rows), and one of them comes from a variable the script does not fix, so a check written above this statement stops a run where they differ`,
    'folded',
    ctx.entryOf(maxPos),
    'warning',
  );
  conversion.guard = {
    condition: `[ ${maxOperand.shell} != ${seqOperand.shell} ]`,
    comment: `--max-position-embeddings ${maxOperand.shown} is folded into --seq-length ${seqOperand.shown} (Bridge has no separate position-embedding size): stop where they differ`,
    message: `--max-position-embeddings ${maxOperand.shown} differs from --seq-length ${seqOperand.shown}; Bridge sizes learned position embeddings from model.seq_length, so this run would build another model: make them equal, or keep it on Megatron-LM`,
  };
  return conversion;
}
