#!/usr/bin/env node
// Start-up cost is dominated by compiling the bash grammar's WebAssembly; Liftoff (V8's baseline
// WebAssembly compiler) with lazy compilation starts fastest and avoids waiting at exit for
// background optimisation jobs. BRIDGE_MIGRATE_V8_FLAGS overrides (empty: V8's defaults).
import v8 from 'node:v8';

const flags = process.env.BRIDGE_MIGRATE_V8_FLAGS ?? '--liftoff-only --wasm-lazy-compilation';
for (const f of flags.split(/\s+/).filter(Boolean)) v8.setFlagsFromString(f);

// The bundled CLI (scripts/bundle.mjs) starts faster; the unbundled build is the fallback.
const { main } = await import('../dist/bundle/main.js').catch((e) => {
  if (e && e.code === 'ERR_MODULE_NOT_FOUND') return import('../dist/src/cli/main.js');
  throw e;
});
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bridge-migrate: internal error: ${err && err.stack ? err.stack : err}\n`);
    process.exitCode = 2;
  },
);
