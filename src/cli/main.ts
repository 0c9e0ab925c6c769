/** The `bridge-migrate` command: a thin adapter over processFile() and migrate(). */
import { readFileSync } from 'node:fs';
import { initParser } from '../parse/parser.js';
import { walk } from '../files/walk.js';
import { migrateWithinLimits, type FileOutcome, type ProcessOptions } from '../files/process-file.js';
import { decodeScript, encodeScript, DecodeError } from '../files/text-codec.js';
import { bashAvailable, bashSyntaxProblem } from '../files/bash-check.js';
import { xattrToolsAvailable } from '../files/atomic-write.js';
import { ReportFile, ReportFileError } from '../files/report-file.js';
import { displayPath, toBytes } from '../files/fs-path.js';
import { colorDiff } from '../print/diff.js';
import { terminalLine, terminalText } from '../print/terminal.js';
import { jsonReport } from '../print/json-report.js';
import { parseArgs, USAGE, UsageError, type CliOptions } from './options.js';
import { attentionLines, countOutcomes, summaryLine } from './summary.js';
import { loadConfig, ConfigError, type ProjectConfig } from './config.js';
import { runAll } from './pool.js';
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
  process.stderr.write(`bridge-migrate: ${terminalLine(message)}\n\n${USAGE}\n`);
  return 2;
}

/** One line on stderr, with control characters (from file names, script text) made visible. */
function errLine(line: string): void {
  process.stderr.write(`${terminalLine(line)}\n`);
}

/**
 * stdout may be a pipe that closes early (`bridge-migrate dir | head -1`): EPIPE then stops the
 * output quietly instead of killing the run with an unhandled error.
 */
const output = {
  closed: false,
  onClosed: undefined as (() => void) | undefined,
  write(text: string | Uint8Array): void {
    if (!this.closed) process.stdout.write(text);
  },
};
let streamsGuarded = false;
function guardStreams(): void {
  if (streamsGuarded) return;
  streamsGuarded = true;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    output.closed = true;
    output.onClosed?.();
  });
  process.stderr.on('error', () => {
    // stderr went away as well: nothing left to tell
  });
}

