/**
 * A conversion that holds only while two values from the environment agree gets a check above its
 * statement (fixture max-position-embeddings-from-environment): executed here with the values equal
 * (the launch starts, as the fixture's exec.json records) and different (the run stops before any
 * launcher starts, saying why).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready, run } from './helpers/core.js';
import { executeScript } from './helpers/execute.js';

const input = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'max-position-embeddings-from-environment', 'input.sh'), 'utf8');

beforeAll(ready);

describe('run-time check of a folded --max-position-embeddings', () => {
  it('lets the run start where the environment keeps the sizes equal', () => {
    const { output } = run(input);
    const migrated = executeScript(output, { env: { SEQ_LENGTH: '1024', MAX_POSITION_EMBEDDINGS: '1024' } });
    expect(migrated.status).toBe(0);
    expect(migrated.records.length).toBe(1);
    expect(migrated.records[0]).toContain('model.seq_length=1024');
  });

  it('stops the run before the launcher where the environment makes them differ', () => {
    const { output } = run(input);
    const original = executeScript(input, { env: { MAX_POSITION_EMBEDDINGS: '1024' } });
    expect(original.records[0]).toContain('--max-position-embeddings');
    const migrated = executeScript(output, { env: { MAX_POSITION_EMBEDDINGS: '1024' } });
    expect(migrated.status).toBe(1);
    expect(migrated.records).toEqual([]);
    expect(migrated.stderr).toContain('bridge-migrate: --max-position-embeddings 1024 differs from --seq-length 512; Bridge sizes learned position embeddings from model.seq_length, so this run would build another model: make them equal, or keep it on Megatron-LM');
  });
});
