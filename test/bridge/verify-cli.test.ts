/** `bridge-migrate --verify` with the real Megatron Bridge: exact lines and exit codes. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bridgePython, runAsync } from '../helpers/bridge.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'bridge-migrate.js');
let dir: string;

const MODEL = '--num-layers 2 --hidden-size 64 --num-attention-heads 4 --seq-length 128 --max-position-embeddings 128 --micro-batch-size 1 --global-batch-size 8 --train-iters 10 --mock-data';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bm-verify-'));
  writeFileSync(join(dir, 'starts.sh'), `#!/bin/bash\nGPUS=4\ntorchrun --nproc_per_node $GPUS pretrain_gpt.py ${MODEL} --tensor-model-parallel-size 2\n`);
  // 4 processes cannot hold tensor parallelism 8: Bridge's validate() says so.
  writeFileSync(join(dir, 'too-small.sh'), `#!/bin/bash\ntorchrun --nproc_per_node 4 pretrain_gpt.py ${MODEL} --tensor-model-parallel-size 8\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(...paths: string[]) {
  return runAsync(process.execPath, [BIN, '--verify', '--quiet', '--python', bridgePython(), ...paths], { cwd: dir });
}

describe('--verify', () => {
  it('says a launch starts, with its world size (exit 0)', async () => {
    const run = await verify('starts.sh');
    const lines = run.stderr.split('\n').filter((l) => / starts| would not start|--verify:/.test(l));
    expect(lines).toEqual(['starts.sh:3: starts (world size 4)', expect.stringMatching(/^bridge-migrate: --verify: 1 of 1 launch start under Megatron Bridge 0\.6\.2\S*, Megatron Core 0\.19\.2\S*$/)]);
    expect(run.status).toBe(0);
  });

  it("says a launch would not start, with Bridge's own message (exit 1)", async () => {
    const run = await verify('starts.sh', 'too-small.sh');
    const lines = run.stderr.split('\n').filter((l) => / starts| would not start|--verify:/.test(l));
    expect(lines[0]).toBe('starts.sh:3: starts (world size 4)');
    expect(lines[1]).toBe(
      'too-small.sh:2: would not start: AssertionError: world size (4) is not divisible by total_model_size (model_cfg.tensor_model_parallel_size=8 * model_cfg.pipeline_model_parallel_size=1 * model_cfg.context_parallel_size=1) [validate] (world size 4)',
    );
    expect(lines[2]).toMatch(/^bridge-migrate: --verify: 1 of 2 launches start under /);
    expect(run.status).toBe(1);
  });
});
