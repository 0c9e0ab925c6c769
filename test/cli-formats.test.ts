/**
 * The machine formats and the pieces behind the CLI's output, checked on the data model (not on
 * message texts, which the mapping may change): SARIF validated against the SARIF 2.1.0 JSON
 * schema, GitHub annotation escaping, leftover `# bridge-migrate:` comments as findings, the
 * statistics table's size, colour decisions, and diff headers that `git apply` takes from the
 * repository root whatever path was given.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { initParser, migrate } from '../src/migrate.js';
import type { FileOutcome } from '../src/files/process-file.js';
import { sarifLog } from '../src/print/sarif.js';
import { escapeData, escapeProperty, githubAnnotations } from '../src/print/github.js';
import { leftoverComments, leftoverFinding } from '../src/resolve/leftover-comments.js';
import { statisticsLines } from '../src/cli/statistics.js';
import { colorFor } from '../src/cli/color.js';
import { countOutcomes, fileFindings, needsAttention, spilledOutcome, worstSeverity } from '../src/cli/summary.js';
import { repoRelativePath } from '../src/files/repo-path.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const FIXTURES = join(ROOT, 'fixtures');
const require = createRequire(import.meta.url);

beforeAll(initParser);

/** Every fixture input migrated, as the CLI would report it. */
function fixtureOutcomes(): FileOutcome[] {
  return readdirSync(FIXTURES).map((name) => {
    const path = `fixtures/${name}/input.sh`;
    return { path, report: migrate(readFileSync(join(ROOT, path), 'utf8'), { path }).report, written: false };
  });
}

describe('SARIF', () => {
  it('validates against the SARIF 2.1.0 JSON schema, one result per finding at its severity', () => {
    // The 2.1.0 schema as published with the standard (draft-04), shipped by Microsoft's
    // @microsoft/jest-sarif package.
    // (unicodeRegExp off: one of its patterns is not valid in Unicode mode, as the errata note.)
    const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(schema);
    const outcomes = fixtureOutcomes();
    const log = sarifLog(outcomes, { version: '1.2.3', uriOf: (p) => p });
    const valid = validate(JSON.parse(JSON.stringify(log)));
    expect(validate.errors ?? [], JSON.stringify(validate.errors?.slice(0, 5))).toEqual([]);
    expect(valid).toBe(true);
    // The validator can say no: a wrong level or version is rejected.
    const broken = JSON.parse(JSON.stringify(log));
    broken.runs[0].results[0].level = 'fatal';
    expect(validate(broken)).toBe(false);
    expect(validate({ ...JSON.parse(JSON.stringify(log)), version: '2.0.0' })).toBe(false);
    const findings = outcomes.flatMap((o) => fileFindings(o).map((f) => ({ o, f })));
    const results = log.runs[0].results;
    expect(results).toHaveLength(findings.length);
    expect(results.map((r) => r.level).sort()).toEqual(findings.map(({ f }) => f.severity).sort());
    // The errata to 2.1.0 also require a region to have a start: every located result has startLine.
    for (const r of results) {
      const location = r.locations[0].physicalLocation as { region?: { startLine: number } };
      if (location.region) expect(location.region.startLine).toBeGreaterThan(0);
    }
    // Each result's rule exists and has the result's level as its default, or is a generic rule.
    const rules = log.runs[0].tool.driver.rules;
    for (const r of results) expect(rules[r.ruleIndex].id).toBe(r.ruleId);
    // A blocked, not-migrated launch gets the launch-not-migrated rule.
    const bert = results.find((r) => r.locations[0].physicalLocation.artifactLocation.uri === 'fixtures/unsupported-bert/input.sh' && r.level === 'error');
    expect(rules[bert!.ruleIndex].name).toBe('launch-not-migrated');
  });

  it('the CLI writes the same log, with paths relative to the repository root', () => {
    const r = spawnSync(process.execPath, [BIN, '--format', 'sarif', '--quiet', 'deepspeed-launcher/input.sh'], { cwd: join(ROOT, 'fixtures'), encoding: 'utf8' });
    expect(r.status).toBe(0);
    const log = JSON.parse(r.stdout);
    expect(log.version).toBe('2.1.0');
    expect(new Set(log.runs[0].results.map((x: { locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }) => x.locations[0].physicalLocation.artifactLocation.uri))).toEqual(new Set(['fixtures/deepspeed-launcher/input.sh']));
  });
});

