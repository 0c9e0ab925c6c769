/**
 * The unified diff built from the edit list (src/print/hunks-from-edits.ts) must be byte for byte
 * jsdiff's, or the builder must decline (and jsdiff is asked). Each case says which it expects, so
 * a builder that declines everything fails here too.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { hunksFromEdits } from '../src/print/hunks-from-edits.js';
import { jsdiffHunks, unifiedDiff } from '../src/print/diff.js';
import { applyEdits, type Edit } from '../src/rewrite/edits.js';
import { initParser, migrate } from '../src/migrate.js';

/** Replaces the `nth` occurrence of `find` in `text`. */
function replace(text: string, find: string, by: string, nth = 0): Edit {
  let start = -1;
  for (let k = 0; k <= nth; k++) start = text.indexOf(find, start + 1);
  if (start === -1) throw new Error(`no ${JSON.stringify(find)} in the case text`);
  return { start, end: start + find.length, text: by };
}
const insert = (at: number, text: string): Edit => ({ start: at, end: at, text });

const LAUNCH = '#!/bin/bash\nset -e\n\nGPUS=8\n\ntorchrun --nproc_per_node $GPUS pretrain_gpt.py \\\n    --num-layers 24 \\\n    --hidden-size 1024 \\\n    --bf16\n\necho done\n';
const TWELVE = Array.from({ length: 12 }, (_, k) => `line ${k + 1}`).join('\n') + '\n';

interface Case {
  name: string;
  before: string;
  edits: (before: string) => Edit[];
  context?: number;
  /** Whether the builder answers (true) or leaves it to jsdiff (false). */
  built: boolean;
}

const cases: Case[] = [
  { name: 'one flag rewritten inside a line', before: LAUNCH, edits: (t) => [replace(t, '--num-layers 24', 'model.num_layers=24')], built: true },
  { name: 'several flags, the entrypoint and a deleted line', before: LAUNCH, edits: (t) => [replace(t, 'pretrain_gpt.py', 'run_recipe.py'), replace(t, '--num-layers 24', 'model.num_layers=24'), replace(t, '    --hidden-size 1024 \\\n', ''), replace(t, '--bf16', 'mixed_precision=bf16_mixed')], built: true },
  { name: 'a comment line inserted above a statement', before: LAUNCH, edits: (t) => [insert(t.indexOf('torchrun'), '# bridge-migrate: note: removed --x\n')], built: true },
  { name: 'two edits on one line', before: LAUNCH, edits: (t) => [replace(t, '--nproc_per_node', '--nproc-per-node'), replace(t, 'pretrain_gpt.py', 'run_recipe.py')], built: true },
  { name: 'edits on neighbouring lines', before: LAUNCH, edits: (t) => [replace(t, '--num-layers 24', 'a=1'), replace(t, '--hidden-size 1024', 'b=2')], built: true },
  { name: 'the first line changed (no context before)', before: LAUNCH, edits: (t) => [replace(t, '#!/bin/bash', '#!/usr/bin/env bash')], built: true },
  { name: 'a line inserted at the very top, no context', before: LAUNCH, edits: () => [insert(0, '# top\n')], context: 0, built: true },
  { name: 'a line deleted, no context', before: LAUNCH, edits: (t) => [replace(t, 'set -e\n', '')], context: 0, built: true },
  { name: 'a line appended at the end', before: LAUNCH, edits: (t) => [insert(t.length, 'exit 0\n')], built: true },
  { name: 'last line without a final newline, changed', before: 'a=1\nb=2', edits: (t) => [replace(t, 'b=2', 'b=3')], built: true },
  { name: 'last line without a final newline gets one and a line after it', before: 'a=1\nb=2', edits: (t) => [insert(t.length, '\nc=3\n')], built: true },
  { name: 'the final newline removed', before: 'a=1\nb=2\n', edits: (t) => [replace(t, '2\n', '2')], built: true },
  { name: 'a line joined to the next', before: 'a\nb\nc\n', edits: (t) => [replace(t, 'b\n', 'B')], built: true },
  { name: 'a line split in two', before: 'a\nb c\nd\n', edits: (t) => [replace(t, ' ', '\n')], built: true },
  { name: 'a carriage return inside lines (tokens end at \\n)', before: 'a\r\nb\r\nc\r\n', edits: (t) => [replace(t, 'b', 'B')], built: true },
  { name: 'a rewrite to the same text next to a change', before: LAUNCH, edits: (t) => [replace(t, 'GPUS=8', 'GPUS=8'), replace(t, 'set -e', 'set -eu')], built: true },
  { name: 'changes 6 lines apart share one hunk (-U 3)', before: TWELVE, edits: (t) => [replace(t, 'line 2\n', 'two\n'), replace(t, 'line 9\n', 'nine\n')], built: true },
  { name: 'changes 7 lines apart make two hunks (-U 3)', before: TWELVE, edits: (t) => [replace(t, 'line 2\n', 'two\n'), replace(t, 'line 10\n', 'ten\n')], built: true },
  { name: 'two hunks with -U 1', before: TWELVE, edits: (t) => [replace(t, 'line 2\n', 'two\n'), replace(t, 'line 6\n', 'six\n')], context: 1, built: true },
  { name: 'context wider than the file', before: TWELVE, edits: (t) => [replace(t, 'line 6', 'six')], context: 40, built: true },
  { name: 'everything but one line deleted', before: TWELVE, edits: (t) => [replace(t, TWELVE.slice(0, TWELVE.indexOf('line 12')), '')], built: true },
  // jsdiff decides these: a line that also occurs on the other side can pair or slide.
  { name: 'an inserted line equal to its neighbour (the insertion could slide)', before: 'x\nA\ny\n', edits: (t) => [insert(t.indexOf('A'), 'A\n')], built: false },
  { name: 'an inserted block closing with ) like an array above it', before: 'ARGS=(\n  --a\n)\n\nrun "${ARGS[@]}"\n', edits: (t) => [insert(t.indexOf('run'), 'PINS=(\n  k=v\n)\n')], built: false },
  { name: 'a blank line deleted where other blank lines stay', before: LAUNCH, edits: (t) => [replace(t, '\n\necho', '\necho')], built: false },
  { name: 'two lines swapped', before: 'a\nb\nc\n', edits: (t) => [replace(t, 'a\nb\n', 'b\na\n')], built: false },
  { name: 'an empty file before', before: '', edits: () => [insert(0, 'a\n')], built: false },
  { name: 'edits that do not make the text after (checked, not trusted)', before: 'a\nb\nc\n', edits: (t) => [replace(t, 'a', 'z')], built: false },
];

