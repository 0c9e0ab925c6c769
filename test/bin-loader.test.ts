/**
 * bin/bridge-migrate.js loads dist/bundle/main.cjs with the V8 code cache that `npm run build`
 * made (scripts/bundle.mjs). A cache it cannot use (another build's, a damaged one, one made under
 * other V8 flags, none) and a missing bundle (the unbundled dist/src/ then) must not change a
 * byte of what the CLI prints. Runs copies of bin/ and dist/ (the built checkout) in a temporary
 * folder, with this checkout's node_modules.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..');
const SCRIPT = '#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py --num-layers 24 --hidden-size 1024 --bf16\n';

let dir: string;
let install: string;
let expected: { status: number | null; stdout: string; stderr: string };

function run(env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [join(install, 'bin/bridge-migrate.js'), 'train.sh'], { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } });
  // The summary's seconds are the only thing that may differ.
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.replace(/\(\d+\.\d+s\)/g, '(Xs)') };
}

describe('bin/bridge-migrate.js: the bundle and its code cache', () => {
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'bridge-migrate-bin-'));
    install = join(dir, 'install');
    for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(install, part), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules'), join(install, 'node_modules'));
    writeFileSync(join(dir, 'train.sh'), SCRIPT);
    expected = run();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const CACHE = () => join(install, 'dist/bundle/main.cjs.cache');

  it('the build made a cache of this bundle', () => {
    const build = /^\/\/ bridge-migrate build (\w+)\n/.exec(readFileSync(join(install, 'dist/bundle/main.cjs'), 'utf8'))?.[1];
    expect(build).toBeTruthy();
    expect(readFileSync(CACHE()).latin1Slice(0, build!.length)).toBe(build);
    expect(expected.stdout).toContain('run_recipe.py');
  });

  it('a cache made under other V8 flags is rejected and changes nothing', () => {
    expect(run({ BRIDGE_MIGRATE_V8_FLAGS: '' })).toEqual(expected);
  });

  it('a cache of another build, a damaged cache and no cache change nothing', () => {
    const good = readFileSync(CACHE());
    try {
      const other = Buffer.from(good);
      other.write('0000000000000000', 0, 'latin1');
      writeFileSync(CACHE(), other);
      expect(run()).toEqual(expected);
      writeFileSync(CACHE(), good.subarray(0, good.length >> 1));
      expect(run()).toEqual(expected);
      rmSync(CACHE());
      expect(run()).toEqual(expected);
    } finally {
      writeFileSync(CACHE(), good);
    }
  });

  it('without the bundle, the unbundled build runs', () => {
    rmSync(join(install, 'dist/bundle'), { recursive: true });
    expect(existsSync(join(install, 'dist/src/cli/main.js'))).toBe(true);
    expect(run()).toEqual(expected);
  });
});
