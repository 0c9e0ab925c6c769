/** Placeholder until the HTML review page lands. */
import type { FileOutcome } from '../files/process-file.js';

export function htmlReport(outcomes: FileOutcome[]): string {
  return `<!doctype html><title>bridge-migrate</title><p>${outcomes.length} files</p>`;
}
