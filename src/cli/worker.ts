/** Worker thread: migrates the files it is sent, one message per file. */
import { parentPort, workerData } from 'node:worker_threads';
import { initParser } from '../parse/parser.js';
import { processFile, type ProcessOptions } from '../files/process-file.js';

const options = workerData as ProcessOptions;
await initParser();
parentPort!.on('message', (msg: { index: number; path: string } | null) => {
  if (msg === null) {
    process.exit(0);
  }
  const outcome = processFile(msg.path, options);
  parentPort!.postMessage({ index: msg.index, outcome });
});
parentPort!.postMessage({ ready: true });
