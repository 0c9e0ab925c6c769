/** The machine report (`--json`): schema documented in the README. */
import type { FileOutcome } from '../files/process-file.js';
import type { FileReport, Verdict } from '../types.js';
import { countOutcomes } from '../cli/summary.js';

export interface JsonReport {
  tool: 'bridge-migrate';
  schemaVersion: 2;
  summary: {
    files: number;
    changed: number;
    unchanged: number;
    skipped: number;
    errors: number;
    launches: number;
    verdicts: Record<Verdict, number>;
  };
  files: FileReport[];
}

export function jsonReport(outcomes: FileOutcome[]): JsonReport {
  const c = countOutcomes(outcomes);
  const launches = c.verdicts.ready + c.verdicts.review + c.verdicts.blocked;
  return {
    tool: 'bridge-migrate',
    schemaVersion: 2,
    summary: { files: c.scanned, changed: c.changed, unchanged: c.unchanged, skipped: c.skipped, errors: c.errors, launches, verdicts: c.verdicts },
    files: outcomes.map((o) => ({ ...o.report, path: o.path })),
  };
}
