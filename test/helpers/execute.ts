/** Runs a script under bash with stub launchers on PATH and returns every recorded launcher argv. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const stubs = join(import.meta.dirname, '..', 'stubs');

export interface ExecOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Empty files to create in the working directory first (paths relative to it). */
  files?: string[];
}

export function executeScript(source: string, opts: ExecOptions = {}): { records: string[][]; status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'bm-exec-'));
  try {
    const log = join(dir, 'log');
    spawnSync('mkdir', [log]);
    for (const f of opts.files ?? []) {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), '');
    }
    const script = join(dir, 'script.sh');
    writeFileSync(script, source);
    const res = spawnSync('bash', [script, ...(opts.args ?? [])], {
      cwd: dir,
      env: { PATH: `${stubs}:/usr/bin:/bin`, HOME: dir, ARGV_LOG: log, ...opts.env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const records = readdirSync(log)
      .sort()
      .map((f) => readFileSync(join(log, f), 'utf8').split('\0').slice(0, -1));
    return { records, status: res.status, stderr: res.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Splits a recorded argv at the entrypoint: launcher words, entrypoint, script arguments. */
export function splitAtEntry(argv: string[], entry: RegExp): { launcher: string[]; entry: string; args: string[] } | undefined {
  const i = argv.findIndex((a) => entry.test(a));
  if (i === -1) return undefined;
  return { launcher: argv.slice(0, i), entry: argv[i], args: argv.slice(i + 1) };
}
