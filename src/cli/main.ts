/** The `bridge-migrate` command: a thin adapter over processFile() and migrate(). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { initParser } from '../parse/parser.js';
import { walk } from '../files/walk.js';
import { migrateWithinLimits, type FileOutcome, type ProcessOptions } from '../files/process-file.js';
import { bashAvailable, bashSyntaxProblem } from '../files/bash-check.js';
import { xattrToolsAvailable } from '../files/atomic-write.js';
import { ReportFile, ReportFileError } from '../files/report-file.js';
import { displayPath, toBytes, type FsPath } from '../files/fs-path.js';
import { terminalLine, terminalText } from '../print/terminal.js';
import { decodeScript, encodeScript, DecodeError } from '../files/text-codec.js';
import { repoRelativePath } from '../files/repo-path.js';
import { DEFAULT_BRIDGE_ROOT, DEFAULT_RECIPE } from '../migrate.js';
import { buildTable, defaultTable } from '../mapping/table.js';
import { allRecipeNames, findRecipe } from '../mapping/recipes.js';
import { SEVERITY_RANK } from '../findings.js';
import { colorDiff } from '../print/diff.js';
import { jsonReport, type RunOptions } from '../print/json-report.js';
import { sarifLog } from '../print/sarif.js';
import { githubAnnotations } from '../print/github.js';
import { parseArgs, USAGE, UsageError, type CliOptions } from './options.js';
import { findingLines, countOutcomes, summaryLine, byPath, worstSeverity, slimOutcome, spilledOutcome, detached } from './summary.js';
import { FindingsSpill } from './findings-spill.js';
import { findConfigFile, loadConfigFile, recipeProblem, ConfigError, type ProjectConfig } from './config.js';
import { statisticsLines } from './statistics.js';
import { colorFor, paint } from './color.js';
import { runAll } from './pool.js';
import { verifyOutcomes } from './verify.js';
import { Progress } from './progress.js';
import { monotonicMs } from '../files/clock.js';

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
  process.stderr.write(`bridge-migrate: ${terminalLine(message)}\nRun \`bridge-migrate --help\` for the options.\n`);
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

/** From this many files on, the findings lines wait in a temporary file (FindingsSpill) instead of memory. */
const SPILL_FROM = 200;

/** Report files (--json FILE, --report), checked before any script is read, written atomically. */
interface Reports {
  json?: ReportFile;
  html?: ReportFile;
}

/** A config file and the paths it applies to. */
interface ConfigGroup {
  file?: string;
  config: ProjectConfig;
  paths: string[];
  /** How many files it applied to. */
  files?: number;
}

/**
 * Each path with its config: --config for all; else, as ruff does, each file takes the nearest
 * bridge-migrate.config.json in or above its folder (a given path's own config decides what
 * its walk ignores).
 */
function configGroups(o: CliOptions): ConfigGroup[] {
  if (o.config) return [{ file: o.config, config: loadConfigFile(o.config), paths: o.paths }];
  const groups = new Map<string, ConfigGroup>();
  for (const p of o.paths) {
    const file = findConfigFile(p === '-' ? '.' : p);
    const key = file ?? '';
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { file, config: file ? loadConfigFile(file) : {}, paths: [] }));
    group.paths.push(p);
  }
  return [...groups.values()];
}

/** The walked files of every group, regrouped by the config nearest to each file. */
function filesByConfig(o: CliOptions, groups: ConfigGroup[]) {
  const problems: ReturnType<typeof walk>['problems'] = [];
  const skipped: ReturnType<typeof walk>['skipped'] = [];
  const byFile = new Map<string, { group: ConfigGroup; files: FsPath[] }>();
  const loaded = new Map<string, ConfigGroup>(groups.filter((g) => g.file).map((g) => [g.file!, g]));
  const nearest = new Map<string, string | undefined>();
  const none: ConfigGroup = { config: {}, paths: [] };
  for (const group of groups) {
    const walked = walk(group.paths, { ignore: [...(group.config.ignore ?? []), ...o.ignore] });
    problems.push(...walked.problems);
    skipped.push(...walked.skipped);
    for (const file of walked.files) {
      let configFile: string | undefined = group.file;
      if (!o.config) {
        const dir = path.dirname(typeof file === 'string' ? file : displayPath(file));
        if (!nearest.has(dir)) nearest.set(dir, findConfigFile(dir));
        configFile = nearest.get(dir);
      }
      let target = configFile ? loaded.get(configFile) : none;
      if (!target) loaded.set(configFile!, (target = { file: configFile, config: loadConfigFile(configFile!), paths: [] }));
      const entry = byFile.get(configFile ?? '') ?? { group: target, files: [] };
      entry.files.push(file);
      target.files = (target.files ?? 0) + 1;
      byFile.set(configFile ?? '', entry);
    }
  }
  return { problems, skipped, runs: [...byFile.values()], used: [...loaded.values()].filter((g) => byFile.has(g.file!) || g.paths.length) };
}

