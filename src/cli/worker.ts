/**
 * Worker thread: migrates the files it is sent and answers one message per file, in the order
 * sent. The pool keeps two files here at a time, so this thread migrates the second while bash
 * checks the first (processFileLater).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initParserFrom } from '../parse/parser.js';
import { processFileLater } from '../files/process-file.js';
import { fromBytes } from '../files/fs-path.js';
import { slimOutcome } from './summary.js';
import type { WorkerInput } from './pool.js';

const { options, parser } = workerData as WorkerInput;
await initParserFrom(parser);
let unfinished = 0;
let closing = false;
parentPort!.on('message', (msg: { index: number; path: string | Uint8Array } | null) => {
  if (msg === null) {
    closing = true;
    if (unfinished === 0) process.exit(0);
    return;
  }
  unfinished++;
  // A path that is not UTF-8 travels as bytes (a Buffer arrives as a Uint8Array).
  void processFileLater(typeof msg.path === 'string' ? msg.path : fromBytes(msg.path), options).then((outcome) => {
    // Only what the main thread keeps crosses the thread boundary.
    parentPort!.postMessage({ index: msg.index, outcome: options.slim ? slimOutcome(outcome, options.slim.showNotes) : outcome });
    unfinished--;
    if (closing && unfinished === 0) process.exit(0);
  });
});
parentPort!.postMessage({ ready: true });
