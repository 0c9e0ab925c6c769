/**
 * A preset written out as a MixedPrecisionConfig (loss-scale knobs the named preset fixes) must
 * give Bridge the same configuration as the named preset, apart from the knobs: checked on the
 * whole ConfigContainer after runtime_config_update, with the override text the tool writes. The
 * knobs reach the optimizer config too (Bridge's mixed-precision setup copies them there).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { ready, run } from '../helpers/core.js';
import { parseOverride } from '../helpers/hydra-parse.js';
import { bridgePython, runAsync } from '../helpers/bridge.js';

const SCRIPT = join(import.meta.dirname, 'same_config.py');
const BASE = ['--recipe', 'vanilla_gpt_pretrain_config', '--dataset', 'mock', 'model.num_layers=2', 'model.hidden_size=64', 'model.num_attention_heads=4', 'train.micro_batch_size=1', 'train.global_batch_size=8', 'train.train_iters=10'];

beforeAll(ready);

/** The mixed_precision override the tool writes for these precision flags. */
function writtenOut(precision: string): string {
  const input = `#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 4 --mock-data ${precision}\n`;
  const { report } = run(input, { pinDefaults: false });
  const override = report.launches[0].overrides.find((o) => o.key === 'mixed_precision');
  return `mixed_precision=${override?.value}`;
}

async function compare(a: string[], b: string[]) {
  const answer = await runAsync(bridgePython(), [SCRIPT], { input: JSON.stringify({ a: [...BASE, ...a], b: [...BASE, ...b], worldSize: 1 }) });
  expect(answer.status, answer.stderr.slice(-2000)).toBe(0);
  return JSON.parse(answer.stdout.trim().split('\n').pop()!);
}

describe('written-out mixed precision', () => {
  for (const [name, precision, preset, knobs] of [
    ['fp16 with loss-scale knobs', '--fp16 --initial-loss-scale 65536 --loss-scale-window 500 --hysteresis 4', 'fp16_mixed', { 'mixed_precision.hysteresis': [2, 4], 'mixed_precision.initial_loss_scale': [4294967296, 65536], 'mixed_precision.loss_scale_window': [1000, 500], 'optimizer.hysteresis': [2, 4], 'optimizer.initial_loss_scale': [4294967296, 65536], 'optimizer.loss_scale_window': [1000, 500] }],
    ['bf16 with a constant loss scale', '--bf16 --loss-scale 12', 'bf16_mixed', { 'mixed_precision.loss_scale': [null, 12], 'optimizer.loss_scale': [null, 12] }],
    ['bf16 with FP8 and gradients reduced in bf16', '--bf16 --fp8-format hybrid --fp8-amax-history-len 1024 --fp8-amax-compute-algo max --grad-reduce-in-bf16', 'bf16_with_fp8_delayed_scaling_mixed', { 'mixed_precision.grad_reduce_in_fp32': [true, false], 'ddp.grad_reduce_in_fp32': [true, false] }],
  ] as const) {
    it(`${name}: the same ConfigContainer as ${preset} apart from the knobs`, async () => {
      const override = writtenOut(precision);
      expect(parseOverride(override).key).toBe('mixed_precision');
      const answer = await compare([`mixed_precision=${preset}`], [override]);
      expect(answer.a).toEqual({ starts: true, error: '' });
      expect(answer.b).toEqual({ starts: true, error: '' });
      expect(answer.values).toBeGreaterThan(500);
      expect(answer.differences).toEqual(knobs);
    }, 240_000);
  }
});
