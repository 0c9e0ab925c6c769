#!/usr/bin/env node
/**
 * Bundles the CLI and its worker into dist/bundle/ (one file each, JSON tables inlined) so that a
 * start loads one module instead of ~40: about 55 ms of a ~0.35 s cold start. web-tree-sitter stays
 * external (it finds its own files). The unbundled dist/src/ stays for the library and jscodeshift.
 *
 * The CLI is CommonJS (main.cjs), which bin/bridge-migrate.js compiles with vm.Script and a V8 code
 * cache (main.cjs.cache, made here by running the CLI once on a small script, so the functions a
 * run needs are in it): Node 20 keeps no code cache for ES modules. The first line of main.cjs names
 * the build, and the cache starts with that name: a cache of another build is never used. The
 * worker stays an ES module (worker.js, found beside main.cjs): it needs top-level await.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile as readFileAsync } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'dist/bundle');
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  external: ['web-tree-sitter'],
  logLevel: 'warning',
  // A large table as one JSON.parse of a string literal starts faster than the same data as an
  // object literal, which V8 has to parse as JavaScript.
  plugins: [
    {
      name: 'json-as-parse',
      setup(build) {
        build.onLoad({ filter: /\.json$/ }, async (args) => ({
          contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(await readFileAsync(args.path, 'utf8'))))});`,
          loader: 'js',
        }));
      },
    },
  ],
};

mkdirSync(OUT, { recursive: true });
// Outputs of earlier builds: an ES-module main.js (before main.cjs), a cache of another main.cjs.
for (const stale of ['main.js', 'main.cjs.cache']) rmSync(path.join(OUT, stale), { force: true });

await build({ ...common, entryPoints: { worker: path.join(ROOT, 'src/cli/worker.ts') }, outdir: OUT, format: 'esm' });

const cjs = await build({
  ...common,
  entryPoints: { main: path.join(ROOT, 'src/cli/main.ts') },
  outdir: OUT,
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  write: false,
  // import.meta.url (the worker's and package.json's place, createRequire) from this file's name.
  define: { 'import.meta.url': '__bridgeMigrateUrl' },
  banner: { js: 'var __bridgeMigrateUrl = require("node:url").pathToFileURL(__filename).href;' },
  // import() of a built-in becomes require(): code compiled by vm.Script has no ES module loader.
  supported: { 'dynamic-import': false },
});
const [main] = cjs.outputFiles;
const id = createHash('sha256').update(main.contents).digest('hex').slice(0, 16);
const mainFile = path.join(OUT, 'main.cjs');
writeFileSync(mainFile, `// bridge-migrate build ${id}\n${main.text}`);

// The code cache: the CLI's dry run of a small script, through the bin, under its V8 flags.
const dir = mkdtempSync(path.join(tmpdir(), 'bridge-migrate-code-cache-'));
try {
  const script = path.join(dir, 'train.sh');
  writeFileSync(script, '#!/bin/bash\ntorchrun --nproc_per_node 8 pretrain_gpt.py --num-layers 24 --hidden-size 1024 --bf16\n');
  const env = { ...process.env, BRIDGE_MIGRATE_WRITE_CODE_CACHE: '1' };
  delete env.BRIDGE_MIGRATE_V8_FLAGS;
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin/bridge-migrate.js'), script], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  // No cache is no error: the CLI compiles without one.
  if (run.status !== 0 && run.status !== 1) process.stderr.write(`bundle.mjs: warning: no code cache (the CLI exited ${run.status ?? run.signal}): ${run.stderr}\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