describe('GitHub annotations', () => {
  it('escape %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('50% done\r\nnext: a, b')).toBe('50%25 done%0D%0Anext: a, b');
    expect(escapeProperty('dir,x/a:b%.sh')).toBe('dir%2Cx/a%3Ab%25.sh');
  });

  it('one command per finding (notes only when verbose), each on one line', () => {
    const outcome: FileOutcome = {
      path: 'a,b:c.sh',
      written: false,
      report: { status: 'skipped', launches: [], messages: [{ line: 3, severity: 'error', message: 'two\nlines' }, { line: 0, severity: 'warning', message: 'w' }, { line: 5, severity: 'note', message: 'n' }] },
    };
    expect(githubAnnotations([outcome], { uriOf: (p) => p })).toEqual([
      '::warning file=a%2Cb%3Ac.sh,title=bridge-migrate warning::w',
      '::error file=a%2Cb%3Ac.sh,line=3,title=bridge-migrate error::two%0Alines',
    ]);
    expect(githubAnnotations([outcome], { uriOf: (p) => p, verbose: true })).toHaveLength(3);
    expect(githubAnnotations([outcome], { uriOf: (p) => p, verbose: true })[2]).toMatch(/^::notice file=a%2Cb%3Ac\.sh,line=5,/);
  });
});

describe('comments left by --write', () => {
  it('are findings on the next run, one per comment, at the severity written in it', () => {
    let comments = 0;
    for (const name of readdirSync(FIXTURES)) {
      const input = readFileSync(join(FIXTURES, name, 'input.sh'), 'utf8');
      const first = migrate(input, {});
      const second = migrate(first.output, {});
      const lines = first.output.split('\n');
      const written = lines.map((text, i) => ({ text, line: i + 1 })).filter((l) => /^\s*# bridge-migrate: /.test(l.text));
      comments += written.length;
      const leftovers = leftoverComments(first.output);
      expect(leftovers.map((f) => f.line), name).toEqual(written.map((l) => l.line));
      for (const l of written) {
        const graded = /^\s*# bridge-migrate: (error|warning|note): /.exec(l.text);
        const finding = leftovers.find((f) => f.line === l.line)!;
        expect(finding.severity, `${name}:${l.line}`).toBe(graded ? graded[1] : 'warning');
      }
      // ... and the next run reports them (as file findings), without changing the file.
      expect(second.output).toBe(first.output);
      for (const f of leftovers) expect(second.report.messages).toContainEqual(f);
    }
    expect(comments).toBeGreaterThan(20);
  });

  it('keep their severity; the pinned-defaults header is a warning; anything else is not a comment of ours', () => {
    expect(leftoverFinding('  # bridge-migrate: error: removed `--x 1` (line 3): lost', 7)).toMatchObject({ line: 7, severity: 'error' });
    expect(leftoverFinding('# bridge-migrate: note: removed `--y`: no-op', 2)?.severity).toBe('note');
    expect(leftoverFinding("# bridge-migrate: Megatron-LM defaults that vanilla_gpt_pretrain_config would change; delete a line to take the recipe's value", 1)?.severity).toBe('warning');
    expect(leftoverFinding('# bridge-migrate: removed `--z` (an older release wrote no severity)', 1)?.severity).toBe('warning');
    expect(leftoverFinding('echo "# bridge-migrate: error: x"', 1)).toBeUndefined();
    expect(leftoverFinding('# bridge-migrate is great', 1)).toBeUndefined();
  });
});

describe('--statistics', () => {
  it('fits a screen: at most maxRows table lines plus the head, the header and one closing line', () => {
    const outcomes: FileOutcome[] = [];
    for (let i = 0; i < 500; i++) {
      outcomes.push({
        path: `s${i}.sh`,
        written: false,
        report: {
          status: 'changed',
          messages: [],
          launches: [
            {
              line: 1, entrypoint: 'pretrain_gpt.py', launcher: 'torchrun', migrated: true, verdict: 'review', overrides: [], pinned: [],
              removed: [{ flag: `--flag-${i % 90}`, line: 2, text: `--flag-${i % 90}`, reason: `reason ${i % 90}`, kind: 'unmapped', severity: i % 3 ? 'warning' : 'note' }],
              findings: [{ line: 1, severity: 'warning', message: `${i} defaults pinned` }],
            },
          ],
        },
      });
    }
    const lines = statisticsLines(outcomes, { maxRows: 40, width: 100 });
    expect(lines.length).toBeLessThanOrEqual(43);
    expect(lines.every((l) => l.length <= 100)).toBe(true);
    // The per-launch message with a count in it is one line, not 500.
    expect(lines.filter((l) => l.includes('defaults pinned'))).toHaveLength(1);
    expect(lines.find((l) => l.includes('defaults pinned'))).toMatch(/^\s+500\s+500\s+/);
    expect(lines.at(-1)).toMatch(/^… \d+ more lines/);
    // Notes only with --verbose.
    const quiet = statisticsLines(outcomes, { maxRows: 1000 });
    const verbose = statisticsLines(outcomes, { maxRows: 1000, verbose: true });
    expect(verbose.length).toBeGreaterThan(quiet.length);
  });
});

describe('colour', () => {
  it('--color/--no-color first, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    const tty = { isTTY: true };
    const pipe = { isTTY: false };
    expect(colorFor(tty, undefined, {})).toBe(true);
    expect(colorFor(pipe, undefined, {})).toBe(false);
    expect(colorFor(tty, undefined, { NO_COLOR: '1' })).toBe(false);
    expect(colorFor(tty, undefined, { NO_COLOR: '' })).toBe(true);
    expect(colorFor(pipe, undefined, { FORCE_COLOR: '1' })).toBe(true);
    expect(colorFor(tty, undefined, { FORCE_COLOR: '0' })).toBe(false);
    expect(colorFor(pipe, undefined, { FORCE_COLOR: '1', NO_COLOR: '1' })).toBe(true);
    expect(colorFor(pipe, true, { NO_COLOR: '1' })).toBe(true);
    expect(colorFor(tty, false, { FORCE_COLOR: '1' })).toBe(false);
  });
});

