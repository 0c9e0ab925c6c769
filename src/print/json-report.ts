/** The machine report (`--json`): schema documented in the README. */
import type { FileOutcome } from '../files/process-file.js';
import type { FileReport } from '../types.js';

export interface JsonReport {
  tool: 'bridge-migrate';
  schemaVersion: 1;
  files: FileReport[];
}

export function jsonReport(outcomes: FileOutcome[]): JsonReport {
  return { tool: 'bridge-migrate', schemaVersion: 1, files: outcomes.map((o) => ({ ...o.report, path: o.path })) };
}
