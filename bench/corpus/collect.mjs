#!/usr/bin/env node
// Extracts the real-script collection listed in repos.json from the bare mirrors in /work/.mirror
// (brought there by the session's `fetch` tool: scripts cannot reach GitHub) into an ignored folder.
//
//   node bench/corpus/collect.mjs [--repos bench/corpus/repos.json] [--mirror /work/.mirror]
//                                 [--out bench/out/corpus] [--only owner/name]
//
// Writes <out>/scripts/<owner+name>/<blob12>/<path in repo> and <out>/manifest.json. A file version is
// taken once, by the first repository (in repos.json order) that holds that exact content. Exits 3 and
// names the repositories to fetch when a mirror is missing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesAtCommit, filesInHistory, hasCommit, mirrorDir, mirrorExists, readBlobs } from './lib/git.mjs';
import { matcher } from './lib/glob.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function parseArgs(argv) {
  const options = { repos: path.join(here, 'repos.json'), mirror: '/work/.mirror', out: path.join(root, 'bench/out/corpus'), only: [] };
  for (let index = 0; index < argv.length; index += 1) {
    const name = argv[index];
    const value = () => argv[++index];
    if (name === '--repos') options.repos = value();
    else if (name === '--mirror') options.mirror = value();
    else if (name === '--out') options.out = value();
    else if (name === '--only') options.only.push(value());
    else if (name === '-h' || name === '--help') {
      console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 11).join('\n'));
      process.exit(0);
    } else throw new Error(`collect.mjs: unknown option ${name}`);
  }
  return options;
}

const SHELL_EXTENSIONS = /\.(sh|bash|slurm|sbatch)$/;
const SHEBANG = /^#!\s*\S*(\/|env\s+)(ba)?sh\b/;

export function isShellScript(filePath, content) {
  const base = path.posix.basename(filePath);
  if (SHELL_EXTENSIONS.test(base)) return true;
  if (base.includes('.')) return false;
  return SHEBANG.test(content.subarray(0, 120).toString('latin1'));
}

async function collectRepo(spec, options, selectRegexp, seen) {
  const gitDir = mirrorDir(options.mirror, spec.repo);
  if (!mirrorExists(gitDir)) return { missing: true };
  if (!hasCommit(gitDir, spec.commit)) {
    return { error: `${spec.repo}: commit ${spec.commit} is not in ${gitDir}; fetch the repository again or update repos.json` };
  }
  const include = matcher(spec.paths);
  const exclude = spec.exclude ? matcher(spec.exclude) : () => false;
  const wanted = (row) => include(row.path) && !exclude(row.path) && (SHELL_EXTENSIONS.test(row.path) || !path.posix.basename(row.path).includes('.'));
  const headRows = filesAtCommit(gitDir, spec.commit).filter(wanted).map((row) => ({ ...row, commit: spec.commit }));
  const rows = spec.history ? filesInHistory(gitDir, spec.commit).filter(wanted) : headRows;
  const contents = await readBlobs(gitDir, rows.map((row) => row.blob));
  const picked = [];
  let duplicates = 0;
  for (const row of rows) {
    const content = contents.get(row.blob);
    if (!content || !isShellScript(row.path, content)) continue;
    if (!selectRegexp.test(content.toString('utf8'))) continue;
    if (seen.has(row.blob)) { duplicates += 1; continue; }
    seen.add(row.blob);
    picked.push({ ...row, content, negative: false });
  }
  // Negatives: shell scripts at the pinned commit that name no pretrain_*.py (the tool must leave them alone).
  const negatives = [];
  if (spec.negatives) {
    const negativeContents = spec.history ? await readBlobs(gitDir, headRows.map((row) => row.blob)) : contents;
    for (const row of headRows) {
      const content = negativeContents.get(row.blob);
      if (!content || !isShellScript(row.path, content) || selectRegexp.test(content.toString('utf8'))) continue;
      if (seen.has(row.blob)) continue;
      seen.add(row.blob);
      negatives.push({ ...row, content, negative: true });
      if (negatives.length >= (spec.maxNegatives ?? 100)) break;
    }
  }
  return { picked, negatives, duplicates };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const config = JSON.parse(readFileSync(options.repos, 'utf8'));
  const selectRegexp = new RegExp(config.select ?? 'pretrain_[A-Za-z0-9_]+\\.py');
  const specs = config.repos.filter((spec) => !options.only.length || options.only.includes(spec.repo));
  const scriptsDir = path.join(options.out, 'scripts');
  rmSync(scriptsDir, { recursive: true, force: true });
  mkdirSync(scriptsDir, { recursive: true });
  const seen = new Set();
  const manifest = [];
  const missing = [];
  const errors = [];
  for (const spec of specs) {
    const result = await collectRepo(spec, options, selectRegexp, seen);
    if (result.missing) { missing.push(spec.repo); continue; }
    if (result.error) { errors.push(result.error); continue; }
    const slug = spec.repo.replace('/', '+');
    for (const row of [...result.picked, ...result.negatives]) {
      const relative = path.join('scripts', slug, row.blob.slice(0, 12), row.path);
      const target = path.join(options.out, relative);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, row.content);
      manifest.push({
        id: `${slug}/${row.blob.slice(0, 12)}/${row.path}`, repo: spec.repo, path: row.path,
        commit: row.commit, blob: row.blob, negative: row.negative, file: relative,
      });
    }
    console.log(`${spec.repo.padEnd(42)} ${String(result.picked.length).padStart(4)} scripts`
      + `${result.negatives.length ? `, ${result.negatives.length} negatives` : ''}`
      + `${result.duplicates ? ` (${result.duplicates} more versions with content already taken)` : ''}`);
  }
  writeFileSync(path.join(options.out, 'manifest.json'), JSON.stringify({ repos: specs.map((spec) => spec.repo), scripts: manifest }, null, 1));
  const positives = manifest.filter((entry) => !entry.negative).length;
  console.log(`${positives} scripts and ${manifest.length - positives} negatives from ${specs.length - missing.length - errors.length} repositories -> ${path.relative(process.cwd(), options.out) || '.'}/manifest.json`);
  for (const error of errors) console.error(`error: ${error}`);
  if (missing.length) {
    console.error(`missing mirrors: fetch these first (the session's fetch tool), then run collect again:\n${missing.map((repo) => `  github:${repo}`).join('\n')}`);
    process.exit(3);
  }
  if (errors.length) process.exit(2);
}

main().catch((error) => {
  console.error(`collect.mjs: ${error.stack ?? error}`);
  process.exit(2);
});