describe('diff headers', () => {
  it('name files relative to the git top level, so `git apply` works from the repository root whatever path was given', () => {
    const repo = mkdtempSync(join(tmpdir(), 'bm-apply-'));
    cpSync(join(ROOT, 'test', 'cli-repo'), repo, { recursive: true });
    expect(spawnSync('git', ['init', '-q'], { cwd: repo }).status).toBe(0);
    expect(repoRelativePath('../scripts/./train_gpt.sh', join(repo, 'fork'))).toBe('scripts/train_gpt.sh');
    const before = readFileSync(join(repo, 'scripts', 'train_gpt.sh'), 'utf8');
    // Given as ../scripts/./train_gpt.sh from fork/, and as an absolute path from elsewhere.
    const fromSub = spawnSync(process.execPath, [BIN, '--quiet', '../scripts/./train_gpt.sh'], { cwd: join(repo, 'fork'), encoding: 'utf8' });
    const fromOutside = spawnSync(process.execPath, [BIN, '--quiet', join(repo, 'scripts', 'train_gpt.sh')], { cwd: tmpdir(), encoding: 'utf8' });
    expect(fromSub.stdout).toBe(fromOutside.stdout);
    expect(fromSub.stdout.split('\n').slice(0, 2)).toEqual(['--- a/scripts/train_gpt.sh', '+++ b/scripts/train_gpt.sh']);
    writeFileSync(join(repo, 'patch.diff'), fromSub.stdout);
    const apply = spawnSync('git', ['apply', 'patch.diff'], { cwd: repo, encoding: 'utf8' });
    expect(apply.stderr).toBe('');
    expect(apply.status).toBe(0);
    spawnSync(process.execPath, [BIN, '--write', '--quiet', 'scripts/train_gpt.sh'], { cwd: join(repo, 'fork', '..'), encoding: 'utf8' });
    const written = readFileSync(join(repo, 'scripts', 'train_gpt.sh'), 'utf8');
    expect(written).not.toBe(before);
    // Outside any repository: relative to the working directory.
    const outside = mkdtempSync(join(tmpdir(), 'bm-norepo-'));
    expect(repoRelativePath('a/../b/c.sh', outside)).toBe('b/c.sh');
  });
});

describe('spilled outcomes (kept per file until the summary of a large run)', () => {
  it('give the same counts, attention, worst severity and --check lines as the outcomes they stand for', () => {
    const outcomes = fixtureOutcomes();
    const spilled = outcomes.map((outcome) => spilledOutcome(outcome, { offset: 0, length: 0 }));
    expect(countOutcomes(spilled)).toEqual(countOutcomes(outcomes));
    expect(worstSeverity(spilled)).toBe(worstSeverity(outcomes));
    const checkFacts = (list: FileOutcome[]) =>
      list.map((o) => ({ path: o.path, status: o.report.status, attention: needsAttention(o), blocked: o.report.launches.filter((l) => l.verdict === 'blocked').map((l) => [l.line, l.entrypoint, l.migrated, l.findings.filter((f) => f.severity === 'error').length]) }));
    expect(checkFacts(spilled)).toEqual(checkFacts(outcomes));
    expect(spilled.some((o) => o.report.launches.some((l) => l.verdict === 'blocked'))).toBe(true);
  });

  it('share their empty lists, frozen, so that nothing can add to one', () => {
    const [first, second] = fixtureOutcomes()
      .filter((o) => o.report.launches.length > 0)
      .map((outcome) => spilledOutcome(outcome, { offset: 0, length: 0 }));
    expect(first.report.messages).toBe(second.report.messages);
    expect(Object.isFrozen(first.report.launches[0].overrides)).toBe(true);
    expect(() => first.report.messages.push({ line: 1, severity: 'note', message: 'x' })).toThrow(TypeError);
  });
});
