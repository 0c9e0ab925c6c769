/**
 * `bash -n` (syntax check only: nothing in the script runs) as a second opinion on every changed
 * file (the dry-run patch, --check, --write and the stdin filter): a result bash rejects is refused
 * when bash accepted the input. Skipped when bash is missing (the CLI says so).
 */
import { spawnSync } from 'node:child_process';

let available: boolean | undefined;

export function bashAvailable(): boolean {
  if (available === undefined) available = spawnSync('bash', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** True when bash accepts the text (or bash is not installed). */
export function bashAccepts(text: string): boolean {
  if (!bashAvailable()) return true;
  const r = spawnSync('bash', ['-n'], { input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 });
  return r.status === 0;
}

/** Undefined when fine; otherwise why the output must not be written. */
export function bashSyntaxProblem(before: string, after: string): string | undefined {
  if (bashAccepts(after) || !bashAccepts(before)) return undefined;
  return 'bash -n rejects the migrated text although it accepted the original; the file was left unchanged. This is a bridge-migrate bug: please report it with the script';
}
