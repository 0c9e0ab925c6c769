'use strict';
/**
 * jscodeshift transform: bridge-migrate's core on each file jscodeshift hands over.
 *
 *   npx bridge-migrate-jscodeshift [--recipe=<name>] [--bridge-root=<shell text>] \
 *     [--no-pin-defaults] [--fail-on-error] [--dry --print] launch_scripts/
 *   # = jscodeshift --no-babel -t transforms/megatron-to-bridge.cjs --extensions=sh,bash,slurm,sbatch ...
 *
 * Options take the CLI's spelling (--recipe, --bridge-root, --no-pin-defaults); the camelCase
 * forms (--bridgeRoot, --pinDefaults=false) work too. Results map onto jscodeshift's buckets:
 * changed -> ok, unchanged -> unmodified, no Megatron-LM launch -> skipped, error -> errors.
 * Errors and warnings (notes too with --verbose=1 or more) are printed with jscodeshift's report
 * (REP) lines, as `line N: error|warning|note: message`. With --fail-on-error, a file with a
 * blocked launch is written as migrated (unless --dry) and then counted in errors, so that
 * jscodeshift exits 1.
 *
 * Hand-written CommonJS (jscodeshift `require`s transforms); the ESM core is loaded with import(),
 * so nothing here can go stale against src/.
 */

let core;

/** The core (migrate + the CLI's BOM/CRLF codec), with its parser initialised once per process. */
function loadCore() {
  if (!core) {
    core = Promise.all([import('../dist/src/index.js'), import('../dist/src/files/text-codec.js')])
      .then(async ([api, codec]) => {
        await api.initParser();
        return { api, codec };
      })
      .catch((err) => {
        core = undefined;
        if (err && err.code === 'ERR_MODULE_NOT_FOUND') {
          throw new Error(`bridge-migrate is not built (${err.message}); run \`npm run build\` in ${require('node:path').join(__dirname, '..')} first`);
        }
        throw err;
      });
  }
  return core;
}

let atomicWrite;

/** The CLI's atomic write (temporary file + rename, mode kept). */
function loadAtomicWrite() {
  if (!atomicWrite) {
    atomicWrite = import('../dist/src/files/atomic-write.js').then((m) => (path, data, source) => {
      // The CLI's safe replace: the file must still be what jscodeshift read (else it is left alone).
      const { statSync } = require('node:fs');
      m.replaceFile(path, data, { bytes: Buffer.from(source, 'utf8'), stat: statSync(path, { bigint: true }) });
    });
  }
  return atomicWrite;
}

/** jscodeshift passes unknown `--name=value` options through, JSON-parsed when they parse. */
function option(options, ...names) {
  for (const name of names) if (options[name] !== undefined && options[name] !== null) return options[name];
  return undefined;
}

function migrateOptions(file, options) {
  const recipe = option(options, 'recipe');
  const bridgeRoot = option(options, 'bridge-root', 'bridgeRoot');
  // `--no-pin-defaults` arrives as "pin-defaults": false; `--pin-defaults=false` as the same.
  const pin = option(options, 'pin-defaults', 'pinDefaults');
  return {
    path: file.path,
    recipe: recipe === undefined ? undefined : String(recipe),
    bridgeRoot: bridgeRoot === undefined ? undefined : String(bridgeRoot),
    pinDefaults: !(pin === false || pin === 'false' || pin === 0 || pin === '0'),
  };
}

/** What a reviewer must read (errors and warnings; notes, things the tool did, when verbose), as jscodeshift report lines. */
function attention(report, verbose) {
  const findings = [...report.messages, ...report.launches.flatMap((l) => l.findings)].filter((f) => verbose || f.severity !== 'note');
  findings.sort((x, y) => x.line - y.line);
  return findings.map((f) => `line ${f.line}: ${f.severity}: ${f.message}`);
}

/** jscodeshift's --fail-on-error (it hands its own options to the transform). */
function failOnError(options) {
  const v = option(options, 'failOnError', 'fail-on-error');
  return v === true || v === 'true' || v === 1;
}

module.exports = async function transform(file, api, options) {
  const { api: bridge, codec } = await loadCore();
  let decoded;
  try {
    // jscodeshift read the file as UTF-8; the codec strips (and later restores) a BOM and CRLF
    // line endings exactly as the CLI does, and rejects binary files.
    decoded = codec.decodeScript(Buffer.from(file.source, 'utf8'));
  } catch (err) {
    throw new Error(err && err.message ? err.message : String(err));
  }
  options = options || {};
  const { output, report } = bridge.migrate(decoded.text, migrateOptions(file, options));
  if (api && typeof api.report === 'function') for (const line of attention(report, Number(options.verbose) >= 1)) api.report(line);
  const blocked = report.launches.filter((l) => l.verdict === 'blocked');
  if (blocked.length && failOnError(options) && report.status !== 'error') {
    // jscodeshift exits 1 only for files in its errors bucket, and writes nothing for them: write
    // the migration here (the same atomic write as the CLI), then count the file as an error.
    const migrated = codec.encodeScript(output, decoded);
    if (report.status === 'changed') {
      if (options.print) console.log(migrated.toString('utf8'));
      if (!options.dry) (await loadAtomicWrite())(file.path, migrated, file.source);
    }
    const where = blocked.map((l) => `line ${l.line} (${l.entrypoint}${l.migrated ? '' : ', not migrated'})`).join(', ');
    throw new Error(`blocked launch${blocked.length === 1 ? '' : 'es'} at ${where}; ${report.status === 'changed' ? (options.dry ? 'the rest of the file would be migrated' : 'the rest of the file was migrated and written') : 'the file is unchanged'} (--fail-on-error counts blocked launches as errors)`);
  }
  switch (report.status) {
    case 'skipped':
      return undefined; // jscodeshift: skipped
    case 'unchanged':
      return file.source; // jscodeshift: unmodified
    case 'error':
      throw new Error(report.error || 'bridge-migrate could not process this file');
    default:
      return codec.encodeScript(output, decoded).toString('utf8');
  }
};
