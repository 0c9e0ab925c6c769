#!/usr/bin/env node
// Measures bridge-migrate on the real-script collection by execution (see bench/corpus/README.md).
//
//   node bench/corpus/measure.mjs [--out bench/out/corpus] [--tool <checkout>] [--jobs 2] [--timeout 10]
//        [--capture /work/shared/tools/capture.py] [--verify-cmd "<cmd>"] [--only owner/name] [--limit N]
//        [--no-cache]
//
// Needs bench/out/corpus/manifest.json from collect.mjs, a built tool (`npm ci` in --tool), bubblewrap.
// For each script: copy, migrate the copy with the tool's CLI (--write --json), migrate it again (idempotence),
// `bash -n` both, run capture.py on the original and the migrated copy, and compare every Megatron-LM launch
// the original started with the run_recipe.py launch the migrated script starts. Prints a per-repository
// markdown table; writes <out>/results.json (every lost value and stray word, grouped by cause) and
// <out>/launches.jsonl (every migrated launch's run_recipe.py argv with its world size guess).
// --verify-cmd: a command that reads launches.jsonl on stdin and prints one JSON line per launch,
// {"id": ..., "status": "starts" | "fails", "error": ...}; its results become the starts/fails columns.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { captureRunner } from './lib/capture.mjs';
import { compareLaunch, pickReportLaunch, volatileOnly } from './lib/compare.mjs';
import { findLaunches, verifierWorldSize } from './lib/launch-calls.mjs';
import { ENTRYPOINT, loadTable } from './lib/megatron-argv.mjs';
import { run } from './lib/pool.mjs';
import { contextFinder } from './lib/source-context.mjs';
import { renderTable } from './lib/table.mjs';
import { originalInvalid } from './lib/stand-ins.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function parseArgs(argv) {
  const options = {
    out: path.join(root, 'bench/out/corpus'), tool: root, jobs: 2, timeout: 10,
    capture: '/work/shared/tools/capture.py', verifyCmd: null, only: [], limit: 0, cache: true,
  };
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    const value = () => {
      if (index + 1 >= argv.length) throw new Error(`measure.mjs: ${name} needs a value`);
      return argv[++index];
    };
    if (name === '--out') options.out = path.resolve(value());
    else if (name === '--tool') options.tool = path.resolve(value());
    else if (name === '--jobs') options.jobs = Number(value());
    else if (name === '--timeout') options.timeout = Number(value());
    else if (name === '--capture') options.capture = path.resolve(value());
    else if (name === '--verify-cmd') options.verifyCmd = value();
    else if (name === '--only') options.only.push(value());
    else if (name === '--limit') options.limit = Number(value());
    else if (name === '--no-cache') options.cache = false;
    else if (name === '-h' || name === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 17).map((line) => line.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`measure.mjs: unknown option ${name} (--help lists them)`);
  }
  return options;
}

const log = (text) => process.stderr.write(`${text}\n`);
const seconds = (start) => ((Date.now() - start) / 1000).toFixed(1);

async function migrateTree(options, dir, files, reportFile) {
  const cli = path.join(options.tool, 'bin/bridge-migrate.js');
  const args = [cli, '--write', '--json', reportFile, '--quiet', '--no-color', '--jobs', String(options.jobs), ...files];
  const result = await run(process.execPath, args, { cwd: dir });
  if (!existsSync(reportFile)) throw new Error(`the tool wrote no report (exit ${result.code}): ${result.stderr.slice(-2000)}`);
  const report = JSON.parse(readFileSync(reportFile, 'utf8'));
  const byPath = new Map(report.files.map((file) => [file.path, file]));
  return { byPath, code: result.code, stderr: result.stderr };
}

/** The files `bash -n` rejects, checked by one shell loop. */
async function bashRejects(files) {
  if (!files.length) return new Set();
  const loop = 'while IFS= read -r file; do bash -n "$file" >/dev/null 2>&1 || printf "%s\\n" "$file"; done';
  const result = await run('bash', ['-c', loop], { input: `${files.join('\n')}\n` });
  return new Set(result.stdout.split('\n').filter(Boolean));
}

