/**
 * Runs processFile over many files: in this thread for a handful, on worker threads otherwise.
 * Results are delivered in input order (so output is stable) as soon as they are contiguous.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { initParser } from '../parse/parser.js';
import { processFile, type FileOutcome, type ProcessOptions } from '../files/process-file.js';

export interface PoolOptions {
  /** Worker count; 0 or 1 means in this thread. Default: one per core when there are many files. */
  jobs?: number;
  onResult: (outcome: FileOutcome, index: number) => void;
  onProgress?: (done: number, total: number) => void;
}

export const INLINE_BELOW = 24;

export async function runAll(files: string[], options: ProcessOptions, pool: PoolOptions): Promise<void> {
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
  if (jobs <= 1 || files.length <= 1) {
    await initParser();
    files.forEach((f, i) => deliver(i, processFile(f, options)));
    return;
  }
  const workerUrl = new URL('./worker.js', import.meta.url);
  let cursor = 0;
  await new Promise<void>((resolve, reject) => {
    let alive = 0;
    const start = () => {
      const w = new Worker(workerUrl, { workerData: options });
      alive++;
      let current = -1;
      const feed = () => {
        if (cursor < files.length) {
          current = cursor++;
          w.postMessage({ index: current, path: files[current] });
        } else {
          current = -1;
          w.postMessage(null);
        }
      };
      w.on('message', (msg: { ready?: boolean; index?: number; outcome?: FileOutcome }) => {
        if (msg.ready) return feed();
        deliver(msg.index!, msg.outcome!);
        feed();
      });
      w.on('error', (err) => {
        // A crashed worker must not lose a file: finish its current file here, in this thread.
        if (current >= 0) deliver(current, processFile(files[current], options));
        current = -1;
        if (cursor >= files.length) return;
        start();
        void err;
      });
      w.on('exit', () => {
        alive--;
        if (alive === 0) {
          if (done === files.length) resolve();
          else reject(new Error(`workers stopped with ${files.length - done} files unprocessed`));
        }
      });
    };
    for (let i = 0; i < Math.min(jobs, files.length); i++) start();
  });
}
