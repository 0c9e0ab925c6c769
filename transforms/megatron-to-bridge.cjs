'use strict';
/**
 * jscodeshift transform: bridge-migrate's core on each file jscodeshift hands over.
 *
 *   npm run build    # the transform loads the built core from dist/
 *   npx jscodeshift --no-babel -t transforms/megatron-to-bridge.cjs \
 *     --extensions=sh,bash,slurm,sbatch [--recipe=<name>] [--bridgeRoot=<shell text>] \
 *     [--pinDefaults=false] [--dry --print] launch_scripts/
 *
 * Results map onto jscodeshift's buckets: changed -> ok, unchanged -> unmodified,
 * no Megatron-LM launch -> skipped, error -> errors. Errors and warnings are printed with
 * jscodeshift's report (REP) lines, as `line N: error|warning: message`.
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

/** jscodeshift passes unknown `--name=value` options through, JSON-parsed when they parse. */
function option(options, ...names) {
  for (const name of names) if (options[name] !== undefined && options[name] !== null) return options[name];
  return undefined;
}

function migrateOptions(file, options) {
  const recipe = option(options, 'recipe');
  const bridgeRoot = option(options, 'bridgeRoot', 'bridge-root');
  const pin = option(options, 'pinDefaults', 'pin-defaults');
  return {
    path: file.path,
    recipe: recipe === undefined ? undefined : String(recipe),
    bridgeRoot: bridgeRoot === undefined ? undefined : String(bridgeRoot),
    pinDefaults: !(pin === false || pin === 'false' || pin === 0 || pin === '0'),
  };
}

/** What a reviewer must read (errors and warnings; notes are things the tool did), as jscodeshift report lines. */
function attention(report) {
  const findings = [...report.messages, ...report.launches.flatMap((l) => l.findings)].filter((f) => f.severity !== 'note');
  findings.sort((x, y) => x.line - y.line);
  return findings.map((f) => `line ${f.line}: ${f.severity}: ${f.message}`);
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
  const { output, report } = bridge.migrate(decoded.text, migrateOptions(file, options || {}));
  if (api && typeof api.report === 'function') for (const line of attention(report)) api.report(line);
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
