/** The machine report (`--json`, `--format json`): schema documented in the README. */
import type { FileOutcome } from '../files/process-file.js';
import type { FileReport, Severity, Verdict } from '../types.js';
import { countOutcomes, severityCounts } from '../cli/summary.js';

/** The settings a run used, as the report records them. */
export interface RunOptions {
  mode: 'dry-run' | 'write' | 'check';
  recipe: string;
  bridgeRoot: string;
  pinDefaults: boolean;
  failOn: Severity | null;
  /** Config files used (as given or found), how many files each applied to, and the settings each changed. */
  configs: Array<{ file: string; files: number; recipe?: string; bridgeRoot?: string; pinDefaults?: boolean }>;
  ignore: string[];
  context: number;
}

export interface JsonReport {
  tool: 'bridge-migrate';
  version?: string;
  schemaVersion: 2;
  options?: RunOptions;
  summary: {
    files: number;
    changed: number;
    unchanged: number;
    skipped: number;
    errors: number;
    launches: number;
    verdicts: Record<Verdict, number>;
    findings: Record<Severity, number>;
  };
  files: FileReport[];
}

export function jsonReport(outcomes: FileOutcome[], meta: { version?: string; options?: RunOptions } = {}): JsonReport {
  const c = countOutcomes(outcomes);
  const launches = c.verdicts.ready + c.verdicts.review + c.verdicts.blocked;
  return {
    tool: 'bridge-migrate',
    ...(meta.version ? { version: meta.version } : {}),
    schemaVersion: 2,
    ...(meta.options ? { options: meta.options } : {}),
    summary: { files: c.scanned, changed: c.changed, unchanged: c.unchanged, skipped: c.skipped, errors: c.errors, launches, verdicts: c.verdicts, findings: severityCounts(outcomes) },
    files: outcomes.map((o) => ({ ...o.report, path: o.path })),
  };
}
