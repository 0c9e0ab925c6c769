/**
 * Runs processFileLater over many files: in this thread for a handful, in this thread and worker
 * threads otherwise.
 * Results are delivered in input order (so output is stable) as soon as they are contiguous.
 * A stop (SIGINT/SIGTERM) dispatches no more files and lets the ones in flight finish, so every
 * file is either untouched or completely written; a kill (a second signal) also terminates the
 * workers and removes what their files in flight left (temporary files, half in-place writes).
 */
import type { Worker } from 'node:worker_threads';
import v8 from 'node:v8';
import { availableParallelism } from 'node:os';
import { compiledParser, initParser, initParserFrom, type CompiledParser } from '../parse/parser.js';
import { processFileLater, type FileOutcome, type ProcessOptions } from '../files/process-file.js';
import { cleanUpAfterKill } from '../files/atomic-write.js';
import type { FsPath } from '../files/fs-path.js';

export interface PoolOptions {
  /** Worker count; 0 or 1 means in this thread. Default: one per core when there are many files. */
  jobs?: number;
  onResult: (outcome: FileOutcome, index: number) => void;
  onProgress?: (done: number, total: number) => void;
  /** When aborted: no more files are started; the ones in flight finish. */
  stop?: AbortSignal;
  /** When aborted: the files in flight are stopped too (workers terminated, their leftovers removed). */
  kill?: AbortSignal;
}

export interface PoolResult {
  /** Files whose outcome was delivered. */
  processed: number;
  /** True when stopped before every file was processed. */
  interrupted: boolean;
}

/** What a worker thread is started with (src/cli/worker.ts). */
export interface WorkerInput {
  options: ProcessOptions;
  parser: CompiledParser;
}

export const INLINE_BELOW = 24;
/**
 * Files a thread holds at a time: one migrating while bash checks the one before (a thread that
 * waited for each check spent about a sixth of its time waiting).
 */
const FILES_PER_THREAD = 2;

const WORKER_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 96 };

/**
 * bin/bridge-migrate.js starts V8 with Liftoff only (the fastest start for one file); a run long
 * enough for worker threads gains from tiering up hot parser functions to TurboFan (about 12% of
 * the CPU on a large tree). Flags are process-wide and read when a worker compiles the grammar, so
 * this is set before the first worker starts. BRIDGE_MIGRATE_V8_FLAGS (set by the user) wins.
 */
function enableTiering(): void {
  if (process.env.BRIDGE_MIGRATE_V8_FLAGS !== undefined) return;
  for (const flag of ['--no-liftoff-only', '--wasm-tier-up', '--wasm-dynamic-tiering']) v8.setFlagsFromString(flag);
}

