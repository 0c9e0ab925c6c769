/** The closing summary line and per-file notes printed to stderr. */
import type { FileOutcome } from '../files/process-file.js';

export interface Counts {
  scanned: number;
  changed: number;
  unchanged: number;
  skipped: number;
  attention: number;
  errors: number;
}

export function needsAttention(o: FileOutcome): boolean {
  if (o.report.messages.some((m) => m.severity === 'warning')) return true;
  return o.report.launches.some((l) => !l.migrated || l.warnings.length > 0 || l.unmapped.some((u) => u.kind === 'unmapped' || u.kind === 'error'));
}

export function countOutcomes(outcomes: FileOutcome[]): Counts {
  const c: Counts = { scanned: outcomes.length, changed: 0, unchanged: 0, skipped: 0, attention: 0, errors: 0 };
  for (const o of outcomes) {
    if (o.report.status === 'changed') c.changed++;
    else if (o.report.status === 'unchanged') c.unchanged++;
    else if (o.report.status === 'skipped') c.skipped++;
    else c.errors++;
    if (o.report.status !== 'error' && needsAttention(o)) c.attention++;
  }
  return c;
}

export function summaryLine(c: Counts, seconds: number, write: boolean): string {
  const verb = write ? 'migrated' : 'would change';
  return `bridge-migrate: ${c.scanned} file${c.scanned === 1 ? '' : 's'} scanned, ${c.changed} ${verb}, ${c.unchanged} unchanged, ${c.skipped} without a launch, ${c.attention} need attention, ${c.errors} error${c.errors === 1 ? '' : 's'} (${seconds.toFixed(2)}s)`;
}

/** Lines a reviewer must read: errors, unmapped flags, warnings, per file. */
export function attentionLines(o: FileOutcome): string[] {
  const out: string[] = [];
  if (o.report.error) out.push(`${o.path}: error: ${o.report.error}`);
  for (const m of o.report.messages) if (m.severity === 'warning') out.push(`${o.path}:${m.line}: warning: ${m.message}`);
  for (const l of o.report.launches) {
    for (const u of l.unmapped) if (u.kind === 'unmapped' || u.kind === 'error') out.push(`${o.path}:${u.line}: ${u.kind === 'error' ? 'not converted' : 'removed'}: ${u.text}: ${u.reason}`);
    for (const w of l.warnings) out.push(`${o.path}:${w.line}: warning: ${w.message}`);
  }
  return out;
}
