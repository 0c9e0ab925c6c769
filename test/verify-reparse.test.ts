/**
 * The core's verifying re-parse (the output must parse no worse than the input) is skipped only
 * where the caller's own syntax check (the CLI: bash -n) accepts the output; everywhere else it
 * still refuses an output that parses worse.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser, migrate } from '../src/migrate.js';
import { processFile } from '../src/files/process-file.js';
import { bashAvailable } from '../src/files/bash-check.js';

// Bug K of test/fuzz.test.ts: a stray `)` before the launch; the migrated text parses worse than
// the input (a fresh parse finds more error regions), and bash -n rejects both.
const PARSES_WORSE = 'X="--nnodes 1"\nA=1)torchrun --nproc_per_node 8 pretrain_gpt.py\npython -m torch.distributed.run --nproc_per_node 4 pretrain_gpt.py --train-data-path 0.3 "$RUN_NAME" --end-wd ${LR:-3.0e-4} --rl-durable-rollout-bank --load "run 7, fixed"\nexit 0\n';
const REFUSED = /^the migrated text has \d+ bash syntax error region\(s\), the input had \d+; the file was left unchanged/;

describe('the verifying re-parse', () => {
  beforeAll(async () => {
    await initParser();
  });

  it('refuses an output that parses worse when no outside check is given', () => {
    const r = migrate(PARSES_WORSE);
    expect(r.report.status).toBe('error');
    expect(r.report.error).toMatch(REFUSED);
    expect(r.output).toBe(PARSES_WORSE);
  });

  it('still refuses it when the outside check rejects the output, which it is asked about once', () => {
    const asked: string[] = [];
    const r = migrate(PARSES_WORSE, { syntaxAccepted: (text) => (asked.push(text), false) });
    expect(r.report.status).toBe('error');
    expect(r.report.error).toMatch(REFUSED);
    expect(asked).toHaveLength(1);
    expect(asked[0]).not.toBe(PARSES_WORSE);
    expect(asked[0]).toContain('run_recipe.py');
  });

  it('is skipped when the outside check accepts the output (then only that check refuses)', () => {
    const r = migrate(PARSES_WORSE, { syntaxAccepted: () => true });
    expect(r.report.status).toBe('changed');
  });

  it('asks nothing about a text that does not change', () => {
    const asked: string[] = [];
    const hook = { syntaxAccepted: (text: string) => (asked.push(text), true) };
    const notMigrated = '#!/bin/bash\ntorchrun pretrain_bert.py --num-layers 2\n';
    expect(migrate(notMigrated, hook).output).toBe(notMigrated);
    expect(migrate('#!/bin/bash\necho hello\n', hook).report.status).toBe('skipped');
    expect(asked).toEqual([]);
  });

  it.skipIf(!bashAvailable())('one file through the CLI path: bash -n rejects the output, so the re-parse runs and refuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-migrate-reparse-'));
    try {
      const file = join(dir, 'train.sh');
      writeFileSync(file, PARSES_WORSE);
      const outcome = processFile(file, { diff: true });
      expect(outcome.report.status).toBe('error');
      expect(outcome.report.error).toMatch(REFUSED);
      expect(outcome.diff).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
