/**
 * Profiling: Megatron-LM's --profile is the switch for both profilers; --use-pytorch-profiler
 * chooses torch.profiler instead of nsys (cudaProfilerStart) and does nothing on its own. Bridge
 * has one switch per profiler and rejects both on together ("Exactly one of pytorch or nsys
 * profiler should be enabled").
 */
import { removed, type Conversion } from '../convert.js';
import { occurrencesOf, sameBranch, type Rule } from './rule.js';

export const profilingRule: Rule = {
  name: 'profiling',
  description: '--profile [--use-pytorch-profiler] -> profiling.use_nsys_profiler or profiling.use_pytorch_profiler',
  apply(ctx) {
    const profile = occurrencesOf(ctx, '--profile');
    const torch = occurrencesOf(ctx, '--use-pytorch-profiler');
    const conversions: Conversion[] = [];
    if (profile.length === 0) {
      for (const o of torch) conversions.push(removed(o, 'has no effect without --profile in Megatron-LM (the profiler stays off)', 'folded', ctx.entryOf(o)));
      return { conversions, findings: [] };
    }
    if (torch.length && !sameBranch([...profile, ...torch])) {
      for (const o of [...profile, ...torch]) conversions.push(removed(o, '--profile and --use-pytorch-profiler are set in different branches, so which profiler runs depends on the branch taken; set profiling.use_pytorch_profiler or profiling.use_nsys_profiler in each branch by hand', 'error', ctx.entryOf(o)));
      return { conversions, findings: [] };
    }
    const key = torch.length ? 'profiling.use_pytorch_profiler' : 'profiling.use_nsys_profiler';
    for (const o of profile) conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key, value: { kind: 'raw', text: 'true' } }], notes: [] });
    for (const o of torch) conversions.push(removed(o, 'folded into --profile: the PyTorch profiler runs (profiling.use_pytorch_profiler=true)', 'folded', ctx.entryOf(o)));
    return { conversions, findings: [] };
  },
};
