/**
 * `bash -n` (syntax check only: nothing in the script runs) as a second opinion on every changed
 * file (the dry-run patch, --check, --write and the stdin filter): a result bash rejects is refused
 * when bash accepted the input. Skipped when bash is missing (the CLI says so).
 *
 * Starting a process from Node costs about 6 ms when the process is large (it is forked whole);
 * over thousands of changed files that was half the run. A thread that checks many files
 * (`useCheckServer()`, the worker threads) therefore keeps one small `sh` that runs `bash -n` for
 * it: the text goes into a temporary file, a line through a FIFO asks, the exit status comes back
 * through another. Same `bash` (from PATH), same input on stdin, a 10 s limit; any failure of the
 * server falls back to one `bash -n` process per check.
 *
 * The limit is `ulimit -t` (CPU seconds) in the subshell that becomes `bash -n`, where the shell has
 * it: `bash -n` reads a regular file and runs nothing, so it cannot wait without using CPU, and a
 * `timeout` process in between was two more processes per check (about 45% of a check's CPU).
 * Without `ulimit -t`, `timeout` as before. The text goes into one temporary file that stays open
 * (truncated and rewritten), in memory (`/dev/shm`) where the system has it: on a disk file system
 * (ext4) rewriting the file for each check cost more than the check itself.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, ftruncateSync, mkdtempSync, statSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let available: boolean | undefined;

/**
 * An executable file named bash in a folder of PATH (an empty entry is the current folder, as for
 * execvp): what spawn('bash') runs. Looking costs a few stat calls; starting `bash --version` cost
 * a one-file run about 3 ms of its cold start.
 */
function bashOnPath(): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir || '.', 'bash');
    try {
      accessSync(file, constants.X_OK);
      if (statSync(file).isFile()) return true;
    } catch {
      // not in this folder
    }
  }
  return false;
}

export function bashAvailable(): boolean {
  // Not found on PATH (or no PATH: spawn then has a default): asked by running it, as before.
  if (available === undefined) available = bashOnPath() || spawnSync('bash', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

const LIMIT_S = 10;

interface CheckServer {
  dir: string;
  /** The text to check, open for writing (truncated before each text). */
  script: number;
  request: number;
  answer: number;
}

let wanted = false;
let server: CheckServer | undefined | null;

/** Checks in this thread go through one long-lived `sh` (started at the first check). */
export function useCheckServer(): void {
  wanted = true;
}

const SERVER_SCRIPT = `dir=$1
exec 3<"$dir/request" 4>"$dir/answer"
if (ulimit -t ${LIMIT_S}) 2>/dev/null; then
  check() { (ulimit -t ${LIMIT_S}; exec bash -n <"$dir/script" >/dev/null 2>&1); }
elif command -v timeout >/dev/null 2>&1; then
  check() { timeout ${LIMIT_S} bash -n <"$dir/script" >/dev/null 2>&1; }
else
  check() { bash -n <"$dir/script" >/dev/null 2>&1; }
fi
while IFS= read -r line <&3; do
  check
  echo $? >&4
done
rm -rf "$dir"
`;

/** `/dev/shm` (a memory file system) when this process may write there, else the temporary folder. */
function memoryTmpdir(): string {
  try {
    if (statSync('/dev/shm').isDirectory()) {
      accessSync('/dev/shm', constants.W_OK | constants.X_OK);
      return '/dev/shm';
    }
  } catch {
    // no /dev/shm here
  }
  return tmpdir();
}

/** Opens a FIFO for writing once a reader has it open; throws when none comes within `ms`. */
function openFifoWriter(fifo: string, ms: number): number {
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; ; waited += 5) {
    try {
      return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (failure) {
      // ENXIO: no reader yet.
      if ((failure as NodeJS.ErrnoException).code !== 'ENXIO' || waited >= ms) throw failure;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

function startServer(): CheckServer | null {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(path.join(memoryTmpdir(), 'bridge-migrate-bash-n-'));
    const fifos = spawnSync('mkfifo', ['-m', '600', path.join(dir, 'request'), path.join(dir, 'answer')], { stdio: 'ignore' });
    if (fifos.status !== 0) throw new Error('mkfifo failed');
    const child = spawn('sh', ['-c', SERVER_SCRIPT, 'sh', dir], { stdio: 'ignore' });
    child.unref();
    child.on('error', () => undefined);
    // Opened in the order the server opens them. The request end is opened without blocking, and
    // retried for a while: a server that never started (no `sh`) must not hang the run here.
    const request = openFifoWriter(path.join(dir, 'request'), 3000);
    // The server is reading requests now; it opens its answer end next, so this open returns.
    const answer = openSync(path.join(dir, 'answer'), 'r');
    const script = openSync(path.join(dir, 'script'), 'w', 0o600);
    return { dir, script, request, answer };
  } catch {
    if (dir) rmSync(dir, { recursive: true, force: true });
    return null;
  }
}

/** The exit status of `bash -n` on the text through the server; undefined when the server failed. */
function serverStatus(text: string): number | undefined {
  if (server === undefined) server = startServer();
  if (!server) return undefined;
  try {
    ftruncateSync(server.script, 0);
    const bytes = Buffer.from(text);
    for (let written = 0; written < bytes.length; ) written += writeSync(server.script, bytes, written, bytes.length - written, written);
    writeSync(server.request, 'check\n');
    const buffer = Buffer.alloc(16);
    let reply = '';
    while (!reply.includes('\n')) {
      const count = readSync(server.answer, buffer, 0, buffer.length, null);
      if (count === 0) throw new Error('the bash -n server ended');
      reply += buffer.toString('latin1', 0, count);
    }
    return Number(reply.trim());
  } catch {
    try {
      closeSync(server.request);
      closeSync(server.answer);
      closeSync(server.script);
    } catch {
      // already closed
    }
    rmSync(server.dir, { recursive: true, force: true });
    server = null;
    return undefined;
  }
}

/** True when bash accepts the text (or bash is not installed). */
export function bashAccepts(text: string): boolean {
  if (!bashAvailable()) return true;
  if (wanted) {
    const status = serverStatus(text);
    if (status !== undefined) return status === 0;
  }
  const r = spawnSync('bash', ['-n'], { input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: LIMIT_S * 1000 });
  return r.status === 0;
}

/** Undefined when fine; otherwise why the output must not be written. `accepts`: bashAccepts, or a memo of it. */
export function bashSyntaxProblem(before: string, after: string, accepts: (text: string) => boolean = bashAccepts): string | undefined {
  if (accepts(after) || !accepts(before)) return undefined;
  return 'bash -n rejects the migrated text although it accepted the original; the file was left unchanged. This is a bridge-migrate bug: please report it with the script';
}
