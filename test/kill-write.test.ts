/**
 * Atomic writes under SIGKILL: 300 copies of a fixture are migrated with
 * `node bin/bridge-migrate.js --write --jobs 2 <dir>` (the built dist/: run `npx tsc -p .` first),
 * and the process is killed with SIGKILL at different moments (right away, after fixed delays, and
 * once mid-way, triggered when about a third of the files are done). After each kill every script
 * must be byte-identical either to the original or to the fully migrated version (computed with
 * the core), and nothing may be missing.
 *
 * SIGKILL cannot be caught, so a kill between creating the temporary file and renaming it leaves
 * `.<hash of the name>.bridge-migrate-<pid>-<n>.tmp` behind (src/files/atomic-write.ts). When that happens the
 * test asserts that such files are hidden dot-files ending in `.tmp`, that the walker
 * (src/files/walk.ts) does not pick them up, and that a rerun migrates the rest and removes the
 * temporary files of the killed (dead) process from the folders it writes into.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser, migrate } from '../src/migrate.js';
import { walk } from '../src/files/walk.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const FIXTURE = join(ROOT, 'fixtures', 'string-var-multiline', 'input.sh');
const COUNT = 300;
const TMP_NAME = /^\..+\.bridge-migrate-\d+-\d+\.tmp$/;
const verbose = !!process.env.KILL_VERBOSE;

let original: Buffer;
let migrated: Buffer;
const dirs: string[] = [];

beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npx tsc -p .');
  await initParser();
  original = readFileSync(FIXTURE);
  const r = migrate(original.toString('utf8'));
  expect(r.report.status).toBe('changed');
  migrated = Buffer.from(r.output, 'utf8');
  expect(migrated.length).not.toBe(original.length); // the size tells the two apart (used to poll)
});

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const name = (i: number) => `s${String(i).padStart(3, '0')}.sh`;

function freshDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'bm-kill-'));
  dirs.push(d);
  for (let i = 0; i < COUNT; i++) writeFileSync(join(d, name(i)), original, { mode: 0o755 });
  return d;
}

interface State {
  migrated: number;
  original: number;
  tmp: string[];
}

/** Every script is the original or the migrated version; returns the counts and leftover temp files. */
function check(dir: string): State {
  const entries = readdirSync(dir).sort();
  const tmp = entries.filter((n) => n.startsWith('.'));
  const scripts = entries.filter((n) => !n.startsWith('.'));
  expect(scripts).toEqual(Array.from({ length: COUNT }, (_, i) => name(i)));
  const state: State = { migrated: 0, original: 0, tmp };
  for (const n of scripts) {
    const bytes = readFileSync(join(dir, n));
    if (bytes.equals(migrated)) state.migrated++;
    else if (bytes.equals(original)) state.original++;
    else throw new Error(`${n} is neither the original nor the migrated version (${bytes.length} bytes)`);
    expect(statSync(join(dir, n)).mode & 0o777).toBe(0o755);
  }
  for (const t of tmp) expect(t).toMatch(TMP_NAME);
  return state;
}

function start(dir: string): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, [BIN, '--write', '--jobs', '2', '--quiet', '--no-color', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Counts migrated files cheaply (by size) while the tool runs. */
function migratedSoFar(dir: string): number {
  let n = 0;
  for (let i = 0; i < COUNT; i++) {
    try {
      if (statSync(join(dir, name(i))).size === migrated.length) n++;
    } catch {
      // renamed right now
    }
  }
  return n;
}

type Trigger = { kind: 'delay'; ms: number } | { kind: 'progress'; atLeast: number } | { kind: 'first-tmp' };

async function killRun(trigger: Trigger): Promise<{ state: State; killed: boolean; dir: string }> {
  const dir = freshDir();
  const { child, exited } = start(dir);
  let done = false;
  void exited.then(() => (done = true));
  const deadline = Date.now() + 30_000;
  if (trigger.kind === 'delay') {
    await sleep(trigger.ms);
  } else {
    for (;;) {
      if (done || Date.now() > deadline) break;
      if (trigger.kind === 'progress' && migratedSoFar(dir) >= trigger.atLeast) break;
      if (trigger.kind === 'first-tmp' && readdirSync(dir).some((n) => TMP_NAME.test(n))) break;
      await sleep(1);
    }
  }
  const killed = !done && child.kill('SIGKILL');
  const exit = await exited;
  if (killed) expect(exit.signal).toBe('SIGKILL');
  const state = check(dir);
  if (verbose) console.log(trigger, { killed, ...state, tmp: state.tmp.length });
  return { state, killed, dir };
}

describe('SIGKILL during --write --jobs 2 on 300 files', () => {
  const results: Array<{ trigger: Trigger; state: State; killed: boolean; dir: string }> = [];

  it('every file is the original or the fully migrated version after each kill', async () => {
    const triggers: Trigger[] = [
      { kind: 'delay', ms: 0 },
      { kind: 'delay', ms: 250 },
      { kind: 'delay', ms: 450 },
      { kind: 'progress', atLeast: COUNT / 3 },
      { kind: 'first-tmp' },
      { kind: 'delay', ms: 700 },
    ];
    for (const trigger of triggers) results.push({ trigger, ...(await killRun(trigger)) });
    // The mid-way kill really landed mid-way (some files done, some not).
    const mid = results.find((r) => r.trigger.kind === 'progress')!;
    expect(mid.killed).toBe(true);
    expect(mid.state.migrated).toBeGreaterThan(0);
    expect(mid.state.original).toBeGreaterThan(0);
  }, 120_000);

  it('leftover temporary files (if any) are hidden, skipped by the walker, and removed by a rerun that writes there', async () => {
    expect(results.length).toBeGreaterThan(0);
    let leftovers = 0;
    // Rerun where temporary files were left (and on the mid-way run in any case): each rerun
    // writes the remaining files, which takes a few seconds.
    const rerunOn = results.filter((r) => r.state.tmp.length > 0 || r.trigger.kind === 'progress');
    for (const r of rerunOn) {
      const before = new Map(r.state.tmp.map((t) => [t, readFileSync(join(r.dir, t))]));
      leftovers += before.size;
      // hidden dot-files with a .tmp extension: the walker never lists them
      const listed = walk([r.dir]).files;
      expect(listed).toHaveLength(COUNT);
      for (const f of listed) expect(f).not.toMatch(/\.tmp$/);
      // a rerun finishes the job and removes the temporary files of the killed process
      const rerun = spawnSync(process.execPath, [BIN, '--write', '--jobs', '2', '--quiet', r.dir], { encoding: 'utf8' });
      // nothing but the pinned-defaults warning of each file it still had to migrate, or of the
      // pinned-defaults comment of each file already written
      expect(rerun.stderr.split('\n').filter((l) => l && !/: warning: (\d+|left by an earlier bridge-migrate run: ) ?Megatron-LM defaults that /.test(l) && !l.includes('getfattr/setfattr were not found'))).toEqual([]);
      expect(rerun.status).toBe(0);
      const after = check(r.dir);
      expect(after.migrated).toBe(COUNT);
      // The killed run's files go when the rerun writes into their folder (the mid-way run always
      // leaves files to write; a run killed after its last write may leave nothing to trigger it).
      if (after.migrated === COUNT && r.state.original > 0) expect(after.tmp).toEqual([]);
    }
    if (verbose) console.log(`temporary files left behind by SIGKILL over ${results.length} runs: ${leftovers} (in ${rerunOn.length} rerun folders)`);
  }, 120_000);
});
