/**
 * Model-shape rules that need other flags' values:
 * - virtual pipeline: --num-layers-per-virtual-pipeline-stage K is computed into
 *   model.virtual_pipeline_model_parallel_size = layers / pp / K (layers + 1 per account-for flag),
 *   null where that is 1, as Megatron-LM's validate_args makes it;
 * - grouped-query attention: Megatron-LM uses --num-query-groups only with --group-query-attention.
 */
import { removed, type Conversion } from '../convert.js';
import { typedValue, tokenText } from '../values.js';
import { occurrencesOf, staticValue, type Rule } from './rule.js';
import { note } from '../../findings.js';

/** One virtual stage per rank: Megatron-LM's validate_args sets virtual_pipeline_model_parallel_size to None (no interleaving). */
const NO_VIRTUAL_STAGES = { kind: 'raw', text: 'null' } as const;

export const vppRule: Rule = {
  name: 'vpp',
  description: 'virtual pipeline flags -> model.virtual_pipeline_model_parallel_size',
  apply(ctx) {
    const conversions: Conversion[] = [];
    for (const o of occurrencesOf(ctx, '--num-virtual-stages-per-pipeline-rank')) {
      if (o.values.length !== 1) conversions.push(removed(o, `${o.flag} needs one value`, 'error', ctx.entryOf(o)));
      else conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.virtual_pipeline_model_parallel_size', value: tokenText(o.values[0]) === '1' ? NO_VIRTUAL_STAGES : typedValue(o.values[0], 'int', o.flag) }], notes: [] });
    }
    for (const o of occurrencesOf(ctx, '--num-layers-per-virtual-pipeline-stage')) {
      const k = staticValue(ctx, '--num-layers-per-virtual-pipeline-stage');
      const layers = staticValue(ctx, '--num-layers');
      const pp = staticValue(ctx, '--pipeline-model-parallel-size') ?? '1';
      if (k === undefined || layers === undefined) {
        conversions.push(removed(o, 'model.virtual_pipeline_model_parallel_size is computed from --num-layers, --pipeline-model-parallel-size and this flag, and one of them is not a literal; set it by hand', 'error', ctx.entryOf(o)));
        continue;
      }
      const extra = occurrencesOf(ctx, '--account-for-embedding-in-pipeline-split').length + occurrencesOf(ctx, '--account-for-loss-in-pipeline-split').length;
      const total = Number(layers) + (extra ? extra : 0);
      const per = Number(pp) * Number(k);
      if (!Number.isInteger(total / per) || per === 0) {
        conversions.push(removed(o, `${total} layers do not divide into ${pp} pipeline stages of ${k}-layer virtual stages`, 'error', ctx.entryOf(o)));
        continue;
      }
      const stages = total / per;
      conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.virtual_pipeline_model_parallel_size', value: stages === 1 ? NO_VIRTUAL_STAGES : { kind: 'raw', text: String(stages) } }], notes: [note(`model.virtual_pipeline_model_parallel_size computed: (${layers}${extra ? ` + ${extra}` : ''}) / ${pp} / ${k}${stages === 1 ? ' = 1, which Megatron-LM turns into no virtual pipeline (null)' : ''}`)] });
    }
    return { conversions, findings: [] };
  },
};

export const gqaRule: Rule = {
  name: 'gqa',
  description: '--group-query-attention + --num-query-groups -> model.num_query_groups',
  apply(ctx) {
    const conversions: Conversion[] = [];
    const flag = occurrencesOf(ctx, '--group-query-attention');
    const groups = occurrencesOf(ctx, '--num-query-groups');
    for (const o of groups) {
      if (flag.length === 0) {
        conversions.push(removed(o, 'Megatron-LM ignores --num-query-groups without --group-query-attention (the model used full multi-head attention)', 'unmapped', ctx.entryOf(o)));
      } else if (o.values.length !== 1) {
        conversions.push(removed(o, '--num-query-groups needs one value', 'error', ctx.entryOf(o)));
      } else {
        conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.num_query_groups', value: typedValue(o.values[0], 'int', o.flag) }], notes: [] });
      }
    }
    for (const o of flag) {
      if (groups.length) conversions.push(removed(o, 'enabled by model.num_query_groups', 'folded', ctx.entryOf(o)));
      // Megatron-LM's --num-query-groups defaults to 1 when only --group-query-attention is given.
      else conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'model.num_query_groups', value: { kind: 'raw', text: '1' } }], notes: [note('--group-query-attention without --num-query-groups means one query group in Megatron-LM')] });
    }
    return { conversions, findings: [] };
  },
};
