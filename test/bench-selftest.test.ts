/**
 * The corpus bench's own comparison checks (bench/corpus/selftest.mjs: hand-written argv, no
 * sandbox): its figures in the README are only as good as this comparison, so CI runs it too.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

describe('corpus bench comparison', () => {
  it('passes its own checks', () => {
    const selftest = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bench', 'corpus', 'selftest.mjs')], { encoding: 'utf8' });
    expect(selftest.stdout).not.toMatch(/^FAIL /m);
    expect(selftest.status, selftest.stdout + selftest.stderr).toBe(0);
  });
});
