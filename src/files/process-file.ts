/**
 * One file through the core: read, decode, migrate, verify, (write). Every failure becomes a
 * per-file error report with a message for people; nothing here throws for bad input.
 */
import { isUtf8 } from 'node:buffer';
import { migrate } from '../migrate.js';
import type { FileReport, MigrateOptions, MigrateResult } from '../types.js';
import { decodeScript, encodeScript, onDiskText, DecodeError } from './text-codec.js';
import { replaceFile, ChangedOnDisk, WriteRefused, type Original } from './atomic-write.js';
import { bashAccepts, bashAcceptsLater, bashAvailable, bashSyntaxProblem } from './bash-check.js';
import { readRegularFile, NotReadableError } from './read-regular.js';
import { displayPath, toBytes, type FsPath } from './fs-path.js';
import { unifiedDiff } from '../print/diff.js';
import { repoRelativePath } from './repo-path.js';
import { DEFAULT_TIME_LIMIT_MS, LimitError, withTimeLimit, stackMessage } from '../parse/limits.js';

export const DEFAULT_MAX_BYTES = 5 * 1024 * 1024;

export interface FileOutcome {
  /** The path for people and reports (bytes that are not UTF-8 written as `\xNN`). */
  path: string;
  /** The path's bytes, only when they are not UTF-8 (then `path` cannot hold them). */
  rawPath?: Uint8Array;
  report: FileReport;
  /** The file's text before and after, as on disk (with its CRLF line ends and byte-order mark). */
  before?: string;
  after?: string;
  /** The unified diff, when asked for (made here so that worker threads share the work). */
  diff?: string;
  written: boolean;
  /** With `verification`: the Bridge verifier's input for each migrated launch. */
  verification?: MigrateResult['verification'];
  /** Set by the CLI when the findings lines were stored aside (src/cli/findings-spill.ts). */
  spilled?: { offset: number; length: number; attention: boolean; worst?: 'error' | 'warning' | 'note' };
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
  /** With write: also replace write-protected files and files whose owner cannot be restored. */
  force?: boolean;
  /** Only findings and status are needed of each outcome (see slimOutcome in src/cli/summary.ts); with the notes when showNotes. */
  slim?: { showNotes: boolean };
  /** Per-file time budget for the analysis, in milliseconds (default 30 s). */
  timeLimitMs?: number;
}

function errorReport(path: string, message: string): FileReport {
  return { path, status: 'error', launches: [], messages: [{ line: 0, message, severity: 'error' }], error: message };
}

/** Runs the core under the per-file limits; a limit reached is an error report, not an exception. */
export function migrateWithinLimits(text: string, options: MigrateOptions, timeLimitMs = DEFAULT_TIME_LIMIT_MS): MigrateResult | { limit: string } {
  try {
    return withTimeLimit(timeLimitMs, () => migrate(text, options));
  } catch (e) {
    if (e instanceof LimitError) return { limit: e.message };
    // A call stack too small for the script's nesting (in a part that recurses).
    if (e instanceof RangeError && /call stack/i.test(e.message)) return { limit: stackMessage() };
    throw e;
  }
}

/** A file read, decoded and migrated, before the `bash -n` guard and the diff or write. */
interface MigratedFile {
  fsPath: FsPath;
  path: string;
  rawPath?: Uint8Array;
  original: Original;
  decoded: ReturnType<typeof decodeScript>;
  result: MigrateResult;
}

/** The core on the decoded text, under the limits; a failure is the file's outcome. */
function migrateDecoded(file: Omit<MigratedFile, 'result'>, options: ProcessOptions, syntaxAccepted: (text: string) => boolean): MigratedFile | FileOutcome {
  const failed = (message: string): FileOutcome => ({ path: file.path, rawPath: file.rawPath, report: errorReport(file.path, message), written: false });
  try {
    const r = migrateWithinLimits(file.decoded.text, { ...options, path: file.path, syntaxAccepted }, options.timeLimitMs);
    if ('limit' in r) return failed(r.limit);
    return { ...file, result: r };
  } catch (e) {
    return failed(`internal error while migrating (please report it with the script): ${(e as Error).message}`);
  }
}

/** Reads, decodes and migrates one file; an unreadable or undecodable file is its outcome already. */
function readAndMigrate(fsPath: FsPath, options: ProcessOptions, syntaxAccepted: (text: string) => boolean): MigratedFile | FileOutcome {
  const path = displayPath(fsPath);
  const rawPath = typeof fsPath === 'string' ? undefined : toBytes(fsPath);
  const failed = (message: string): FileOutcome => ({ path, rawPath, report: errorReport(path, message), written: false });
  let original: Original;
  const max = options.maxBytes ?? DEFAULT_MAX_BYTES;
  try {
    // Only a regular file is read (a FIFO, socket or device would block or never end).
    original = readRegularFile(fsPath, max, '; raise it with --max-bytes if this really is a launch script');
  } catch (e) {
    if (!(e instanceof NotReadableError)) throw e;
    if (e.code === 'EISDIR') return failed('is a directory; pass it without a file name to migrate the scripts inside');
    if (e.code === 'ENOTREG') return failed('not a regular file (a FIFO, socket or device); pass only script files or directories');
    return failed(e.message);
  }
  let decoded;
  try {
    decoded = decodeScript(original.bytes);
  } catch (e) {
    if (e instanceof DecodeError) return failed(e.message);
    throw e;
  }
  return migrateDecoded({ fsPath, path, rawPath, original, decoded }, options, syntaxAccepted);
}

