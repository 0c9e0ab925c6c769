/** The `bridge-migrate` command: a thin adapter over processFile() and migrate(). */
import { readFileSync, writeFileSync } from 'node:fs';
import { initParser } from '../parse/parser.js';
import { walk } from '../files/walk.js';
import { processFile, type FileOutcome } from '../files/process-file.js';
import { migrate } from '../migrate.js';
import { unifiedDiff, colorDiff } from '../print/diff.js';
import { jsonReport } from '../print/json-report.js';
import { parseArgs, USAGE, UsageError, type CliOptions } from './options.js';
import { attentionLines, countOutcomes, summaryLine } from './summary.js';

function useColor(o: CliOptions): boolean {
  if (o.color !== undefined) return o.color;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  return process.stdout.isTTY === true;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bridge-migrate: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (o.version) {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  if (o.paths.length === 0) {
    process.stderr.write(`bridge-migrate: no paths given\n\n${USAGE}\n`);
    return 2;
  }
  await initParser();
  const migrateOptions = { recipe: o.recipe, bridgeRoot: o.bridgeRoot, pinDefaults: o.pinDefaults };

  if (o.paths.length === 1 && o.paths[0] === '-') {
    const input = readFileSync(0, 'utf8');
    const r = migrate(input, { ...migrateOptions, path: '<stdin>' });
    process.stdout.write(r.output);
    if (o.json) writeJson(o.json, [{ path: '-', report: r.report, written: false }]);
    return r.report.status === 'error' ? 2 : o.check && r.report.status === 'changed' ? 1 : 0;
  }

  const started = performance.now();
  const { files, problems } = walk(o.paths);
  const outcomes: FileOutcome[] = [];
  for (const p of problems) {
    outcomes.push({ path: p.path, report: { path: p.path, status: 'error', launches: [], messages: [{ line: 0, message: p.message, severity: 'error' }], error: p.message }, written: false });
  }
  const color = useColor(o);
  for (const file of files) {
    const outcome = processFile(file, { ...migrateOptions, write: o.write });
    outcomes.push(outcome);
    if (!o.write && !o.check && outcome.report.status === 'changed' && outcome.before !== undefined && outcome.after !== undefined) {
      const diff = unifiedDiff(file, outcome.before, outcome.after);
      process.stdout.write(color ? colorDiff(diff) : diff);
    }
  }
  for (const out of outcomes) for (const line of attentionLines(out)) process.stderr.write(`${line}\n`);
  if (o.json) writeJson(o.json, outcomes);
  const counts = countOutcomes(outcomes);
  if (!o.quiet) process.stderr.write(`${summaryLine(counts, (performance.now() - started) / 1000, o.write)}\n`);
  if (counts.errors) return 2;
  if (o.check && counts.changed) return 1;
  return 0;
}

function writeJson(target: string, outcomes: FileOutcome[]): void {
  const text = `${JSON.stringify(jsonReport(outcomes), null, 2)}\n`;
  if (target === '-') process.stdout.write(text);
  else writeFileSync(target, text);
}
