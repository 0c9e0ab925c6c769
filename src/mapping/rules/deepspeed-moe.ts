/**
 * Megatron-DeepSpeed's `--num-experts` is DeepSpeed MoE's: a list (one count per layer group,
 * default [1]) where 1 means a dense MLP (megatron/model/transformer.py: `if self.num_experts == 1:
 * self.mlp = ParallelMLP(...)`). Megatron-LM's own `--num-experts 1` builds an MoE layer with one
 * expert. So in a Megatron-DeepSpeed launch (it passes --deepspeed or one of DeepSpeed MoE's own
 * flags), one expert is a dense model: the MoE flags have nothing to set. More experts are
 * DeepSpeed's gating (top-1/top-2 with capacity factors), which Megatron Core's router does not
 * reproduce exactly: the launch is blocked with what to set by hand.
 */
import { removed, type Conversion } from '../convert.js';
import { tokenText } from '../values.js';
import { occurrencesOf, type Rule } from './rule.js';

/** Flags only Megatron-DeepSpeed (or DeepSpeed itself) has: their presence says whose --num-experts this is. */
const DEEPSPEED_MARKERS = ['--deepspeed', '--deepscale', '--moe-expert-parallel-size', '--mlp-type', '--moe-train-capacity-factor', '--moe-eval-capacity-factor', '--moe-min-capacity', '--create-moe-param-group'];

/** MoE settings that mean nothing for a dense model. */
const MOE_SETTINGS = ['--moe-expert-parallel-size', '--expert-model-parallel-size', '--moe-loss-coeff', '--topk', '--moe-token-dropping', '--disable-moe-token-dropping', '--mlp-type', '--moe-train-capacity-factor', '--moe-eval-capacity-factor', '--moe-min-capacity', '--create-moe-param-group'];

export const deepspeedMoeRule: Rule = {
  name: 'deepspeed-moe',
  description: "Megatron-DeepSpeed's --num-experts (1 = dense) is not Megatron-LM's",
  apply(ctx) {
    const conversions: Conversion[] = [];
    const experts = occurrencesOf(ctx, '--num-experts');
    if (experts.length === 0 || occurrencesOf(ctx, ...DEEPSPEED_MARKERS).length === 0) return { conversions, findings: [] };
    const text = (occurrence: (typeof experts)[number]) => occurrence.values.map((v) => tokenText(v) ?? ctx.valueText?.(v));
    const counts = experts.flatMap(text);
    if (counts.length && counts.every((count) => count === '1')) {
      for (const occurrence of experts) conversions.push(removed(occurrence, "Megatron-DeepSpeed's MoE is off with one expert (its default): the model is dense, so there is nothing to set", 'folded', ctx.entryOf(occurrence)));
      for (const occurrence of occurrencesOf(ctx, ...MOE_SETTINGS)) conversions.push(removed(occurrence, 'an MoE setting of a dense model (Megatron-DeepSpeed with one expert): no effect', 'folded', ctx.entryOf(occurrence)));
      return { conversions, findings: [] };
    }
    const shown = counts.map((count) => count ?? '(from a variable)').join(' ');
    // Without the experts, expert parallelism and router settings would stop Bridge at start-up.
    for (const occurrence of occurrencesOf(ctx, ...MOE_SETTINGS)) conversions.push(removed(occurrence, 'an MoE setting of the DeepSpeed MoE that is not carried (see --num-experts)', 'folded', ctx.entryOf(occurrence)));
    for (const occurrence of experts) {
      conversions.push(removed(occurrence, `--num-experts ${shown} in a Megatron-DeepSpeed launch is DeepSpeed MoE (1 means dense; its gating and capacity factors are DeepSpeed's), which Megatron Core's router does not reproduce exactly; set model.num_moe_experts, model.moe_router_topk and the other model.moe_* settings by hand`, 'error', ctx.entryOf(occurrence)));
    }
    return { conversions, findings: [] };
  },
};
