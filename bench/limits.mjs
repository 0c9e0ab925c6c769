#!/usr/bin/env node
/**
 * Hostile-size inputs through the built CLI (dry run, one file each): deep `$(` and subshell
 * nesting and a 1 MB launch line (issue 13, item 5). Prints seconds (wall clock of the whole CLI
 * process, best of RUNS) and the CLI's verdict. Build first (`npm run build`).
 *   node bench/limits.mjs            # RUNS=3
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', 'bin', 'bridge-migrate.js');
const RUNS = Number(process.env.RUNS ?? 3);

function longLine(bytes, flag) {
  const parts = [];
  let len = 0;
  for (let i = 0; len < bytes; i++) {
    const p = `${flag} ${i} `;
    parts.push(p);
    len += p.length;
  }
  return parts.join('');
}

const cases = [
  ['nesting 1,000 $( ... )', `torchrun pretrain_gpt.py --num-layers ${'$(echo '.repeat(1000)}1${')'.repeat(1000)} --hidden-size 8\n`],
  ['nesting 1,000 "$( ... )"', `X=${'"$('.repeat(1000)}echo 1${')"'.repeat(1000)}\ntorchrun pretrain_gpt.py --num-layers $X\n`],
  ['nesting 1,000 subshells ( ... )', `${'( '.repeat(1000)}torchrun pretrain_gpt.py --num-layers 2${' )'.repeat(1000)}\n`],
  ['nesting 10,000 subshells ( ... )', `${'( '.repeat(10000)}torchrun pretrain_gpt.py --num-layers 2${' )'.repeat(10000)}\n`],
  ['1 MB launch line (--num-layers N ...)', `torchrun pretrain_gpt.py ${longLine(1 << 20, '--num-layers')}\n`],
  ['1 MB launch line (unknown flags)', `torchrun pretrain_gpt.py ${longLine(1 << 20, '--my-fork-flag')}\n`],
  ['1 MB string variable of flags', `ARGS="${longLine(1 << 20, '--lr')}"\ntorchrun pretrain_gpt.py $ARGS\n`],
  // The largest launch the word limit (5,000) lets through: 2,498 flags with a value (4,998
  // words), and the same with flags Bridge has no override for (each removed with a comment).
  ['launch line of 4,998 words (--num-layers N ...)', `torchrun pretrain_gpt.py ${Array.from({ length: 2498 }, (_, i) => `--num-layers ${i}`).join(' ')}\n`],
  ['launch line of 4,998 words (unknown flags)', `torchrun pretrain_gpt.py ${Array.from({ length: 2498 }, (_, i) => `--my-fork-flag-${i} ${i}`).join(' ')}\n`],
];

const dir = mkdtempSync(join(tmpdir(), 'bm-bench-limits-'));
console.log(`| input | bytes | seconds (best of ${RUNS}) | result |`);
console.log('| --- | ---: | ---: | --- |');
try {
  for (const [name, text] of cases) {
    const file = join(dir, 'case.sh');
    writeFileSync(file, text);
    let best = Infinity;
    let verdict = '';
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [BIN, '--no-color', file], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000 });
      best = Math.min(best, (performance.now() - t0) / 1000);
      const error = /error: (.*)/.exec(r.stderr)?.[1];
      verdict = error ? `refused: ${error.replace(/;.*/, '')}` : r.status === 0 && r.stdout.includes('+++ ') ? 'migrated' : `exit ${r.status}`;
    }
    console.log(`| ${name} | ${Buffer.byteLength(text)} | ${best.toFixed(2)} | ${verdict} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
