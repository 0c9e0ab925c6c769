/**
 * GitHub Actions workflow annotations (`--format github`): one `::error` / `::warning` /
 * `::notice` command per finding, with the file relative to the repository root. Escaping as the
 * runner expects: in the message `%`, CR and LF; in properties also `:` and `,`.
 */
import type { FileOutcome } from '../files/process-file.js';
import type { Severity } from '../findings.js';
import { fileFindings } from '../cli/summary.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', note: 'notice' };

export function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function githubAnnotations(outcomes: FileOutcome[], options: { uriOf: (path: string) => string; verbose?: boolean }): string[] {
  const lines: string[] = [];
  for (const o of outcomes) {
    const file = escapeProperty(options.uriOf(o.path));
    for (const f of fileFindings(o)) {
      if (f.severity === 'note' && !options.verbose) continue;
      const where = f.line > 0 ? `file=${file},line=${f.line}` : `file=${file}`;
      lines.push(`::${COMMAND[f.severity]} ${where},title=${escapeProperty(`bridge-migrate ${f.severity}`)}::${escapeData(f.message)}`);
    }
  }
  return lines;
}