/** bash -n's verdict on each text of a file, asked once (the core and the guard both ask of the output). */
function verdictMemo(...known: Array<[string, boolean]>): (text: string) => boolean {
  const verdicts = new Map<string, boolean>(known);
  return (text) => {
    let accepted = verdicts.get(text);
    if (accepted === undefined) verdicts.set(text, (accepted = bashAccepts(text)));
    return accepted;
  };
}

/** One file, start to end, in this thread: every `bash -n` check is a process the thread waits for. */
export function processFile(fsPath: FsPath, options: ProcessOptions): FileOutcome {
  const accepts = verdictMemo();
  // Where bash accepts the migrated text, the core's own re-parse of it is not needed.
  const migrated = readAndMigrate(fsPath, options, (text) => bashAvailable() && accepts(text));
  return 'report' in migrated ? migrated : finishFile(migrated, options, accepts);
}

/**
 * The same outcome as processFile, but the migrated text's `bash -n` check runs while the caller
 * goes on (the next file's migration): the core is told that bash will check it, so it skips its
 * own re-parse; where bash then rejects the text (an original bash rejects too, or a
 * bridge-migrate bug), the file is migrated again as processFile does it, with the re-parse, and
 * the original is checked too.
 */
export async function processFileLater(fsPath: FsPath, options: ProcessOptions): Promise<FileOutcome> {
  const migrated = readAndMigrate(fsPath, options, () => bashAvailable());
  if ('report' in migrated) return migrated;
  if (migrated.result.report.status !== 'changed') return finishFile(migrated, options, () => true);
  const output = migrated.result.output;
  if (await bashAcceptsLater(output)) return finishFile(migrated, options, () => true);
  // The guard's other question, asked the same way (a process spawned from a worker forks it whole).
  const original = migrated.decoded.text;
  const originalAccepted = await bashAcceptsLater(original);
  const accepts = verdictMemo([output, false], [original, originalAccepted]);
  const again = migrateDecoded(migrated, options, () => false);
  return 'report' in again ? again : finishFile(again, options, accepts);
}

/** The `bash -n` guard, then the diff and the write. `accepts`: bash -n's verdict on a text. */
function finishFile(migrated: MigratedFile, options: ProcessOptions, accepts: (text: string) => boolean): FileOutcome {
  const { fsPath, path, rawPath, original, decoded, result } = migrated;
  // before/after are the file's text as on disk (CRLF, byte-order mark), so that the printed diff
  // applies to the file with `git apply` / `patch`.
  const outcome: FileOutcome = { path, rawPath, report: result.report, before: onDiskText(decoded.text, decoded), after: onDiskText(result.output, decoded), written: false, verification: result.verification };
  if (result.report.status === 'changed') {
    // The same guard for the dry-run patch, --check and --write: what bash rejects is not offered.
    const problem = bashSyntaxProblem(decoded.text, result.output, accepts);
    if (problem) {
      outcome.report = { ...result.report, status: 'error', error: problem, messages: [...result.report.messages, { line: 0, message: problem, severity: 'error' }] };
      outcome.after = outcome.before;
      if (options.keepText === false) outcome.before = outcome.after = undefined;
      return outcome;
    }
  }
  if (options.diff && result.report.status === 'changed') {
    // The edits are offsets into the decoded text: they hold for the text on disk only without a
    // byte-order mark or CRLF line ends (the diff is then searched for).
    const edits = decoded.bom || decoded.crlf ? undefined : result.edits;
    outcome.diff = unifiedDiff(rawPath && !isUtf8(rawPath) ? rawPath : repoRelativePath(path), outcome.before!, outcome.after!, { context: options.context, edits });
  }
  if (options.keepText === false) {
    outcome.before = undefined;
    outcome.after = undefined;
  }
  if (options.write && result.report.status === 'changed') {
    try {
      replaceFile(fsPath, encodeScript(result.output, decoded), original, { force: options.force });
      outcome.written = true;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      const why =
        e instanceof ChangedOnDisk || e instanceof WriteRefused ? err.message
        : err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied (cannot write the file or its directory); nothing was changed'
        : `could not write: ${err.message}; the file was left as it was`;
      outcome.report = { ...result.report, status: 'error', error: why, messages: [...result.report.messages, { line: 0, message: why, severity: 'error' }] };
    }
  }
  return outcome;
}
