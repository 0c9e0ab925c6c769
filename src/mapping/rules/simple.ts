/** Small multi-key rules: one flag, several fixed Bridge settings. */
import type { Conversion } from '../convert.js';
import { occurrencesOf, type Rule } from './rule.js';

export const swigluRule: Rule = {
  name: 'swiglu',
  description: '--swiglu -> gated_linear_unit=true and activation_func=silu (the guide omits the latter)',
  apply(ctx) {
    const conversions: Conversion[] = occurrencesOf(ctx, '--swiglu').map((o) => ({
      occurrence: o,
      entry: ctx.entryOf(o),
      overrides: [
        { key: 'model.gated_linear_unit', value: { kind: 'raw', text: 'true' } },
        { key: 'model.activation_func', value: { kind: 'raw', text: 'silu' } },
      ],
      notes: [],
    }));
    return { conversions, warnings: [] };
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
    return { conversions, warnings: [] };
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
    return { conversions, warnings: [], dataset: occs.length ? 'mock' : undefined };
  },
};