/** A config path as the run names it: relative to the working directory when inside it. */
const shown = (file: string) => {
  const rel = path.relative(process.cwd(), file);
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel;
};

function processOptions(o: CliOptions, config: ProjectConfig): ProcessOptions {
  return {
    recipe: o.recipe ?? config.recipe,
    bridgeRoot: o.bridgeRoot ?? config.bridgeRoot,
    pinDefaults: o.pinDefaults && config.pinDefaults !== false,
    extraMappings: config.mappings,
    entrypoints: config.entrypoints,
    write: o.write,
    maxBytes: o.maxBytes,
    context: o.context,
    verification: o.verify,
    force: o.force,
  };
}

function runOptions(o: CliOptions, groups: ConfigGroup[]): RunOptions {
  return {
    mode: o.write ? 'write' : o.check ? 'check' : 'dry-run',
    recipe: o.recipe ?? DEFAULT_RECIPE,
    bridgeRoot: o.bridgeRoot ?? DEFAULT_BRIDGE_ROOT,
    pinDefaults: o.pinDefaults,
    failOn: failLevel(o) ?? null,
    configs: groups
      .filter((g) => g.file)
      .map((g) => ({
        file: shown(g.file!),
        files: g.files ?? 0,
        ...(g.config.recipe !== undefined ? { recipe: o.recipe ?? g.config.recipe } : {}),
        ...(g.config.bridgeRoot !== undefined ? { bridgeRoot: o.bridgeRoot ?? g.config.bridgeRoot } : {}),
        ...(g.config.pinDefaults !== undefined ? { pinDefaults: o.pinDefaults && g.config.pinDefaults } : {}),
      })),
    ignore: [...new Set([...groups.flatMap((g) => g.config.ignore ?? []), ...o.ignore])],
    context: o.context ?? 3,
  };
}

function failLevel(o: CliOptions) {
  return o.failOn ?? (o.check ? 'warning' : undefined);
}

export async function main(argv: string[]): Promise<number> {
  guardStreams();
  let o: CliOptions;
  let groups: ConfigGroup[];
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
    if (o.listRecipes) return listRecipes();
    if (o.explain !== undefined) return await explain(o);
    // A wrong recipe is a usage error before any file is read.
    const problem = o.recipe === undefined ? undefined : recipeProblem(o.recipe);
    if (problem) throw new UsageError(`--recipe: ${problem}`);
    if (o.paths.length === 0) throw new UsageError('no paths given');
    if (o.paths.includes('-') && o.paths.length > 1) throw new UsageError('- (stdin) cannot be combined with other paths');
    groups = configGroups(o);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    if (e instanceof ConfigError) {
      errLine(`bridge-migrate: ${e.message}`);
      return 2;
    }
    throw e;
  }
  // Report destinations are checked before any script is read (and written atomically at the end).
  const reports: Reports = {};
  try {
    if (o.json && o.json !== '-') reports.json = new ReportFile(o.json, '--json');
    if (o.report) reports.html = new ReportFile(o.report, '--report');
  } catch (e) {
    reports.json?.discard();
    if (!(e instanceof ReportFileError)) throw e;
    errLine(`bridge-migrate: ${e.message}`);
    return 2;
  }
  try {
    if (o.paths.length === 1 && o.paths[0] === '-') {
      if (!o.quiet && groups[0].file) errLine(`bridge-migrate: using ${shown(groups[0].file)}`);
      return await stdinMode(o, processOptions(o, groups[0].config), groups, reports);
    }
    return await treeMode(o, groups, reports);
  } finally {
    reports.json?.discard();
    reports.html?.discard();
  }
}

