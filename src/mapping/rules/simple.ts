/** Small multi-key rules: one flag, several fixed Bridge settings. */
import type { Conversion } from '../convert.js';
import { occurrencesOf, staticValue, type Rule } from './rule.js';
import { warning, type Message } from '../../findings.js';

/**
 * --swiglu -> gated_linear_unit=true and activation_func=silu (the guide omits the latter). Without
 * --ffn-hidden-size Megatron-LM sizes the MLP as int(4h * 2/3 / 64) * 64, Bridge as 4h: the
 * computed size is written out.
 */
export const swigluRule: Rule = {
  name: 'swiglu',
  description: '--swiglu -> gated_linear_unit, activation_func=silu and Megatron-LM\'s SwiGLU ffn size',
  apply(ctx) {
    const findings: Message[] = [];
    const hasFfn = occurrencesOf(ctx, '--ffn-hidden-size').length > 0;
    const hidden = staticValue(ctx, '--hidden-size');
    const conversions: Conversion[] = occurrencesOf(ctx, '--swiglu').map((o) => {
      const overrides: Conversion['overrides'] = [
        { key: 'model.gated_linear_unit', value: { kind: 'raw', text: 'true' } },
        { key: 'model.activation_func', value: { kind: 'raw', text: 'silu' } },
      ];
      if (!hasFfn) {
        if (hidden !== undefined && /^\d+$/.test(hidden)) {
          overrides.push({ key: 'model.ffn_hidden_size', value: { kind: 'raw', text: String(Math.floor((4 * Number(hidden) * 2) / 3 / 64) * 64) } });
        } else {
          findings.push(warning('--swiglu without a literal --hidden-size or --ffn-hidden-size: Megatron-LM sized the MLP as int(4*hidden*2/3/64)*64, Bridge uses 4*hidden; set model.ffn_hidden_size'));
        }
      }
      return { occurrence: o, entry: ctx.entryOf(o), overrides, notes: [] };
    });
    return { conversions, findings };
  },
};

export const distributedOptimizerRule: Rule = {
  name: 'distributed-optimizer',
  description: '--use-distributed-optimizer -> ddp and optimizer use_distributed_optimizer',
  apply(ctx) {
    const conversions: Conversion[] = occurrencesOf(ctx, '--use-distributed-optimizer').map((o) => ({
      occurrence: o,
      entry: ctx.entryOf(o),
      overrides: [
        { key: 'ddp.use_distributed_optimizer', value: { kind: 'raw', text: 'true' } },
        { key: 'optimizer.use_distributed_optimizer', value: { kind: 'raw', text: 'true' } },
      ],
      notes: [],
    }));
    return { conversions, findings: [] };
  },
};

export const mockDataRule: Rule = {
  name: 'mock-data',
  description: '--mock-data -> run_recipe.py --dataset mock',
  apply(ctx) {
    const occs = occurrencesOf(ctx, '--mock-data');
    const conversions: Conversion[] = occs.map((o) => ({
      occurrence: o,
      entry: ctx.entryOf(o),
      overrides: [{ key: 'dataset.mock', value: { kind: 'raw', text: 'true' } }],
      notes: [],
    }));
    // `${MOCK:+--mock-data}` alone does not decide the preset: dataset.mock=true does, when given.
    return { conversions, findings: [], dataset: occs.some((o) => !o.condition) ? 'mock' : undefined };
  },
};
