/**
 * --data-path [W] P [W P ...] -> dataset.data_path (a whitespace-separated string Bridge splits in
 * finalize(), or a list); --train/valid/test-data-path -> dataset.blend_per_split with
 * dataset.split=null (Bridge requires split to be null with blend_per_split).
 */
import { warning, type Message } from '../../findings.js';
import type { FlagOccurrence, Part, Token } from '../../resolve/types.js';
import { removed, type Conversion } from '../convert.js';
import type { HydraValue } from '../hydra.js';
import { tokenText } from '../values.js';
import { lineList, occurrencesOf, sameBranch, type Rule } from './rule.js';

function isSplitContext(o: FlagOccurrence): boolean {
  return o.flagToken.ctx === 'dq-split' || o.flagToken.ctx === 'sq-split';
}

/** A list item for one value word; in split contexts a splatted `$X` becomes `${X// /,}`. */
function listItems(values: Token[], split: boolean): HydraValue[] {
  return values.map((v) => {
    const only = v.parts.length === 1 ? v.parts[0] : undefined;
    if (split && only && only.kind === 'exp' && only.name && !only.quoted) {
      return { kind: 'num', parts: [{ kind: 'exp', text: `\${${only.name}// /,}`, quoted: false }], float: false };
    }
    return { kind: 'str', parts: v.parts };
  });
}

function joinedString(values: Token[]): HydraValue {
  const parts: Part[] = [];
  values.forEach((v, i) => {
    if (i > 0) parts.push({ kind: 'lit', text: ' ' });
    parts.push(...v.parts);
  });
  return { kind: 'str', parts };
}

export const dataPathRule: Rule = {
  name: 'data-path',
  description: '--data-path -> dataset.data_path',
  apply(ctx) {
    const occs = occurrencesOf(ctx, '--data-path');
    const conversions: Conversion[] = [];
    const findings: Message[] = [];
    for (const o of occs) {
      if (o.values.length === 0) {
        conversions.push(removed(o, '--data-path has no value', 'error', ctx.entryOf(o)));
        continue;
      }
      const split = isSplitContext(o);
      const anySplat = o.values.some((v) => v.splat);
      let value: HydraValue;
      const notes: Message[] = [];
      if (!split) {
        value = o.values.length === 1 && !anySplat ? { kind: 'str', parts: o.values[0].parts } : joinedString(o.values);
      } else {
        value = o.values.length === 1 && !anySplat ? { kind: 'str', parts: o.values[0].parts } : { kind: 'list', items: listItems(o.values, true) };
        if (anySplat) notes.push(warning('data paths from a variable are joined with commas (${VAR// /,}); separate them by single spaces'));
      }
      conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'dataset.data_path', value }], notes });
    }
    return { conversions, findings, dataset: occs.length ? 'megatron-indexed' : undefined };
  },
};

/** Prefix list and optional weights of one split's paths. */
function blendEntry(values: Token[]): HydraValue {
  const texts = values.map(tokenText);
  const weighted = values.length >= 2 && values.length % 2 === 0 && texts.every((t, i) => (i % 2 === 0 ? t !== undefined && !Number.isNaN(Number(t)) : true));
  if (weighted) {
    const weights: HydraValue[] = [];
    const prefixes: HydraValue[] = [];
    values.forEach((v, i) => {
      if (i % 2 === 0) weights.push({ kind: 'raw', text: String(Number(texts[i])).includes('.') || String(Number(texts[i])).includes('e') ? String(Number(texts[i])) : `${Number(texts[i])}.0` });
      else prefixes.push({ kind: 'str', parts: v.parts });
    });
    return { kind: 'list', items: [{ kind: 'list', items: prefixes }, { kind: 'list', items: weights }] };
  }
  return { kind: 'list', items: [{ kind: 'list', items: values.map((v) => ({ kind: 'str', parts: v.parts }) as HydraValue) }, { kind: 'raw', text: 'null' }] };
}

export const blendPerSplitRule: Rule = {
  name: 'blend-per-split',
  description: '--train/valid/test-data-path -> dataset.blend_per_split, dataset.split=null',
  apply(ctx) {
    const names = ['--train-data-path', '--valid-data-path', '--test-data-path'];
    const occs = occurrencesOf(ctx, ...names);
    const conversions: Conversion[] = [];
    const findings: Message[] = [];
    if (occs.length === 0) return { conversions, findings };
    const fail = (why: string) => {
      for (const o of occs) conversions.push(removed(o, why, 'error', ctx.entryOf(o)));
      return { conversions, findings, dataset: 'megatron-indexed' as const };
    };
    if (!sameBranch(occs)) return fail(`per-split data paths are set in different branches (${lineList(occs)}); set dataset.blend_per_split by hand`);
    const per = names.map((n) => occurrencesOf({ ...ctx, occurrences: occs }, n));
    if (per.some((p) => p.length > 1)) return fail('a per-split data path flag is given twice');
    if (occs.some((o) => o.values.length === 0)) return fail('a per-split data path flag has no value');
    if (occs.some((o) => o.values.some((v) => v.splat))) return fail('per-split data paths come from variables that are split at run time; set dataset.blend_per_split by hand');
    const items: HydraValue[] = per.map((p) => (p.length ? blendEntry(p[0].values) : { kind: 'raw', text: 'null' }));
    const [first, ...rest] = [...occs].sort((a, b) => a.start - b.start);
    conversions.push({
      occurrence: first,
      entry: ctx.entryOf(first),
      overrides: [
        { key: 'dataset.blend_per_split', value: { kind: 'list', items } },
        { key: 'dataset.split', value: { kind: 'raw', text: 'null' } },
      ],
      notes: [],
    });
    for (const o of rest) conversions.push(removed(o, `folded into dataset.blend_per_split (line ${first.line})`, 'folded', ctx.entryOf(o)));
    // Megatron-LM ignores --split when per-split paths are given; Bridge requires split=null.
    for (const o of occurrencesOf(ctx, '--split')) conversions.push(removed(o, 'ignored by Megatron-LM with per-split data paths; dataset.split=null is set instead', 'folded', ctx.entryOf(o)));
    return { conversions, findings, dataset: 'megatron-indexed' };
  },
};