const SIGNAL_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export async function main(argv: string[]): Promise<number> {
  guardStreams();
  let o: CliOptions;
  let config: ProjectConfig;
  try {
    o = parseArgs(argv);
    if (o.help) {
      output.write(`${USAGE}\n`);
      return 0;
    }
    if (o.version) {
      output.write(`${version()}\n`);
      return 0;
    }
    config = loadConfig(o.config);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    if (e instanceof ConfigError) {
      errLine(`bridge-migrate: ${e.message}`);
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
    force: o.force,
    maxBytes: o.maxBytes,
  };

  // Report destinations are checked before any script is read (and written atomically at the end).
  const reports: ReportFile[] = [];
  let jsonFile: ReportFile | undefined;
  let htmlFile: ReportFile | undefined;
  try {
    if (o.json && o.json !== '-') reports.push((jsonFile = new ReportFile(o.json, '--json')));
    if (o.report) reports.push((htmlFile = new ReportFile(o.report, '--report')));
  } catch (e) {
    for (const r of reports) r.discard();
    if (!(e instanceof ReportFileError)) throw e;
    errLine(`bridge-migrate: ${e.message}`);
    return 2;
  }
  try {
    if (o.paths.length === 1 && o.paths[0] === '-') return await stdinMode(o, options, jsonFile);
    return await treeMode(o, options, config, jsonFile, htmlFile);
  } finally {
    for (const r of reports) r.discard();
  }
}

async function treeMode(o: CliOptions, options: ProcessOptions, config: ProjectConfig, jsonFile: ReportFile | undefined, htmlFile: ReportFile | undefined): Promise<number> {
  const started = performance.now();
  const { files, problems, skipped } = walk(o.paths, { ignore: [...(config.ignore ?? []), ...o.ignore] });
  const outcomes: FileOutcome[] = problems.map((p) => {
    const path = displayPath(p.path);
    return {
      path,
      rawPath: typeof p.path === 'string' ? undefined : toBytes(p.path),
      report: { path, status: 'error', launches: [], messages: [{ line: 0, message: p.message, severity: 'error' }], error: p.message },
      written: false,
    };
  });
  for (const s of skipped) errLine(`${displayPath(s.path)}: skipped: ${s.message}`);
  if (!bashAvailable()) errLine('bridge-migrate: warning: bash was not found: the migrated scripts were not checked with `bash -n`');
  if (o.write && !xattrToolsAvailable()) errLine('bridge-migrate: warning: getfattr/setfattr were not found (Debian: apt-get install attr): ACLs and extended attributes of rewritten files could not be checked and are not kept');
  const color = useColor(o);
  const tty = process.stdout.isTTY === true;
  const progress = new Progress(!o.quiet && process.stderr.isTTY === true && files.length > 1);
  const showDiff = !o.write && !o.check && o.json !== '-';

  // SIGINT / SIGTERM: start no more files, let the ones in flight finish (each file is either
  // untouched or completely written), then exit 130 / 143. A second signal stops at once.
  const stop = new AbortController();
  const kill = new AbortController();
  let signal: keyof typeof SIGNAL_CODES | undefined;
  const onSignal = (name: keyof typeof SIGNAL_CODES) => {
    if (signal) {
      kill.abort();
      return;
    }
    signal = name;
    progress.clear();
    errLine(`bridge-migrate: ${name}: finishing the files in progress, then stopping (send it again to stop at once)`);
    stop.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // Nobody reads the diff any more and nothing else is to be produced: stop.
  output.onClosed = () => {
    if (!o.write && !jsonFile && !htmlFile) stop.abort();
  };
  let result;
  try {
    result = await runAll(files, { ...options, diff: showDiff, keepText: !!o.report }, {
      jobs: o.jobs,
      stop: stop.signal,
      kill: kill.signal,
      onProgress: (d, t) => progress.update(d, t),
      onResult: (outcome) => {
        if (outcome.diff) {
          progress.clear();
          // On a terminal, control characters in the scripts are shown, not obeyed; a redirected
          // patch keeps every byte.
          const text = tty ? terminalText(outcome.diff) : outcome.diff;
          output.write(color ? colorDiff(text) : text);
          outcome.diff = undefined;
        }
        outcomes.push(outcome);
      },
    });
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    output.onClosed = undefined;
  }
  progress.clear();
  if (signal) {
    errLine(`bridge-migrate: stopped by ${signal} after ${result.processed} of ${files.length} files; every file is either unchanged or completely migrated, no temporary files are left; no report was written`);
    return SIGNAL_CODES[signal];
  }
  if (result.interrupted && output.closed) return 0;
  for (const out of outcomes) for (const line of attentionLines(out)) errLine(line);
  let failed = false;
  try {
    if (o.json === '-') output.write(jsonText(outcomes, skipped));
    else jsonFile?.commit(jsonText(outcomes, skipped));
  } catch (e) {
    if (!(e instanceof ReportFileError)) throw e;
    errLine(`bridge-migrate: ${e.message}`);
    failed = true;
  }
  if (htmlFile) {
    const { htmlReport } = await import('../print/html-report.js');
    try {
      htmlFile.commit(htmlReport(outcomes));
    } catch (e) {
      if (!(e instanceof ReportFileError)) throw e;
      errLine(`bridge-migrate: ${e.message}`);
      failed = true;
    }
  }
  const counts = countOutcomes(outcomes);
  if (!o.quiet) errLine(summaryLine(counts, (performance.now() - started) / 1000, o.write));
  if (counts.errors || failed) return 2;
  if (o.check && counts.changed) return 1;
  return 0;
}

async function stdinMode(o: CliOptions, options: ProcessOptions, jsonFile: ReportFile | undefined): Promise<number> {
  await initParser();
  const bytes = readFileSync(0);
  let decoded;
  try {
    decoded = decodeScript(bytes);
  } catch (e) {
    if (!(e instanceof DecodeError)) throw e;
    errLine(`<stdin>: error: ${e.message}`);
    output.write(bytes);
    return 2;
  }
  let r;
  try {
    r = migrateWithinLimits(decoded.text, { ...options, path: '<stdin>' });
  } catch (e) {
    errLine(`<stdin>: error: internal error while migrating (please report it with the script): ${(e as Error).message}; the input is printed unchanged`);
    output.write(bytes);
    return 2;
  }
  if ('limit' in r) {
    errLine(`<stdin>: error: ${r.limit}; the input is printed unchanged`);
    output.write(bytes);
    return 2;
  }
  if (!bashAvailable()) errLine('bridge-migrate: warning: bash was not found: the migrated script was not checked with `bash -n`');
  if (r.report.status === 'changed') {
    const problem = bashSyntaxProblem(decoded.text, r.output);
    if (problem) {
      errLine(`<stdin>: error: ${problem.replace('the file was left unchanged', 'the input is printed unchanged')}`);
      output.write(bytes);
      return 2;
    }
  }
  output.write(encodeScript(r.output, decoded));
  const outcome: FileOutcome = { path: '<stdin>', report: r.report, written: false };
  for (const line of attentionLines(outcome)) errLine(line);
  if (jsonFile) {
    try {
      jsonFile.commit(jsonText([outcome], []));
    } catch (e) {
      if (!(e instanceof ReportFileError)) throw e;
      errLine(`bridge-migrate: ${e.message}`);
      return 2;
    }
  }
  if (r.report.status === 'error') return 2;
  return o.check && r.report.status === 'changed' ? 1 : 0;
}

/**
 * The JSON report: the schema of src/print/json-report.ts, plus `pathBase64` on a file whose name
 * is not UTF-8 (its `path` shows such bytes as `\xNN`) and `skipped`: the paths the walk did not follow.
 */
function jsonText(outcomes: FileOutcome[], skipped: ReturnType<typeof walk>['skipped']): string {
  const report = jsonReport(outcomes);
  const files = report.files.map((f, i) => (outcomes[i].rawPath ? { ...f, pathBase64: Buffer.from(outcomes[i].rawPath!).toString('base64') } : f));
  const skippedPaths = skipped.map((s) => ({
    path: displayPath(s.path),
    ...(typeof s.path === 'string' ? {} : { pathBase64: toBytes(s.path).toString('base64') }),
    reason: s.message,
  }));
  return `${JSON.stringify({ ...report, files, skipped: skippedPaths }, null, 2)}\n`;
}
