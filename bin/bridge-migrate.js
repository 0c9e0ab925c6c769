#!/usr/bin/env node
// Start-up cost is dominated by compiling the bash grammar's WebAssembly; Liftoff (V8's baseline
// WebAssembly compiler) with lazy compilation starts fastest and avoids waiting at exit for
// background optimisation jobs. BRIDGE_MIGRATE_V8_FLAGS overrides (empty: V8's defaults).
import v8 from 'node:v8';
import vm from 'node:vm';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const flags = process.env.BRIDGE_MIGRATE_V8_FLAGS ?? '--liftoff-only --wasm-lazy-compilation';
for (const f of flags.split(/\s+/).filter(Boolean)) v8.setFlagsFromString(f);

// The bundled CLI (scripts/bundle.mjs), CommonJS compiled here with the V8 code cache made at build
// time: no parsing or compiling of the functions a run needs (about 25 ms). A cache of another build
// is not used; one V8 rejects (another Node, other V8 flags) just costs the compile. Without the
// bundle, the unbundled build.
const BUNDLE = fileURLToPath(new URL('../dist/bundle/main.cjs', import.meta.url));
const CACHE = `${BUNDLE}.cache`;

function loadBundle() {
  let source;
  try {
    source = readFileSync(BUNDLE, 'utf8');
  } catch (e) {
    if (e && e.code === 'ENOENT') return undefined;
    throw e;
  }
  const build = /^\/\/ bridge-migrate build (\w+)\n/.exec(source)?.[1] ?? '';
  let cachedData;
  try {
    const cache = readFileSync(CACHE);
    if (build && cache.latin1Slice(0, build.length) === build) cachedData = cache.subarray(build.length);
  } catch {
    // no cache: compiled from source
  }
  // Node's own CommonJS wrapper, on the first line so that line numbers stay those of the file.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: BUNDLE, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(BUNDLE), module, BUNDLE, path.dirname(BUNDLE));
  // npm run build (scripts/bundle.mjs): the cache, made after a run so it holds what a run compiled.
  const writeCache = process.env.BRIDGE_MIGRATE_WRITE_CODE_CACHE === '1' && build ? () => {
    writeFileSync(`${CACHE}.tmp`, Buffer.concat([Buffer.from(build, 'latin1'), script.createCachedData()]));
    renameSync(`${CACHE}.tmp`, CACHE);
  } : undefined;
  return { main: module.exports.main, writeCache };
}

const { main, writeCache } = loadBundle() ?? (await import('../dist/src/cli/main.js'));
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    writeCache?.();
  },
  (err) => {
    process.stderr.write(`bridge-migrate: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
