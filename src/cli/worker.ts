/** Worker thread: migrates the files it is sent, one message per file. */
import { parentPort, workerData } from 'node:worker_threads';
import { initParser } from '../parse/parser.js';
import { processFile, type ProcessOptions } from '../files/process-file.js';
import { fromBytes } from '../files/fs-path.js';
import { useCheckServer } from '../files/bash-check.js';
import { slimOutcome } from './summary.js';

const options = workerData as ProcessOptions;
useCheckServer();
await initParser();
parentPort!.on('message', (msg: { index: number; path: string | Uint8Array } | null) => {
  if (msg === null) {
    process.exit(0);
  }
  // A path that is not UTF-8 travels as bytes (a Buffer arrives as a Uint8Array).
  const outcome = processFile(typeof msg.path === 'string' ? msg.path : fromBytes(msg.path), options);
  // Only what the main thread keeps crosses the thread boundary.
  parentPort!.postMessage({ index: msg.index, outcome: options.slim ? slimOutcome(outcome, options.slim.showNotes) : outcome });
});
parentPort!.postMessage({ ready: true });
