/** The `bridge-migrate` command: a thin adapter over processFile() and migrate(). */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { initParser } from '../parse/parser.js';
import { walk } from '../files/walk.js';
import { type FileOutcome, type ProcessOptions } from '../files/process-file.js';
import { decodeScript, encodeScript, DecodeError } from '../files/text-codec.js';
import { repoRelativePath } from '../files/repo-path.js';
import { migrate, DEFAULT_BRIDGE_ROOT, DEFAULT_RECIPE } from '../migrate.js';
import { buildTable, defaultTable } from '../mapping/table.js';
import { allRecipeNames, findRecipe } from '../mapping/recipes.js';
import { SEVERITY_RANK } from '../findings.js';
import { colorDiff } from '../print/diff.js';
import { jsonReport, type RunOptions } from '../print/json-report.js';
import { sarifLog } from '../print/sarif.js';
import { githubAnnotations } from '../print/github.js';
import { parseArgs, USAGE, UsageError, type CliOptions } from './options.js';
import { findingLines, countOutcomes, summaryLine, byPath, worstSeverity } from './summary.js';
import { findConfigFile, loadConfigFile, recipeProblem, ConfigError, type ProjectConfig } from './config.js';
import { statisticsLines } from './statistics.js';
import { explainFlag, similarFlags } from './explain.js';
import { colorFor, paint } from './color.js';
import { runAll } from './pool.js';
import { verifyOutcomes } from './verify.js';
import { Progress } from './progress.js';

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
  process.stderr.write(`bridge-migrate: ${message}\nRun \`bridge-migrate --help\` for the options.\n`);
  return 2;
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
  const problems: Array<{ path: string; message: string }> = [];
  const byFile = new Map<string, { group: ConfigGroup; files: string[] }>();
  const loaded = new Map<string, ConfigGroup>(groups.filter((g) => g.file).map((g) => [g.file!, g]));
  const nearest = new Map<string, string | undefined>();
  const none: ConfigGroup = { config: {}, paths: [] };
  for (const group of groups) {
    const walked = walk(group.paths, { ignore: [...(group.config.ignore ?? []), ...o.ignore] });
    problems.push(...walked.problems);
    for (const file of walked.files) {
      let configFile: string | undefined = group.file;
      if (!o.config) {
        const dir = path.dirname(file);
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
  return { problems, runs: [...byFile.values()], used: [...loaded.values()].filter((g) => byFile.has(g.file!) || g.paths.length) };
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
  let o: CliOptions;
  let groups: ConfigGroup[];
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
    if (o.listRecipes) return listRecipes();
    if (o.explain !== undefined) return explain(o);
    // A wrong recipe is a usage error before any file is read.
    const problem = o.recipe === undefined ? undefined : recipeProblem(o.recipe);
    if (problem) throw new UsageError(`--recipe: ${problem}`);
    if (o.paths.length === 0) throw new UsageError('no paths given');
    if (o.paths.includes('-') && o.paths.length > 1) throw new UsageError('- (stdin) cannot be combined with other paths');
    groups = configGroups(o);
  } catch (e) {
    if (e instanceof UsageError) return usageError(e.message);
    if (e instanceof ConfigError) {
      process.stderr.write(`bridge-migrate: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  if (o.paths.length === 1 && o.paths[0] === '-') {
    if (!o.quiet && groups[0].file) process.stderr.write(`bridge-migrate: using ${shown(groups[0].file)}\n`);
    return stdinMode(o, processOptions(o, groups[0].config), groups);
  }

  const started = performance.now();
  const outcomes: FileOutcome[] = [];
  const colorOut = colorFor(process.stdout, o.color);
  const stdoutDiff = o.format === 'text' && !o.write && !o.list && !o.statistics && o.json !== '-' && (!o.check || o.diff);
  let plan;
  try {
    plan = filesByConfig(o, groups);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`bridge-migrate: ${e.message}\n`);
    return 2;
  }
  groups = plan.used;
  if (!o.quiet && !o.list) for (const g of groups) if (g.file) process.stderr.write(`bridge-migrate: using ${shown(g.file)}\n`);
  for (const p of plan.problems) {
    outcomes.push({ path: p.path, report: { path: p.path, status: 'error', launches: [], messages: [{ line: 0, message: p.message, severity: 'error' }], error: p.message }, written: false });
  }
  for (const { group, files } of plan.runs) {
    const progress = new Progress(!o.quiet && process.stderr.isTTY === true && files.length > 1);
    await runAll(files, { ...processOptions(o, group.config), diff: stdoutDiff, keepText: !!o.report }, {
      jobs: o.jobs,
      onProgress: (d, t) => progress.update(d, t),
      onResult: (outcome) => {
        if (outcome.diff) {
          progress.clear();
          process.stdout.write(colorOut ? colorDiff(outcome.diff) : outcome.diff);
          outcome.diff = undefined;
        }
        outcomes.push(outcome);
      },
    });
    progress.clear();
  }
  outcomes.sort(byPath);
  return finish(o, outcomes, groups, started, true);
}

/** Everything after the files are processed: findings, listings, reports, the exit code. */
async function finish(o: CliOptions, outcomes: FileOutcome[], groups: ConfigGroup[], started: number, stdoutFree: boolean): Promise<number> {
  const colorOut = colorFor(process.stdout, o.color);
  const colorErr = colorFor(process.stderr, o.color);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const err = (line: string) => process.stderr.write(`${line}\n`);
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
    process.stdout.write(`${JSON.stringify(jsonReport(outcomes, meta), null, 2)}\n`);
  } else if (format === 'sarif' && stdoutFree) {
    process.stdout.write(`${JSON.stringify(sarifLog(outcomes, { version: meta.version, uriOf: (p) => repoRelativePath(p) }), null, 2)}\n`);
  } else if (format === 'github' && stdoutFree) {
    for (const line of githubAnnotations(outcomes, { uriOf: (p) => repoRelativePath(p), verbose: o.verbose })) out(line);
  } else {
    for (const outcome of outcomes) for (const line of findingLines(outcome, o.verbose, colorErr)) err(line);
  }
  if (o.check && !o.list) {
    // CI: name every file that would change and every blocked launch (on stderr when stdout has the diff).
    const say = o.diff || !stdoutFree || format !== 'text' || o.statistics ? err : out;
    const sayColor = say === out ? colorOut : colorErr;
    for (const outcome of outcomes) {
      if (outcome.report.status === 'changed') say(`${paint('would migrate:', 'bold', sayColor)} ${outcome.path}`);
      for (const l of outcome.report.launches) {
        if (l.verdict !== 'blocked') continue;
        const errors = l.findings.filter((f) => f.severity === 'error').length;
        say(`${paint('blocked:', 'red', sayColor)} ${outcome.path}:${l.line}: ${l.entrypoint} launch${l.migrated ? '' : ' (not migrated)'}, ${errors} error${errors === 1 ? '' : 's'}`);
      }
    }
  }
  if (o.json && o.json !== '-') writeJson(o.json, outcomes, meta);
  if (o.report) {
    const { htmlReport } = await import('../print/html-report.js');
    writeFileSync(o.report, htmlReport(outcomes));
  }
  const counts = countOutcomes(outcomes);
  if (!o.quiet && !o.list) err(summaryLine(counts, (performance.now() - started) / 1000, o.write));
  if (o.verify) {
    const verified = verifyOutcomes(outcomes, o.python ?? process.env.BRIDGE_PYTHON ?? 'python3');
    if (verified.problem) {
      err(`bridge-migrate: ${verified.problem}`);
      return 2;
    }
    for (const line of verified.lines) err(line);
    if (verified.failed && !countOutcomes(outcomes).errors) return 1;
  }
  return exitCode(o, outcomes);
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

async function stdinMode(o: CliOptions, options: ProcessOptions, groups: ConfigGroup[]): Promise<number> {
  const started = performance.now();
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
  return finish({ ...o, quiet: true }, [outcome], groups, started, false);
}

function writeJson(target: string, outcomes: FileOutcome[], meta: Parameters<typeof jsonReport>[1]): void {
  const text = `${JSON.stringify(jsonReport(outcomes, meta), null, 2)}\n`;
  if (target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
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

function explain(o: CliOptions): number {
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
