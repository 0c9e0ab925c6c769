/**
 * `bash -n` (syntax check only: nothing in the script runs) as a second opinion on every changed
 * file (the dry-run patch, --check, --write and the stdin filter): a result bash rejects is refused
 * when bash accepted the input. Skipped when bash is missing (the CLI says so).
 *
 * A run over many files asks `bashAcceptsLater()`: one small long-lived `sh` per thread runs
 * `bash -n` for it, and the thread migrates its next file while bash checks the last one (the
 * checks were about a sixth of a worker's time spent waiting). The text goes into a temporary
 * file (one per check in flight, kept open and rewritten, in memory under `/dev/shm` where the
 * system has it: on a disk file system rewriting a file for each check cost more than the check),
 * its name down the server's stdin, the exit status back up its stdout. Same
 * `bash` (from PATH), same input on stdin, a 10 s limit; a server that cannot start or dies
 * leaves its checks to one `bash -n` process each. One file (the stdin filter, API callers)
 * asks `bashAccepts()`, one process, synchronously.
 *
 * The limit is `ulimit -t` (CPU seconds) in the subshell that becomes `bash -n`, where the shell has
 * it: `bash -n` reads a regular file and runs nothing, so it cannot wait without using CPU, and a
 * `timeout` process in between was two more processes per check (about 45% of a check's CPU).
 * Without `ulimit -t`, `timeout` as before.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { accessSync, closeSync, constants, ftruncateSync, mkdtempSync, statSync, openSync, rmSync, writeSync } from 'node:fs';
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

const SERVER_SCRIPT = `dir=$1
if (ulimit -t ${LIMIT_S}) 2>/dev/null; then
  check() { (ulimit -t ${LIMIT_S}; exec bash -n <"$1" >/dev/null 2>&1); }
elif command -v timeout >/dev/null 2>&1; then
  check() { timeout ${LIMIT_S} bash -n <"$1" >/dev/null 2>&1; }
else
  check() { bash -n <"$1" >/dev/null 2>&1; }
fi
while IFS= read -r slot; do
  check "$dir/$slot"
  echo $?
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

interface Check {
  slot: number;
  settle: (status: number | undefined) => void;
}

/** One `sh` that checks the texts written into its folder's slot files, in the order asked. */
class CheckServer {
  private readonly child: ChildProcess;
  /** Open slot files; a slot is free when not in `waiting`. */
  private readonly slots: number[] = [];
  private readonly free: number[] = [];
  private readonly waiting: Check[] = [];
  private answers = '';
  failed = false;

  constructor(private readonly dir: string) {
    this.child = spawn('sh', ['-c', SERVER_SCRIPT, 'sh', dir], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.child.on('error', () => this.fail());
    this.child.on('exit', () => this.fail());
    this.child.stdin!.on('error', () => this.fail());
    this.child.stdout!.setEncoding('latin1');
    this.child.stdout!.on('data', (chunk: string) => this.read(chunk));
    this.idle();
  }

  /** The exit status of `bash -n` on the text; undefined when the server could not answer. */
  status(text: string): Promise<number | undefined> {
    if (this.failed) return Promise.resolve(undefined);
    let slot = this.free.pop();
    try {
      if (slot === undefined) {
        slot = this.slots.length;
        this.slots.push(openSync(path.join(this.dir, String(slot)), 'w', 0o600));
      }
      const fd = this.slots[slot];
      ftruncateSync(fd, 0);
      const bytes = Buffer.from(text);
      for (let written = 0; written < bytes.length; ) written += writeSync(fd, bytes, written, bytes.length - written, written);
    } catch {
      if (slot !== undefined && slot < this.slots.length) this.free.push(slot);
      this.fail();
      return Promise.resolve(undefined);
    }
    const asked = slot;
    return new Promise((settle) => {
      if (this.waiting.length === 0) this.busy();
      this.waiting.push({ slot: asked, settle });
      this.child.stdin!.write(`${asked}\n`);
    });
  }

  private read(chunk: string): void {
    this.answers += chunk;
    for (let end = this.answers.indexOf('\n'); end !== -1; end = this.answers.indexOf('\n')) {
      const line = this.answers.slice(0, end);
      this.answers = this.answers.slice(end + 1);
      const check = this.waiting.shift();
      if (!check) continue;
      this.free.push(check.slot);
      check.settle(Number(line));
    }
    if (this.waiting.length === 0) this.idle();
  }

  /** Checks in flight keep the process alive; an idle server does not. */
  private busy(): void {
    this.child.ref();
    (this.child.stdout as Socket).ref();
  }

  private idle(): void {
    this.child.unref();
    (this.child.stdout as Socket).unref();
    (this.child.stdin as unknown as Socket).unref();
  }

  private fail(): void {
    if (this.failed) return;
    this.failed = true;
    for (const check of this.waiting.splice(0)) check.settle(undefined);
    for (const fd of this.slots) {
      try {
        closeSync(fd);
      } catch {
        // already closed
      }
    }
    this.child.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

let server: CheckServer | undefined | null;

function startServer(): CheckServer | null {
  try {
    return new CheckServer(mkdtempSync(path.join(memoryTmpdir(), 'bridge-migrate-bash-n-')));
  } catch {
    return null;
  }
}

/** One `bash -n` process on the text: true when it exits 0 (a check stopped at the limit is false). */
function bashProcessAccepts(text: string): Promise<boolean> {
  return new Promise((settle) => {
    const child = spawn('bash', ['-n'], { stdio: ['pipe', 'ignore', 'ignore'], timeout: LIMIT_S * 1000 });
    child.on('error', () => settle(false));
    child.on('close', (status) => settle(status === 0));
    child.stdin.on('error', () => undefined);
    child.stdin.end(text);
  });
}

/** True when bash accepts the text (or bash is not installed), through this thread's check server. */
export async function bashAcceptsLater(text: string): Promise<boolean> {
  if (!bashAvailable()) return true;
  if (server === undefined) server = startServer();
  else if (server?.failed) server = null;
  const status = server ? await server.status(text) : undefined;
  if (status !== undefined) return status === 0;
  return bashProcessAccepts(text);
}

/** True when bash accepts the text (or bash is not installed). */
export function bashAccepts(text: string): boolean {
  if (!bashAvailable()) return true;
  const r = spawnSync('bash', ['-n'], { input: text, stdio: ['pipe', 'ignore', 'ignore'], timeout: LIMIT_S * 1000 });
  return r.status === 0;
}

/** Undefined when fine; otherwise why the output must not be written. `accepts`: bashAccepts, or a memo of it. */
export function bashSyntaxProblem(before: string, after: string, accepts: (text: string) => boolean = bashAccepts): string | undefined {
  if (accepts(after) || !accepts(before)) return undefined;
  return 'bash -n rejects the migrated text although it accepted the original; the file was left unchanged. This is a bridge-migrate bug: please report it with the script';
}
