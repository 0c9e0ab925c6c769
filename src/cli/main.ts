/** The `bridge-migrate` command: a thin adapter over processFile() and migrate(). */
import { readFileSync, writeFileSync } from 'node:fs';
import { initParser } from '../parse/parser.js';
import { walk } from '../files/walk.js';
import { type FileOutcome, type ProcessOptions } from '../files/process-file.js';
import { decodeScript, encodeScript, DecodeError } from '../files/text-codec.js';
import { migrate } from '../migrate.js';
import { colorDiff } from '../print/diff.js';
import { jsonReport } from '../print/json-report.js';
import { parseArgs, USAGE, UsageError, type CliOptions } from './options.js';
import { findingLines, countOutcomes, summaryLine } from './summary.js';
import { loadConfig, ConfigError, type ProjectConfig } from './config.js';
import { runAll } from './pool.js';
import { verifyOutcomes } from './verify.js';
import { Progress } from './progress.js';

function useColor(o: CliOptions): boolean {
  if (o.color !== undefined) return o.color;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return process.stdout.isTTY === true;
}

function version(): string {
  // dist/src/cli/main.js or dist/bundle/main.js
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'bridge-migrate') return pkg.version;
    } catch {
      // try the next layout
    }
  }
  return 'unknown';
}

function usageError(message: string): number {
  process.stderr.write(`bridge-migrate: ${message}\n\n${USAGE}\n`);
  return 2;
}

export async function main(argv: string[]): Promise<number> {
  let o: CliOptions;
  let config: ProjectConfig;
  try {
    o = parseArgs(argv);
    if (o.help) {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (o.version) {
      process.stdout.write(`${version()}\n`);
      return 0;
    }
    config = loadConfig(o.config);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    if (e instanceof ConfigError) {
      process.stderr.write(`bridge-migrate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o.paths.length === 0) return usageError('no paths given');
  const options: ProcessOptions = {
    recipe: o.recipe ?? config.recipe,
    bridgeRoot: o.bridgeRoot ?? config.bridgeRoot,
    pinDefaults: o.pinDefaults && config.pinDefaults !== false,
    extraMappings: config.mappings,
    entrypoints: config.entrypoints,
    write: o.write,
    maxBytes: o.maxBytes,
    verification: o.verify,
  };

  if (o.paths.length === 1 && o.paths[0] === '-') return stdinMode(o, options);

  const started = performance.now();
  const { files, problems } = walk(o.paths, { ignore: [...(config.ignore ?? []), ...o.ignore] });
  const outcomes: FileOutcome[] = problems.map((p) => ({
    path: p.path,
    report: { path: p.path, status: 'error', launches: [], messages: [{ line: 0, message: p.message, severity: 'error' }], error: p.message },
    written: false,
  }));
  const color = useColor(o);
  const progress = new Progress(!o.quiet && process.stderr.isTTY === true && files.length > 1);
  const showDiff = !o.write && !o.check && o.json !== '-';
  await runAll(files, { ...options, diff: showDiff, keepText: !!o.report }, {
    jobs: o.jobs,
    onProgress: (d, t) => progress.update(d, t),
    onResult: (outcome) => {
      if (outcome.diff) {
        progress.clear();
        process.stdout.write(color ? colorDiff(outcome.diff) : outcome.diff);
        outcome.diff = undefined;
      }
      outcomes.push(outcome);
    },
  });
  progress.clear();
  for (const out of outcomes) for (const line of findingLines(out)) process.stderr.write(`${line}\n`);
  if (o.json) writeJson(o.json, outcomes);
  if (o.report) {
    const { htmlReport } = await import('../print/html-report.js');
    writeFileSync(o.report, htmlReport(outcomes));
  }
  const counts = countOutcomes(outcomes);
  if (!o.quiet) process.stderr.write(`${summaryLine(counts, (performance.now() - started) / 1000, o.write)}\n`);
  if (o.verify) {
    const verified = verifyOutcomes(outcomes, o.python ?? process.env.BRIDGE_PYTHON ?? 'python3');
    if (verified.problem) {
      process.stderr.write(`bridge-migrate: ${verified.problem}\n`);
      return 2;
    }
    for (const line of verified.lines) process.stderr.write(`${line}\n`);
    if (counts.errors) return 2;
    if (verified.failed) return 1;
  }
  if (counts.errors) return 2;
  if (o.check && counts.changed) return 1;
  return 0;
}

async function stdinMode(o: CliOptions, options: ProcessOptions): Promise<number> {
  await initParser();
  const bytes = readFileSync(0);
  let decoded;
  try {
    decoded = decodeScript(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    process.stderr.write(`<stdin>: error: ${e.message}\n`);
    process.stdout.write(bytes);
    return 2;
  }
  let r;
  try {
    r = migrate(decoded.text, { ...options, path: '<stdin>' });
  } catch (e) {
    process.stderr.write(`<stdin>: error: internal error while migrating (please report it with the script): ${(e as Error).message}; the input is printed unchanged\n`);
    process.stdout.write(bytes);
    return 2;
  }
  process.stdout.write(encodeScript(r.output, decoded));
  const outcome: FileOutcome = { path: '<stdin>', report: r.report, written: false };
  for (const line of findingLines(outcome)) process.stderr.write(`${line}\n`);
  if (o.json && o.json !== '-') writeJson(o.json, [outcome]);
  if (r.report.status === 'error') return 2;
  return o.check && r.report.status === 'changed' ? 1 : 0;
}

function writeJson(target: string, outcomes: FileOutcome[]): void {
  const text = `${JSON.stringify(jsonReport(outcomes), null, 2)}\n`;
  if (target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
}