describe('unified diff from the edit list', () => {
  for (const c of cases) {
    it(c.name, () => {
      const edits = c.edits(c.before);
      // The last case passes edits that are wrong for `after` on purpose.
      const after = c.name.startsWith('edits that do not') ? c.before.replace('b', 'B') : applyEdits(c.before, edits);
      const context = c.context ?? 3;
      const built = hunksFromEdits(c.before, after, edits, context);
      expect(built !== undefined).toBe(c.built);
      if (built !== undefined) expect(built).toBe(jsdiffHunks(c.before, after, context));
      expect(unifiedDiff('dir/run.sh', c.before, after, { context, edits })).toBe(unifiedDiff('dir/run.sh', c.before, after, { context }));
    });
  }

  it('agrees with jsdiff on 4,000 random texts and edits (fixed seed), building at least a third', () => {
    let state = 20261202;
    const random = () => {
      // mulberry32
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)];
    const common = ['', ')', 'fi', 'done', '  --flag \\', 'x\r', 'a'];
    const pieces = ['\n', 'q', 'a\n', ')\n', 'new line\n', 'X', '\\\n', ''];
    let built = 0;
    let total = 0;
    for (let run = 0; run < 4000; run++) {
      const lineCount = 1 + Math.floor(random() * 40);
      const lines = Array.from({ length: lineCount }, () => (random() < 0.15 ? pick(common) : `l${Math.floor(random() * 200)}`));
      const before = lines.join('\n') + (random() < 0.85 ? '\n' : '');
      const edits: Edit[] = [];
      let position = 0;
      while (edits.length < 6) {
        const start = position + Math.floor(random() * (random() < 0.5 ? 6 : 60));
        if (start > before.length) break;
        const end = Math.min(before.length, start + (random() < 0.4 ? 0 : Math.floor(random() * 12)));
        const text = Array.from({ length: Math.floor(random() * 3) }, () => (random() < 0.5 ? pick(pieces) : `n${Math.floor(random() * 100)}\n`)).join('');
        edits.push({ start, end, text });
        position = end + (random() < 0.3 ? 0 : 1);
      }
      const after = applyEdits(before, edits);
      if (after === before) continue;
      total++;
      const context = pick([0, 1, 2, 3, 3, 3, 5]);
      const hunks = hunksFromEdits(before, after, edits, context);
      if (hunks === undefined) continue;
      built++;
      expect(hunks, JSON.stringify({ before, edits, context })).toBe(jsdiffHunks(before, after, context));
    }
    expect(built * 3).toBeGreaterThan(total);
  });
});

describe('unified diff from the edit list, on the fixtures', () => {
  beforeAll(async () => {
    await initParser();
  });
  it('every changed fixture: the same diff with and without the edits (most built from them)', () => {
    const root = join(__dirname, '..', 'fixtures');
    let changed = 0;
    let built = 0;
    for (const name of readdirSync(root).sort()) {
      const input = join(root, name, 'input.sh');
      if (!existsSync(input)) continue;
      const before = readFileSync(input, 'utf8');
      const result = migrate(before, {});
      if (!result.edits) continue;
      changed++;
      for (const context of [0, 3, 5]) {
        const fromEdits = unifiedDiff(`${name}.sh`, before, result.output, { context, edits: result.edits });
        expect(fromEdits, `${name} -U ${context}`).toBe(unifiedDiff(`${name}.sh`, before, result.output, { context }));
      }
      if (hunksFromEdits(before, result.output, result.edits, 3) !== undefined) built++;
    }
    expect(changed).toBeGreaterThan(50);
    expect(built * 2).toBeGreaterThan(changed);
  });
});
