/** Library entry: the pure core and its types. */
export { migrate, initParser, DEFAULT_BRIDGE_ROOT, DEFAULT_RECIPE } from './migrate.js';
export { unifiedDiff } from './print/diff.js';
export type { MigrateOptions, MigrateResult, FileReport, LaunchReport, OverrideReport, RemovedFlag, FileStatus, Finding, Severity, Verdict } from './types.js';
