/** `--verify` where Megatron Bridge cannot run: one clear line, exit 2, no stack trace. */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'bridge-migrate.js');

describe('--verify without Megatron Bridge', () => {
  it('names the Python it tried and what to do (exit 2)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bm-noverify-'));
    try {
      writeFileSync(join(dir, 'train.sh'), 'torchrun pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 4 --mock-data\n');
      const missing = spawnSync(process.execPath, [BIN, '--verify', '--quiet', '--python', join(dir, 'no-such-python'), 'train.sh'], { cwd: dir, encoding: 'utf8' });
      expect(missing.status).toBe(2);
      expect(missing.stderr.trim().split('\n').pop()).toBe(
        `bridge-migrate: --verify: cannot run ${join(dir, 'no-such-python')} (no such program). Point --python (or BRIDGE_PYTHON) at the Python of an environment where Megatron Bridge is installed`,
      );
      // A Python without Bridge: the import error, once.
      const empty = join(dir, 'venv');
      spawnSync('python3', ['-m', 'venv', '--without-pip', empty]);
      const bare = spawnSync(process.execPath, [BIN, '--verify', '--quiet', '--python', join(empty, 'bin', 'python'), 'train.sh'], { cwd: dir, encoding: 'utf8' });
      expect(bare.status).toBe(2);
      expect(bare.stderr.trim().split('\n').pop()).toMatch(/^bridge-migrate: --verify: Megatron Bridge cannot be imported by \S+\/venv\/bin\/python: ModuleNotFoundError: No module named '(typing_extensions|megatron)'\. Point --python/);
      expect(bare.stderr).not.toMatch(/Traceback|at .*\.js:\d+/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