export async function runAll(files: FsPath[], options: ProcessOptions, pool: PoolOptions): Promise<PoolResult> {
  const jobs = pool.jobs ?? (files.length < INLINE_BELOW ? 1 : Math.min(availableParallelism(), 8));
  const pending = new Map<number, FileOutcome>();
  let next = 0;
  let done = 0;
  const deliver = (index: number, outcome: FileOutcome) => {
    pending.set(index, outcome);
    done++;
    pool.onProgress?.(done, files.length);
    while (pending.has(next)) {
      const o = pending.get(next)!;
      pending.delete(next);
      pool.onResult(o, next);
      next++;
    }
  };
  const stopped = () => pool.stop?.aborted === true || pool.kill?.aborted === true;
  if (jobs <= 1 || files.length <= 1) {
    let i = 0;
    await migrateHere(() => (i < files.length && !stopped() ? i++ : undefined), files, options, deliver);
    return { processed: next, interrupted: next < files.length };
  }
  enableTiering();
  // Loaded here, not at start-up: a run of a few files never starts a worker.
  const { Worker } = await import('node:worker_threads');
  const workerUrl = new URL('./worker.js', import.meta.url);
  // Compiled once here, shared by every thread (see CompiledParser).
  const parser = compiledParser();
  let cursor = 0;
  const inFlight = new Set<number>();
  const workers = new Set<Worker>();
  // This thread migrates files too (from the same queue): one worker fewer to start, compile and
  // warm up (with one worker instead of two, 0.84 of the CPU on the collection; peak memory did not
  // fall: this thread's heap has no limits set).
  const take = () => (cursor < files.length && !stopped() ? cursor++ : undefined);
  await new Promise<void>((resolve, reject) => {
    const here = migrateHere(take, files, options, deliver, parser);
    let alive = 0;
    let killed = false;
    const onKill = () => {
      killed = true;
      for (const w of workers) void w.terminate();
    };
    pool.kill?.addEventListener('abort', onKill, { once: true });
    // Files of crashed workers, migrated in this thread (whose parser may still have to load).
    const inline: Promise<void>[] = [];
    const finish = () => {
      void Promise.all([...inline, here]).then(() => {
        pool.kill?.removeEventListener('abort', onKill);
        if (killed) for (const index of inFlight) cleanUpAfterKill(files[index]);
        if (done === files.length || stopped()) resolve();
        else reject(new Error(`workers stopped with ${files.length - done} files unprocessed`));
      }, reject);
    };
    const start = () => {
      // A small young generation (8 MB instead of V8's default, which grows to 32-64 MB per
      // thread): each file's garbage dies young, so this costs no time and keeps peak memory
      // about 40 MB lower with two workers. The old generation is capped too, or V8 lets each
      // worker's heap grow with the number of files it has seen (about 40 MB more at 10,000
      // files). A file that needs more ends its worker (ERR_WORKER_OUT_OF_MEMORY): the 'error'
      // handler below migrates that file here, without the cap, and starts a new worker.
      const w = new Worker(workerUrl, { workerData: { options, parser } satisfies WorkerInput, resourceLimits: WORKER_LIMITS });
      workers.add(w);
      alive++;
      // The files this worker holds (FILES_PER_THREAD at most).
      const held = new Set<number>();
      let closed = false;
      const feed = () => {
        const index = take();
        if (index !== undefined) {
          held.add(index);
          inFlight.add(index);
          w.postMessage({ index, path: files[index] });
        } else if (held.size === 0 && !closed) {
          closed = true;
          w.postMessage(null);
        }
      };
      w.on('message', (msg: { ready?: boolean; index?: number; outcome?: FileOutcome }) => {
        if (msg.ready) {
          for (let i = 0; i < FILES_PER_THREAD; i++) feed();
          return;
        }
        held.delete(msg.index!);
        inFlight.delete(msg.index!);
        deliver(msg.index!, msg.outcome!);
        feed();
      });
      w.on('error', (err) => {
        // A crashed worker must not lose a file: finish the files it held here, in this thread.
        if (!killed) {
          for (const index of held) {
            inFlight.delete(index);
            inline.push(initParserFrom(parser).then(() => processFileLater(files[index], options)).then((outcome) => deliver(index, outcome)));
          }
        }
        held.clear();
        if (cursor >= files.length || stopped()) return;
        start();
        void err;
      });
      w.on('exit', () => {
        workers.delete(w);
        alive--;
        if (alive === 0) finish();
      });
    };
    for (let i = 0; i < Math.min(jobs - 1, files.length - 1); i++) start();
  });
  return { processed: next, interrupted: next < files.length };
}

/**
 * Files migrated in this thread, the next index from `take` until it has none: each is migrated at
 * once and delivered when its bash -n check has answered, while the next one migrates.
 */
async function migrateHere(take: () => number | undefined, files: FsPath[], options: ProcessOptions, deliver: (index: number, outcome: FileOutcome) => void, parser?: CompiledParser): Promise<void> {
  await (parser ? initParserFrom(parser) : initParser());
  const unfinished: Promise<void>[] = [];
  for (let index = take(); index !== undefined; index = take()) {
    const file = index;
    unfinished.push(processFileLater(files[file], options).then((outcome) => deliver(file, outcome)));
    if (unfinished.length >= FILES_PER_THREAD) await unfinished.shift();
    // Let a signal handler and the workers' messages run between files.
    else await new Promise((resolve) => setImmediate(resolve));
  }
  await Promise.all(unfinished);
}