function lineFinder(text) {
  const lines = text.split('\n');
  return (needle) => {
    if (!needle) return null;
    const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(^|[\\s"'(=\\[+])${escaped}(?=$|[\\s"'=)}\\\\\\]])`);
    const index = lines.findIndex((line) => pattern.test(line));
    return index < 0 ? null : index + 1;
  };
}

/** The tool under test: the last commit that touched its source, and whether the source has uncommitted changes. */
function toolDescription(toolDir) {
  const source = ['src', 'bin', 'scripts', 'package.json', 'package-lock.json'];
  try {
    const commit = execFileSync('git', ['-C', toolDir, 'log', '-1', '--format=%h', '--', ...source], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['-C', toolDir, 'status', '--porcelain', '--untracked-files=no', '--', ...source], { encoding: 'utf8' }).trim();
    return { dir: toolDir, commit, dirty: Boolean(dirty) };
  } catch {
    return { dir: toolDir, commit: null };
  }
}

async function runVerifier(command, launchesText) {
  const result = await run('bash', ['-c', command], { input: launchesText });
  const byId = new Map();
  let ready = null;
  for (const line of result.stdout.split('\n')) {
    if (!line.trim()) continue;
    try {
      const item = JSON.parse(line);
      if (item && item.id !== undefined) byId.set(item.id, item);
      else if (item && item.ready !== undefined) ready = item;
    } catch {
      // not a result line
    }
  }
  return { byId, ready, code: result.code, stdout: result.stdout, stderr: result.stderr.slice(-4000) };
}

/** A verifier line: {status: 'starts'|'fails', error} or verify/verify.py's {starts: bool, stage, error, mismatches}. */
function verifierResult(item) {
  const status = item.status ?? (item.starts === true ? 'starts' : item.starts === false ? 'fails' : 'no-result');
  const error = item.error ?? null;
  return { status, error: item.stage && error ? `${item.stage}: ${error}` : error, mismatches: item.mismatches ?? [], ignored: item.ignored ?? [] };
}

/** Report schema 1 (unmapped, warnings) and 2 (removed, findings, verdict) read alike. */
function normalReportLaunch(launch) {
  return { ...launch, unmapped: launch.unmapped ?? launch.removed ?? [], warnings: launch.warnings ?? launch.findings ?? [] };
}

async function main() {
  const started = Date.now();
  const options = parseArgs(process.argv.slice(2));
  const manifestFile = path.join(options.out, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`no ${manifestFile}: run node bench/corpus/collect.mjs first`);
  if (!existsSync(path.join(options.tool, 'dist'))) throw new Error(`${options.tool} is not built: run npm ci there first`);
  if (!existsSync(options.capture)) throw new Error(`no capture tool at ${options.capture}`);
  if ((await run('bwrap', ['--version'])).code !== 0) throw new Error('bubblewrap is missing: apt-get install -y bubblewrap');
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
  let scripts = manifest.scripts.filter((script) => !options.only.length || options.only.includes(script.repo));
  if (options.limit) scripts = scripts.slice(0, options.limit);
  const table = loadTable(options.tool);

  // 1. Copies: original, migrated, migrated twice.
  const work = path.join(options.out, 'run');
  rmSync(work, { recursive: true, force: true });
  const dirs = { original: path.join(work, 'original'), migrated: path.join(work, 'migrated'), again: path.join(work, 'again') };
  for (const script of scripts) {
    for (const dir of [dirs.original, dirs.migrated]) {
      mkdirSync(path.dirname(path.join(dir, script.file)), { recursive: true });
      cpSync(path.join(options.out, script.file), path.join(dir, script.file));
    }
  }
  const files = scripts.map((script) => script.file);

  // 2. Migrate, then migrate the output again.
  let phase = Date.now();
  const first = await migrateTree(options, dirs.migrated, files, path.join(work, 'report.json'));
  const changedFiles = files.filter((file) => !readFileSync(path.join(dirs.migrated, file)).equals(readFileSync(path.join(dirs.original, file))));
  for (const file of changedFiles) {
    mkdirSync(path.dirname(path.join(dirs.again, file)), { recursive: true });
    cpSync(path.join(dirs.migrated, file), path.join(dirs.again, file));
  }
  // An unchanged file migrated again is the same input: only changed files can fail idempotence.
  const second = changedFiles.length
    ? await migrateTree(options, dirs.again, changedFiles, path.join(work, 'report-again.json'))
    : { byPath: new Map(), code: 0, stderr: '' };
  log(`migrated ${files.length} files, ${changedFiles.length} changed, migrated those again, in ${seconds(phase)}s`);

  // 3. bash -n where the tool changed the file (one shell loop, not a process per file from here), contents.
  phase = Date.now();
  const perScript = scripts.map((script) => {
    const originalFile = path.join(dirs.original, script.file);
    const migratedFile = path.join(dirs.migrated, script.file);
    const originalText = readFileSync(originalFile, 'utf8');
    const migratedText = readFileSync(migratedFile, 'utf8');
    const changed = originalText !== migratedText;
    const againText = changed ? readFileSync(path.join(dirs.again, script.file), 'utf8') : migratedText;
    return {
      script, originalFile, migratedFile, originalText, migratedText, changed,
      notIdempotent: againText !== migratedText,
      report: first.byPath.get(script.file) ?? null,
      reportAgain: second.byPath.get(script.file) ?? null,
    };
  });
  const changedItems = perScript.filter((item) => item.changed);
  const [originalRejected, migratedRejected] = await Promise.all([
    bashRejects(changedItems.map((item) => item.originalFile)),
    bashRejects(changedItems.map((item) => item.migratedFile)),
  ]);
  for (const item of changedItems) item.bashRegression = !originalRejected.has(item.originalFile) && migratedRejected.has(item.migratedFile);
  log(`bash -n and contents in ${seconds(phase)}s`);

  // 4. Execute: originals that name an entrypoint (or that the tool changed), migrated copies that changed.
  phase = Date.now();
  const cacheDir = options.cache ? path.join(options.out, 'cache/capture') : path.join(work, 'capture-cache');
  const progress = (count, all) => {
    if (process.stderr.isTTY && (count % 25 === 0 || count === all)) process.stderr.write(`\rcaptured ${count}/${all}`);
  };
  const capturer = captureRunner({ capturePy: options.capture, cacheDir, timeoutSeconds: options.timeout, jobs: options.jobs, onProgress: progress });
  const tasks = [];
  for (const item of perScript) {
    if (!item.script.negative || item.changed) tasks.push({ item, side: 'original', file: item.originalFile });
    if (item.changed) tasks.push({ item, side: 'migrated', file: item.migratedFile });
  }
  const captured = await capturer.captureAll(tasks.map((task) => task.file));
  for (const task of tasks) task.item[task.side] = captured.get(task.file);
  if (process.stderr.isTTY) process.stderr.write('\n');
  const captureStats = capturer.stats();
  log(`captured ${tasks.length} runs (${captureStats.runs} executed, ${captureStats.hits} from cache) in ${seconds(phase)}s`);

  // 5. Compare launch by launch.
  const launchRecords = [];
  const jsonl = [];
  for (const item of perScript) {
    const { script } = item;
    item.captureProblems = [];
    for (const side of ['original', 'migrated']) {
      const captured = item[side];
      if (captured && (captured.failed || captured.rc === 124 || captured.rc === 137)) {
        item.captureProblems.push({ side, rc: captured.rc, stderr: (captured.stderr ?? '').slice(-300) });
      }
    }
    const originalCalls = item.original?.calls ?? [];
    const migratedCalls = item.changed ? (item.migrated?.calls ?? []) : originalCalls;
    const originals = findLaunches(originalCalls).filter((launch) => launch.kind === 'megatron');
    const migrated = findLaunches(migratedCalls);
    item.launchesExecuted = originals.length;
    item.extraMigratedLaunches = Math.max(0, migrated.length - originals.length);
    const lineOf = lineOfItem(item);
    const forwardsArgs = /\$\{?[@*]\}?/.test(item.originalText);
    const reportLaunches = (item.report?.launches ?? []).map(normalReportLaunch);
    originals.forEach((original, index) => {
      const counterpart = migrated[index] ?? null;
      const reportLaunch = pickReportLaunch(reportLaunches, original, counterpart, table);
      const record = compareLaunch({ original, migrated: counterpart, reportLaunch, table, lineOf, forwardsArgs });
      record.id = `${script.id}#${index + 1}`;
      record.script = item;
      launchRecords.push(record);
      record.verdict = reportLaunch?.verdict ?? null;
      // A file whose report has no launch but an error that it names an entrypoint it cannot
      // follow (a launch whose entrypoint comes from a variable set in branches, a heredoc ...) did
      // say why it left the launch alone.
      const fileError = (item.report?.messages ?? item.report?.findings ?? []).find((message) => message.severity === 'error' && /found no launch command it can follow/.test(message.message));
      if (record.status === 'unreported-not-migrated' && !reportLaunch && fileError) {
        record.status = 'reported-not-migrated';
        record.reason = fileError.message;
      }
      if (record.status === 'migrated') {
        const size = verifierWorldSize(counterpart);
        // words the script's callers pass ("$@": capture.py's nine "1"), left out of what the verifier judges
        const forwarded = new Set(record.strays.filter((stray) => NOT_COUNTED.has(stray.cause)).map((stray) => stray.index));
        record.originalInvalid = originalInvalid(original.words, table, new Set(counterpart.words.filter((_, at) => forwarded.has(at))), size.worldSize);
        // deepspeed passes --local_rank=N to the script unless told --no_local_rank (deepspeed/launcher/launch.py)
        const deepspeed = (counterpart.prefix[0] ?? '').split('/').pop() === 'deepspeed' && !counterpart.prefix.includes('--no_local_rank');
        jsonl.push({
          id: record.id, repo: script.repo, path: script.path, commit: script.commit, line: record.reportLine,
          verdict: record.verdict, launcher: counterpart.prefix,
          argv: [...(deepspeed ? ['--local_rank=0'] : []), ...counterpart.words.filter((_, at) => !forwarded.has(at))],
          ...(forwarded.size ? { forwardedWords: counterpart.words.filter((_, at) => forwarded.has(at)) } : {}),
          worldSize: size.worldSize, worldSizeFrom: size.from,
          ...(size.nprocPerNode ? { nprocPerNode: size.nprocPerNode, nnodes: size.nnodes } : {}),
          ...(size.launcherWorldSize !== undefined ? { launcherWorldSize: size.launcherWorldSize } : {}),
          ...(deepspeed ? { launcherInjected: ['--local_rank=0'] } : {}),
          // for the verifier's value check: what Megatron-LM received, and which key each flag went to
          megatronArgv: original.words,
          overrides: (reportLaunch?.overrides ?? []).map((override) => ({ flag: override.flag, key: override.key })),
        });
      }
    });
  }
  const launchesFile = path.join(options.out, 'launches.jsonl');
  const jsonlText = jsonl.map((entry) => JSON.stringify(entry)).join('\n') + (jsonl.length ? '\n' : '');
  writeFileSync(launchesFile, jsonlText);

  // 6. Optional: Bridge's own code on every migrated launch.
  let verify = null;
  if (options.verifyCmd) {
    phase = Date.now();
    verify = await runVerifier(options.verifyCmd, jsonlText);
    writeFileSync(path.join(options.out, 'verify-results.jsonl'), verify.stdout);
    for (const record of launchRecords) {
      if (record.status !== 'migrated') continue;
      const result = verify.byId.get(record.id);
      record.verify = result ? verifierResult(result) : { status: 'no-result', error: null, mismatches: [] };
    }
    log(`verifier answered ${verify.byId.size}/${jsonl.length} launches in ${seconds(phase)}s (exit ${verify.code})`);
  }

  phase = Date.now();
  const results = summarize({ options, manifest, perScript, launchRecords, verify, first, second, captureStats, started });
  writeFileSync(path.join(options.out, 'results.json'), JSON.stringify(results, null, 1));
  log(`compared and summarized in ${seconds(phase)}s`);
  console.log(renderTable(results));
  log(`\nwrote ${path.relative(process.cwd(), path.join(options.out, 'results.json'))} and ${path.relative(process.cwd(), launchesFile)} (${jsonl.length} migrated launches); total ${seconds(started)}s`);
}

function lineOfItem(item) {
  item.lineOf ??= lineFinder(item.originalText);
  return item.lineOf;
}

function sourceLine(text, line) {
  if (!line) return null;
  const value = text.split('\n')[line - 1];
  return value === undefined ? null : value.trim().slice(0, 240);
}

function where(item, line) {
  item.contextOf ??= contextFinder(item.originalText);
  return {
    repo: item.script.repo, path: item.script.path, commit: item.script.commit, local: item.script.file, line,
    text: sourceLine(item.originalText, line), writtenIn: line ? item.contextOf(line) : null,
  };
}

/** cause -> { count, byPattern: { where the flag was written -> count } }, for the summary. */
function patterns(groups) {
  return Object.fromEntries(Object.entries(groups).map(([cause, group]) => {
    const counts = {};
    for (const entry of group.items) counts[entry.writtenIn ?? 'unknown'] = (counts[entry.writtenIn ?? 'unknown'] ?? 0) + 1;
    return [cause, { count: group.count, scripts: new Set(group.items.map((entry) => entry.local)).size,
      byPattern: Object.fromEntries(Object.entries(counts).sort((left, right) => right[1] - left[1])) }];
  }));
}

function group(entries) {
  const byCause = {};
  for (const entry of entries) {
    byCause[entry.cause] ??= { count: 0, items: [] };
    byCause[entry.cause].count += 1;
    byCause[entry.cause].items.push(entry);
  }
  return Object.fromEntries(Object.entries(byCause).sort((left, right) => right[1].count - left[1].count));
}

// Words the original Megatron-LM launch received as well: the script's own "$@" (capture.py passes nine "1"
// arguments), positional words, or capture.py's stand-in "1" for an unset variable where the original had it
// after a flag of unknown arity; shown apart, not counted as strays.
const NOT_COUNTED = new Set(['forwarded-script-arguments', 'positional-word-also-in-original', 'stand-in-also-in-original']);

function summarize({ options, manifest, perScript, launchRecords, verify, first, second, captureStats, started }) {
  const repos = new Map();
  const row = (repo) => {
    if (!repos.has(repo)) {
      repos.set(repo, {
        repo, scripts: 0, negatives: 0, changed: 0, launches: 0, migrated: 0, reportedNotMigrated: 0,
        unreportedNotMigrated: 0, vanished: 0, extraLaunches: 0, launchesWithStrays: 0, launchesClean: 0, mappable: 0, arrived: 0, lost: 0, lostReported: 0,
        folded: 0, unverified: 0, volatile: 0, originalMissingValue: 0, strays: 0, strayFlags: 0, forwarded: 0, runnerFlags: 0,
        noLaunchReached: 0, changedNoLaunchText: 0, changedNoLaunchExecuted: 0, bashRegressions: 0, notIdempotent: 0,
        negativeValues: 0, negativesChanged: 0, toolErrors: 0, captureProblems: 0, starts: 0, fails: 0, noResult: 0,
        ready: 0, review: 0, blocked: 0, failsNotBlocked: 0, failsNotBlockedStandIn: 0, originalValid: 0, startsOriginalValid: 0, startsWithMismatch: 0, startsIgnoring: 0,
      });
    }
    return repos.get(repo);
  };
  for (const repo of manifest.repos) if (perScript.some((item) => item.script.repo === repo)) row(repo);
  const lost = [];
  const strays = [];
  const runnerFlags = [];
  const notMigrated = [];
  const changedNoLaunch = [];
  const bashRegressions = [];
  const notIdempotent = [];
  const negativesChanged = [];
  const toolErrors = [];
  const captureProblems = [];
  const droppedSilently = [];
  const noLaunchReached = [];
  const unverifiedValues = [];
  const verifyFailures = [];
  const verifyMismatches = [];
  for (const item of perScript) {
    const stats = row(item.script.repo);
    if (item.script.negative) stats.negatives += 1; else stats.scripts += 1;
    if (item.changed) stats.changed += 1;
    stats.extraLaunches += item.extraMigratedLaunches ?? 0;
    const mentions = ENTRYPOINT.test(item.originalText) || /pretrain_[A-Za-z0-9_]+\.py/.test(item.originalText);
    if (item.changed && !mentions) {
      stats.changedNoLaunchText += 1;
      changedNoLaunch.push({ ...where(item, null), kind: 'no pretrain_*.py in the text' });
    } else if (item.changed && !item.launchesExecuted) {
      stats.changedNoLaunchExecuted += 1;
      changedNoLaunch.push({ ...where(item, null), kind: 'no launch started when executed' });
    }
    if (item.bashRegression) { stats.bashRegressions += 1; bashRegressions.push(where(item, null)); }
    if (item.notIdempotent) { stats.notIdempotent += 1; notIdempotent.push(where(item, null)); }
    if (item.report?.status === 'error') { stats.toolErrors += 1; toolErrors.push({ ...where(item, null), error: item.report.error }); }
    if (!item.script.negative && !item.launchesExecuted) {
      stats.noLaunchReached += 1;
      const stderr = (item.original?.stderr ?? '').trim().split('\n').filter(Boolean);
      noLaunchReached.push({ ...where(item, null), rc: item.original?.rc ?? null, lastError: stderr.slice(-2).join(' | ').slice(0, 300) });
    }
    if (item.captureProblems.length) { stats.captureProblems += 1; captureProblems.push({ ...where(item, null), problems: item.captureProblems }); }
  }
  for (const record of launchRecords) {
    const item = record.script;
    const stats = row(item.script.repo);
    stats.launches += 1;
    if (record.status === 'migrated') {
      stats.migrated += 1;
      if (record.verdict && stats[record.verdict] !== undefined) stats[record.verdict] += 1;
    }
    else if (record.status === 'reported-not-migrated') stats.reportedNotMigrated += 1;
    else if (record.status === 'unreported-not-migrated') stats.unreportedNotMigrated += 1;
    else stats.vanished += 1;
    if (record.status !== 'migrated') {
      notMigrated.push({ id: record.id, status: record.status, entrypoint: record.entrypoint, reason: record.reason ?? null, ...where(item, record.reportLine) });
      continue;
    }
    stats.mappable += record.mappable;
    stats.arrived += record.arrived;
    stats.folded += record.folded;
    stats.unverified += record.unverified;
    stats.volatile += record.volatile;
    stats.originalMissingValue += record.originalMissingValue.length;
    stats.negativeValues += record.negatives;
    stats.negativesChanged += record.negativesChanged.length;
    const rejecting = record.strays.filter((stray) => !NOT_COUNTED.has(stray.cause));
    if (rejecting.length) stats.launchesWithStrays += 1;
    if (!rejecting.length && !record.lost.length) stats.launchesClean += 1;
    for (const entry of record.lost) {
      stats.lost += 1;
      if (entry.reported) stats.lostReported += 1;
      lost.push({ id: record.id, cause: entry.cause, flag: entry.flag, values: entry.values, key: entry.key, expected: entry.expected, got: entry.got, gotWord: entry.gotWord, gotFrom: entry.gotFrom, reported: entry.reported, reportedReason: entry.reportedReason, ...where(item, entry.line) });
    }
    for (const entry of record.negativesChanged) {
      negativesChanged.push({ id: record.id, flag: entry.flag, values: entry.values, key: entry.key, got: entry.got, ...where(item, entry.line) });
    }
    for (const stray of record.strays) {
      if (NOT_COUNTED.has(stray.cause)) { stats.forwarded += 1; continue; }
      stats.strays += 1;
      if (stray.word.startsWith('-')) stats.strayFlags += 1;
      const line = item.originalText ? lineOfItem(item)(stray.flag ?? stray.word) : null;
      strays.push({ id: record.id, cause: stray.cause, word: stray.word, flag: stray.flag, abbreviates: stray.abbreviates ?? null, ...where(item, line) });
    }
    for (const entry of record.runnerFlags) {
      stats.runnerFlags += 1;
      runnerFlags.push({ id: record.id, ...entry, ...where(item, lineOfItem(item)(entry.word)) });
    }
    for (const entry of record.unverifiedValues) unverifiedValues.push({ id: record.id, cause: entry.flag, ...entry, ...where(item, entry.line) });
    for (const entry of record.droppedSilently) droppedSilently.push({ id: record.id, cause: 'dropped-without-a-report-entry', flag: entry.flag, values: entry.values, ...where(item, entry.line) });
    if (record.verify) {
      if (!record.originalInvalid) stats.originalValid += 1;
      if (record.verify.status === 'starts') {
        stats.starts += 1;
        if (!record.originalInvalid) stats.startsOriginalValid += 1;
        if (record.verify.ignored.length) stats.startsIgnoring += 1;
        // Not the migration's: a value that reads the clock (a timestamped path) differs between the
        // two runs, and a flag Megatron-LM's argparse rejected (capture.py's empty stand-in) has no value.
        const mismatches = record.verify.mismatches.filter((mismatch) => {
          const texts = typeof mismatch.megatron === 'string' && typeof mismatch.bridge === 'string';
          if (texts && volatileOnly(mismatch.megatron, mismatch.bridge)) return false;
          return !(typeof mismatch.megatron === 'string' && mismatch.megatron.startsWith('argparse rejects it'));
        });
        if (mismatches.length) {
          stats.startsWithMismatch += 1;
          for (const mismatch of mismatches) {
            verifyMismatches.push({ id: record.id, cause: mismatch.flag ?? mismatch.key ?? 'unknown', mismatch, ...where(item, record.reportLine) });
          }
        }
      } else if (record.verify.status === 'fails') {
        stats.fails += 1;
        if (record.verdict !== 'blocked') {
          stats.failsNotBlocked += 1;
          if (record.originalInvalid) stats.failsNotBlockedStandIn += 1;
        }
        verifyFailures.push({ id: record.id, cause: errorClass(record.verify.error), error: record.verify.error, verdict: record.verdict, originalInvalid: record.originalInvalid, ...where(item, record.reportLine) });
      } else stats.noResult += 1;
    }
  }
  const rows = [...repos.values()];
  const total = { repo: 'total' };
  for (const key of Object.keys(rows[0] ?? {})) if (key !== 'repo') total[key] = rows.reduce((sum, stats) => sum + stats[key], 0);
  return {
    generated: new Date().toISOString(), seconds: Number(seconds(started)),
    tool: toolDescription(options.tool), capture: { script: options.capture, timeout: options.timeout, ...captureStats },
    toolExit: { first: first.code, second: second.code }, verify: verify ? { command: options.verifyCmd, exit: verify.code, ready: verify.ready, answered: verify.byId.size, stderr: verify.stderr } : null,
    repos: rows, total,
    summary: { lost: patterns(group(lost)), strays: patterns(group(strays)) },
    lost: group(lost), strays: group(strays), runnerFlags: group(runnerFlags.map((entry) => ({ ...entry, cause: entry.cause }))),
    notMigrated: group(notMigrated.map((entry) => ({ ...entry, cause: entry.status }))),
    verifyFailures: group(verifyFailures), verifyMismatches: group(verifyMismatches), droppedSilently: group(droppedSilently),
    // values a multi-flag rule computes from shell text (the report's value holds $...): arrived, value not checked
    unverified: group(unverifiedValues),
    noLaunchReached, changedNoLaunch, bashRegressions, notIdempotent, negativesChanged, toolErrors, captureProblems,
  };
}

/** A failure's class: Bridge's message with paths, numbers and quoted values blanked. */
function errorClass(error) {
  const text = String(error ?? 'no error text').split('\n').find((line) => line.trim()) ?? '';
  return text.replace(/'[^']*'|"[^"]*"/g, "'…'").replace(/\b\d+(\.\d+)?\b/g, 'N').slice(0, 160);
}

main().catch((error) => {
  console.error(`measure.mjs: ${error.message ?? error}`);
  process.exit(2);
});
