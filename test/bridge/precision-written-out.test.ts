/**
 * A preset written out as a MixedPrecisionConfig (loss-scale knobs the named preset fixes) must
 * give Bridge the same configuration as the named preset, apart from the knobs: checked on the
 * whole ConfigContainer after runtime_config_update, with the override text the tool writes. The
 * knobs reach the optimizer config too (Bridge's mixed-precision setup copies them there). FP8
 * knobs the launch leaves out are written with Megatron-LM's defaults.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { ready, run } from '../helpers/core.js';
import { parseOverride } from '../helpers/hydra-parse.js';
import { bridgePython, runAsync } from '../helpers/bridge.js';

const SCRIPT = join(import.meta.dirname, 'same_config.py');
const BASE = ['--recipe', 'vanilla_gpt_pretrain_config', '--dataset', 'mock', 'model.num_layers=2', 'model.hidden_size=64', 'model.num_attention_heads=4', 'train.micro_batch_size=1', 'train.global_batch_size=8', 'train.train_iters=10'];

beforeAll(ready);

/** The mixed_precision overrides the tool writes for these precision flags, in order. */
function writtenOut(precision: string): string[] {
  const input = `#!/bin/bash\nSHAPE="--num-layers 2 --hidden-size 64 --num-attention-heads 4 --mock-data"\n${precision}\ntorchrun pretrain_gpt.py $SHAPE $PRECISION \${EXTRA:-}\n`;
  const { report } = run(input, { pinDefaults: false });
  return report.launches[0].overrides.filter((o) => o.key === 'mixed_precision').map((o) => `mixed_precision=${o.value}`);
}

async function compare(a: string[], b: string[]) {
  const answer = await runAsync(bridgePython(), [SCRIPT], { input: JSON.stringify({ a: [...BASE, ...a], b: [...BASE, ...b], worldSize: 1 }) });
  expect(answer.status, answer.stderr.slice(-2000)).toBe(0);
  return JSON.parse(answer.stdout.trim().split('\n').pop()!);
}

describe('written-out mixed precision', () => {
  // Bridge copies the mixed-precision fields into the model and DDP configs.
  const paramGather = { 'mixed_precision.fp8_param': [true, false], 'mixed_precision.fp8_param_gather': [true, false], 'model.fp8_param': [true, false], 'ddp.fp8_param_gather': [true, false] };
  const gradReduce = { 'mixed_precision.grad_reduce_in_fp32': [true, false], 'ddp.grad_reduce_in_fp32': [true, false] };
  const amax = { 'mixed_precision.fp8_amax_history_len': [1024, 1], 'mixed_precision.fp8_amax_compute_algo': ['max', 'most_recent'], 'model.fp8_amax_history_len': [1024, 1], 'model.fp8_amax_compute_algo': ['max', 'most_recent'] };
  for (const [name, precision, preset, knobs] of [
    ['fp16 with loss-scale knobs', 'PRECISION="--fp16 --initial-loss-scale 65536 --loss-scale-window 500 --hysteresis 4"', 'fp16_mixed', { 'mixed_precision.hysteresis': [2, 4], 'mixed_precision.initial_loss_scale': [4294967296, 65536], 'mixed_precision.loss_scale_window': [1000, 500], 'optimizer.hysteresis': [2, 4], 'optimizer.initial_loss_scale': [4294967296, 65536], 'optimizer.loss_scale_window': [1000, 500] }],
    ['bf16 with a constant loss scale', 'PRECISION="--bf16 --loss-scale 12"', 'bf16_mixed', { 'mixed_precision.loss_scale': [null, 12], 'optimizer.loss_scale': [null, 12] }],
    ['bf16 with FP8 and gradients reduced in bf16', 'PRECISION="--bf16 --fp8-format hybrid --fp8-amax-history-len 1024 --fp8-amax-compute-algo max --grad-reduce-in-bf16"', 'bf16_with_fp8_delayed_scaling_mixed', { ...gradReduce, ...paramGather }],
    ['FP8 with Megatron-LM\'s defaults (no amax flags, no --fp8-param-gather)', 'PRECISION="--bf16 --fp8-format hybrid"', 'bf16_with_fp8_delayed_scaling_mixed', { ...amax, ...paramGather }],
    // A shared bf16 written out, then the FP8 branch's, both in one run: Hydra merges the second
    // dict into the first, which it refuses unless both have the same fields.
    ['stacked: bf16 for every run, FP8 added by a branch', 'PRECISION="--bf16 --grad-reduce-in-bf16"\nif [ -n "$FP8" ]; then EXTRA="--fp8-format hybrid"; fi', 'bf16_with_fp8_delayed_scaling_mixed', { ...amax, ...paramGather, ...gradReduce }],
  ] as const) {
    it(`${name}: the same ConfigContainer as ${preset} apart from the knobs`, async () => {
      const overrides = writtenOut(precision);
      expect(overrides.length).toBe(name.startsWith('stacked') ? 2 : 1);
      for (const override of overrides) expect(parseOverride(override).key).toBe('mixed_precision');
      const answer = await compare([`mixed_precision=${preset}`], overrides);
      expect(answer.a).toEqual({ starts: true, error: '' });
      expect(answer.b).toEqual({ starts: true, error: '' });
      expect(answer.values).toBeGreaterThan(500);
      expect(answer.differences).toEqual(knobs);
    }, 240_000);
  }
});
