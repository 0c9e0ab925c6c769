/**
 * A DeepSpeed config the script writes is read as the Megatron-LM flags it stands for: the
 * migrated launch must give Bridge the same whole ConfigContainer (after runtime_config_update) as
 * the migrated launch of the same script written with those flags and no DeepSpeed, and the values
 * the config sets must be what DeepSpeed trained with (clipping, loss scaling, sharded optimizer).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { ready, run } from '../helpers/core.js';
import { executeScript, splitAtEntry } from '../helpers/execute.js';
import { bridgePython, runAsync } from '../helpers/bridge.js';

const SCRIPT = join(import.meta.dirname, 'same_config.py');
const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

beforeAll(ready);

/** What the migrated script passes to run_recipe.py. */
function bridgeArgv(script: string): string[] {
  const { output } = run(script, {});
  const launches = executeScript(output).records.map((r) => splitAtEntry(r, /run_recipe\.py$/)).filter((x) => x !== undefined);
  expect(launches).toHaveLength(1);
  return launches[0]!.args;
}

async function compare(a: string[], b: string[], worldSize: number) {
  const answer = await runAsync(bridgePython(), [SCRIPT], { input: JSON.stringify({ a, b, worldSize }) });
  expect(answer.status, answer.stderr.slice(-2000)).toBe(0);
  return JSON.parse(answer.stdout.trim().split('\n').pop()!);
}

const SHAPE = '--num-layers 2 --hidden-size 128 --num-attention-heads 4 --seq-length 128 --max-position-embeddings 128 --train-iters 10 --lr 3e-4 --mock-data';

describe('DeepSpeed config read as flags', () => {
  it('fp16 loss scaling, clipping and ZeRO-1 from the config: the same ConfigContainer as the flags they stand for', async () => {
    const withConfig = bridgeArgv(readFileSync(join(FIXTURES, 'deepspeed-config-read', 'input.sh'), 'utf8'));
    const asFlags = bridgeArgv(`#!/bin/bash\ntorchrun --nproc_per_node 4 pretrain_gpt.py --num-layers 4 --hidden-size 256 --num-attention-heads 4 --seq-length 256 --max-position-embeddings 256 --micro-batch-size 2 --global-batch-size 16 --train-iters 20 --lr 1e-4 --mock-data --fp16 --clip-grad 0.5 --initial-loss-scale 16384 --loss-scale-window 250 --use-distributed-optimizer\n`);
    const answer = await compare(withConfig, asFlags, 4);
    expect(answer.a).toEqual({ starts: true, error: '' });
    expect(answer.b).toEqual({ starts: true, error: '' });
    expect(answer.values).toBeGreaterThan(500);
    expect(answer.differences).toEqual({});
  }, 240_000);

  it('a config without gradient_clipping: DeepSpeed did not clip, so neither does Bridge', async () => {
    const withConfig = bridgeArgv(readFileSync(join(FIXTURES, 'deepspeed-config-bf16-no-clipping', 'input.sh'), 'utf8'));
    const megatronFlags = bridgeArgv(`#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py ${SHAPE} --micro-batch-size 4 --global-batch-size 32 --bf16 --clip-grad 1.0\n`);
    const answer = await compare(withConfig, megatronFlags, 8);
    expect(answer.a).toEqual({ starts: true, error: '' });
    expect(answer.differences).toEqual({ 'optimizer.clip_grad': [0.0, 1.0] });
  }, 240_000);
});
