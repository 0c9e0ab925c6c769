/**
 * One file through the core: read, decode, migrate, verify, (write). Every failure becomes a
 * per-file error report with a message for people; nothing here throws for bad input.
 */
import { readFileSync, statSync } from 'node:fs';
import { migrate } from '../migrate.js';
import type { FileReport, MigrateOptions, MigrateResult } from '../types.js';
import { decodeScript, encodeScript, onDiskText, DecodeError } from './text-codec.js';
import { atomicWrite } from './atomic-write.js';
import { bashSyntaxProblem } from './bash-check.js';
import { unifiedDiff } from '../print/diff.js';
import { repoRelativePath } from './repo-path.js';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export interface FileOutcome {
  path: string;
  report: FileReport;
  /** The file's text before and after, as on disk (with its CRLF line ends and byte-order mark). */
  before?: string;
  after?: string;
  /** The unified diff, when asked for (made here so that worker threads share the work). */
  diff?: string;
  written: boolean;
  /** With `verification`: the Bridge verifier's input for each migrated launch. */
  verification?: MigrateResult['verification'];
}

export interface ProcessOptions extends MigrateOptions {
  write?: boolean;
  /** Make the unified diff of a changed file. */
  diff?: boolean;
  /** Keep before/after texts in the outcome (default true; the HTML report needs them). */
  keepText?: boolean;
  maxBytes?: number;
  /** Lines of context in the diff (default 3). */
  context?: number;
}

function errorReport(path: string, message: string): FileReport {
  return { path, status: 'error', launches: [], messages: [{ line: 0, message, severity: 'error' }], error: message };
}

export function processFile(path: string, options: ProcessOptions): FileOutcome {
  let bytes: Buffer;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return { path, report: errorReport(path, 'is a directory; pass it without a file name to migrate the scripts inside'), written: false };
    // A FIFO, socket or device would block readFileSync (a FIFO with no writer waits forever).
    if (!st.isFile()) return { path, report: errorReport(path, 'not a regular file (a FIFO, socket or device); pass only script files or directories'), written: false };
    const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
    if (st.size > max) return { path, report: errorReport(path, `file is ${st.size} bytes, over the ${max}-byte limit; raise it with --max-bytes if this really is a launch script`), written: false };
    bytes = readFileSync(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied (cannot read)' : err.code === 'ELOOP' ? 'too many levels of symbolic links' : err.message;
    return { path, report: errorReport(path, why), written: false };
  }
  let decoded;
  try {
    decoded = decodeScript(bytes);
  } catch (e) {
    if (e instanceof DecodeError) return { path, report: errorReport(path, e.message), written: false };
    throw e;
  }
  let result;
  try {
    result = migrate(decoded.text, { ...options, path });
  } catch (e) {
    return { path, report: errorReport(path, `internal error while migrating (please report it with the script): ${(e as Error).message}`), written: false };
  }
  // before/after are the file's text as on disk (CRLF, byte-order mark), so that the printed diff
  // applies to the file with `git apply` / `patch`.
  const outcome: FileOutcome = { path, report: result.report, before: onDiskText(decoded.text, decoded), after: onDiskText(result.output, decoded), written: false, verification: result.verification };
  if (options.diff && result.report.status === 'changed') outcome.diff = unifiedDiff(repoRelativePath(path), outcome.before!, outcome.after!, { context: options.context });
  if (options.keepText === false) {
    outcome.before = undefined;
    outcome.after = undefined;
  }
  if (options.write && result.report.status === 'changed') {
    const problem = bashSyntaxProblem(decoded.text, result.output);
    if (problem) {
      outcome.report = { ...result.report, status: 'error', error: problem, messages: [...result.report.messages, { line: 0, message: problem, severity: 'error' }] };
      return outcome;
    }
    try {
      atomicWrite(path, encodeScript(result.output, decoded));
      outcome.written = true;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied (cannot write the file or its directory); nothing was changed' : `could not write: ${err.message}; the file was left as it was`;
      outcome.report = { ...result.report, status: 'error', error: why, messages: [...result.report.messages, { line: 0, message: why, severity: 'error' }] };
    }
  }
  return outcome;
}