async function treeMode(o: CliOptions, groups: ConfigGroup[], reports: Reports): Promise<number> {
  const started = monotonicMs();
  const outcomes: FileOutcome[] = [];
  const colorOut = colorFor(process.stdout, o.color);
  const stdoutDiff = o.format === 'text' && !o.write && !o.list && !o.statistics && o.json !== '-' && (!o.check || o.diff);
  let plan;
  try {
    plan = filesByConfig(o, groups);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    errLine(`bridge-migrate: ${e.message}`);
    return 2;
  }
  groups = plan.used;
  if (!o.quiet && !o.list) for (const g of groups) if (g.file) errLine(`bridge-migrate: using ${shown(g.file)}`);
  for (const p of plan.problems) {
    const shownPath = displayPath(p.path);
    outcomes.push({
      path: shownPath,
      rawPath: typeof p.path === 'string' ? undefined : toBytes(p.path),
      report: { path: shownPath, status: 'error', launches: [], messages: [{ line: 0, message: p.message, severity: 'error' }], error: p.message },
      written: false,
    });
  }
  for (const item of plan.skipped) errLine(`${displayPath(item.path)}: skipped: ${item.message}`);
  if (!bashAvailable()) errLine('bridge-migrate: warning: bash was not found: the migrated scripts were not checked with `bash -n`');
  if (o.write && !xattrToolsAvailable()) errLine('bridge-migrate: warning: getfattr/setfattr were not found (Debian: apt-get install attr): ACLs and extended attributes of rewritten files could not be checked and are not kept');
  const tty = process.stdout.isTTY === true;

  // SIGINT / SIGTERM: start no more files, let the ones in flight finish (each file is either
  // untouched or completely written), then exit 130 / 143. A second signal stops at once.
  const stop = new AbortController();
  const kill = new AbortController();
  let signal: keyof typeof SIGNAL_CODES | undefined;
  let progress: Progress | undefined;
  const onSignal = (name: keyof typeof SIGNAL_CODES) => {
    if (signal) {
      kill.abort();
      return;
    }
    signal = name;
    progress?.clear();
    errLine(`bridge-migrate: ${name}: finishing the files in progress, then stopping (send it again to stop at once)`);
    stop.abort();
  };
  const onInt = () => onSignal('SIGINT');
  const onTerm = () => onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  // Nobody reads the diff any more and nothing else is to be produced: stop.
  output.onClosed = () => {
    if (!o.write && !reports.json && !reports.html) stop.abort();
  };
  const total = plan.runs.reduce((n, r) => n + r.files.length, 0);
  // Only the findings lines, --check lines, --list and the summary are asked for: keep no more of each file.
  const slim = !reports.json && !reports.html && !o.verify && !o.statistics && o.json !== '-' && o.format === 'text';
  // ... and of those the findings lines go to a temporary file until they are printed (not for --list, which prints none).
  const colorErr = colorFor(process.stderr, o.color);
  const spill = slim && !o.list && total >= SPILL_FROM ? new FindingsSpill() : undefined;
  let processed = 0;
  let interrupted = false;
  try {
    for (const { group, files } of plan.runs) {
      if (stop.signal.aborted) {
        interrupted = true;
        break;
      }
      progress = new Progress(!o.quiet && process.stderr.isTTY === true && files.length > 1);
      const result = await runAll(files, { ...processOptions(o, group.config), diff: stdoutDiff, keepText: !!o.report, ...(slim ? { slim: { showNotes: o.verbose } } : {}) }, {
        jobs: o.jobs,
        stop: stop.signal,
        kill: kill.signal,
        onProgress: (d, t) => progress!.update(d, t),
        onResult: (outcome) => {
          if (outcome.diff) {
            progress!.clear();
            // On a terminal, control characters in the scripts are shown, not obeyed; a redirected
            // patch keeps every byte.
            const text = tty ? terminalText(outcome.diff) : outcome.diff;
            output.write(colorOut ? colorDiff(text) : text);
            outcome.diff = undefined;
          }
          // What is kept until the summary shares nothing with the outcome (see detached, spilledOutcome); a whole outcome (reports, --verify) holds the texts anyway.
          if (spill) outcomes.push(spilledOutcome(outcome, spill.add(findingLines(outcome, o.verbose, colorErr).map((line) => `${line}\n`).join(''))));
          else outcomes.push(slim ? detached(slimOutcome(outcome, o.verbose)) : outcome);
        },
      });
      processed += result.processed;
      interrupted ||= result.interrupted;
      progress.clear();
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
    output.onClosed = undefined;
  }
  if (signal) {
    spill?.close();
    errLine(`bridge-migrate: stopped by ${signal} after ${processed} of ${total} files; every file is either unchanged or completely migrated, no temporary files are left; no report was written`);
    return SIGNAL_CODES[signal];
  }
  if (interrupted && output.closed) {
    spill?.close();
    return 0;
  }
  outcomes.sort(byPath);
  try {
    return await finish(o, outcomes, groups, started, true, reports, plan.skipped, spill);
  } finally {
    spill?.close();
  }
}

/** Everything after the files are processed: findings, listings, reports, the exit code. */
async function finish(o: CliOptions, outcomes: FileOutcome[], groups: ConfigGroup[], started: number, stdoutFree: boolean, reports: Reports, skipped: ReturnType<typeof walk>['skipped'] = [], spill?: FindingsSpill): Promise<number> {
  const colorOut = colorFor(process.stdout, o.color);
  const colorErr = colorFor(process.stderr, o.color);
  const out = (line: string) => output.write(`${process.stdout.isTTY ? terminalLine(line) : line}\n`);
  const err = errLine;
  const format = o.json === '-' ? 'json' : o.format;
  const meta = { version: version(), options: runOptions(o, groups) };
  if (o.list) {
    // Only names: of files that would change (or were written); problems still reach stderr.
    for (const outcome of outcomes) {
      if (outcome.report.status === 'changed') out(outcome.path);
      if (outcome.report.status === 'error') err(`${outcome.path}: error: ${outcome.report.error}`);
    }
  } else if (o.statistics && stdoutFree) {
    for (const line of statisticsLines(outcomes, { verbose: o.verbose, width: process.stdout.isTTY ? process.stdout.columns : undefined })) out(line);
  } else if (format === 'json' && stdoutFree) {
    output.write(jsonText(outcomes, meta, skipped));
  } else if (format === 'sarif' && stdoutFree) {
    output.write(`${JSON.stringify(sarifLog(outcomes, { version: meta.version, uriOf: (p) => repoRelativePath(p) }), null, 2)}\n`);
  } else if (format === 'github' && stdoutFree) {
    for (const line of githubAnnotations(outcomes, { uriOf: (p) => repoRelativePath(p), verbose: o.verbose })) out(line);
  } else {
    // findingLines escapes what comes from scripts itself, so that its colours stay colours.
    for (const outcome of outcomes) {
      if (outcome.spilled) {
        if (outcome.spilled.length) process.stderr.write(spill!.read(outcome.spilled));
      } else for (const line of findingLines(outcome, o.verbose, colorErr)) process.stderr.write(`${line}\n`);
    }
  }
  if (o.check && !o.list) {
    // CI: name every file that would change and every blocked launch (on stderr when stdout has the diff).
    // Coloured words of ours, escaped names from the file system: written as they are.
    const raw = (stream: NodeJS.WriteStream) => (line: string) => (stream === process.stdout ? output.write(`${line}\n`) : stream.write(`${line}\n`));
    const say = o.diff || !stdoutFree || format !== 'text' || o.statistics ? raw(process.stderr) : raw(process.stdout);
    const sayColor = o.diff || !stdoutFree || format !== 'text' || o.statistics ? colorErr : colorOut;
    for (const outcome of outcomes) {
      if (outcome.report.status === 'changed') say(`${paint('would migrate:', 'bold', sayColor)} ${terminalLine(outcome.path)}`);
      for (const l of outcome.report.launches) {
        if (l.verdict !== 'blocked') continue;
        const errors = l.findings.filter((f) => f.severity === 'error').length;
        say(`${paint('blocked:', 'red', sayColor)} ${terminalLine(outcome.path)}:${l.line}: ${l.entrypoint} launch${l.migrated ? '' : ' (not migrated)'}, ${errors} error${errors === 1 ? '' : 's'}`);
      }
    }
  }
  let failed = false;
  const commit = (file: ReportFile, text: () => string) => {
    try {
      file.commit(text());
    } catch (e) {
      if (!(e instanceof ReportFileError)) throw e;
      err(`bridge-migrate: ${e.message}`);
      failed = true;
    }
  };
  if (reports.json) commit(reports.json, () => jsonText(outcomes, meta, skipped));
  if (reports.html) {
    const { htmlReport } = await import('../print/html-report.js');
    commit(reports.html, () => htmlReport(outcomes));
  }
  const counts = countOutcomes(outcomes);
  if (!o.quiet && !o.list) err(summaryLine(counts, (monotonicMs() - started) / 1000, o.write));
  if (o.verify) {
    const verified = verifyOutcomes(outcomes, o.python ?? process.env.BRIDGE_PYTHON ?? 'python3');
    if (verified.problem) {
      err(`bridge-migrate: ${verified.problem}`);
      return 2;
    }
    for (const line of verified.lines) err(line);
    if (verified.failed && !countOutcomes(outcomes).errors) return 1;
  }
  return failed ? 2 : exitCode(o, outcomes);
}

/** 2: a file could not be processed; 1: --check found work, or a finding reached --fail-on; else 0. */
function exitCode(o: CliOptions, outcomes: FileOutcome[]): number {
  const counts = countOutcomes(outcomes);
  if (counts.errors) return 2;
  if (o.check && counts.changed) return 1;
  const level = failLevel(o);
  const worst = worstSeverity(outcomes);
  if (level && worst && SEVERITY_RANK[worst] <= SEVERITY_RANK[level]) return 1;
  return 0;
}

async function stdinMode(o: CliOptions, options: ProcessOptions, groups: ConfigGroup[], reports: Reports): Promise<number> {
  const started = monotonicMs();
  if (o.format !== 'text' || o.json === '-' || o.statistics || o.list) {
    return usageError('with - (stdin) stdout carries the migrated script: use --json FILE for the report');
  }
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
  const outcome: FileOutcome = { path: '<stdin>', report: r.report, written: false, verification: r.verification };
  return finish({ ...o, quiet: true }, [outcome], groups, started, false, reports);
}

/**
 * The JSON report: the schema of src/print/json-report.ts, plus `pathBase64` on a file whose name
 * is not UTF-8 (its `path` shows such bytes as `\xNN`) and `skipped`: the paths the walk did not follow.
 */
function jsonText(outcomes: FileOutcome[], meta: Parameters<typeof jsonReport>[1], skipped: ReturnType<typeof walk>['skipped']): string {
  const report = jsonReport(outcomes, meta);
  const files = report.files.map((f, i) => (outcomes[i].rawPath ? { ...f, pathBase64: Buffer.from(outcomes[i].rawPath!).toString('base64') } : f));
  const skippedPaths = skipped.map((item) => ({
    path: displayPath(item.path),
    ...(typeof item.path === 'string' ? {} : { pathBase64: toBytes(item.path).toString('base64') }),
    reason: item.message,
  }));
  return `${JSON.stringify({ ...report, files, skipped: skippedPaths }, null, 2)}\n`;
}

function listRecipes(): number {
  const lines = allRecipeNames()
    .sort()
    .map((name) => {
      const r = findRecipe(name)!;
      const also = r.names.filter((n) => n !== name);
      const model = r.hfModelId ? `model from ${r.hfModelId}` : r.view === 'hybrid' ? 'hybrid Mamba model' : r.shape ? 'fixed model shape' : 'model shape from the script';
      return `${name}${name === DEFAULT_RECIPE ? ' (default)' : ''}${also.length ? `  also: ${also.join(', ')}` : ''}  [${model}]`;
    });
  process.stdout.write(`${lines.join('\n')}\nauto  [the recipe whose model shape equals the script's, else ${DEFAULT_RECIPE}]\n`);
  return 0;
}

async function explain(o: CliOptions): Promise<number> {
  // Loaded here: its Megatron-LM facts (src/mapping/flag-facts.generated.json) serve only explain.
  const { explainFlag, similarFlags } = await import('./explain.js');
  let mappings;
  try {
    const file = o.config ?? findConfigFile('.');
    mappings = file ? loadConfigFile(file).mappings : undefined;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`bridge-migrate: ${e.message}\n`);
    return 2;
  }
  const table = mappings ? buildTable(Object.fromEntries(defaultTable.entries().map((e) => [e.flag, e])), mappings) : defaultTable;
  const lines = explainFlag(o.explain!, table);
  if (!lines) {
    const similar = similarFlags(o.explain!, table);
    process.stderr.write(`bridge-migrate: ${o.explain} is not a Megatron-LM flag bridge-migrate knows${similar.length ? `; did you mean ${similar.join(', ')}?` : ''} (fork flags can be added in bridge-migrate.config.json "mappings")\n`);
    return 2;
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
