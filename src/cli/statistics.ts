/**
 * `--statistics`: what happened to each flag across the run, one line per flag and outcome with
 * the number of occurrences, the number of files and the reason; other findings grouped by what
 * they say. Sized for a screen: the most severe and most frequent lines first, the rest counted
 * in a closing line. Notes only with --verbose. Pure: outcomes in, lines out.
 */
import type { FileOutcome } from '../files/process-file.js';
import type { RemovedFlag } from '../types.js';
import { SEVERITY_RANK, type Finding, type Severity } from '../findings.js';
import { countOutcomes } from './summary.js';

export const OUTCOME_LABEL: Record<RemovedFlag['kind'], string> = { unmapped: 'removed', error: 'value lost', folded: 'folded', launcher: 'launcher' };

interface Row {
  count: number;
  files: Set<string>;
  severity: Severity;
  subject: string;
  outcome: string;
  reason: string;
}

export interface StatisticsOptions {
  verbose?: boolean;
  /** Most lines of the table (default 40). */
  maxRows?: number;
  /** Line width to trim to (default 120). */
  width?: number;
}

/** A finding's message with the parts that vary between scripts replaced, to group like findings. */
export function findingShape(message: string): string {
  return message
    .replace(/`[^`]*`/g, '`…`')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, '$VAR')
    .replace(/\(line \d+\)/g, '(line N)')
    .replace(/\b\d+(\.\d+)?\b/g, 'N');
}

/** A launch finding that only repeats one of its removed flags (the removed list says it with more detail). */
export function isRemovalFinding(f: Finding, removed: RemovedFlag[]): boolean {
  return removed.some((r) => r.line === f.line && r.severity === f.severity && f.message.includes(r.reason));
}

export function statisticsLines(outcomes: FileOutcome[], options: StatisticsOptions = {}): string[] {
  const shown = (s: Severity) => s !== 'note' || options.verbose === true;
  const rows = new Map<string, Row>();
  const add = (key: string, make: () => Omit<Row, 'count' | 'files'>, file: string) => {
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { ...make(), count: 0, files: new Set() }));
    row.count++;
    row.files.add(file);
  };
  for (const o of outcomes) {
    for (const l of o.report.launches) {
      for (const r of l.removed) {
        if (!shown(r.severity)) continue;
        const reason = findingShape(r.reason);
        add(`flag\0${r.flag}\0${r.kind}\0${r.severity}\0${reason}`, () => ({ severity: r.severity, subject: r.flag, outcome: `${OUTCOME_LABEL[r.kind]} (${r.severity})`, reason }), o.path);
      }
      for (const f of l.findings) {
        if (!shown(f.severity) || isRemovalFinding(f, l.removed)) continue;
        const shape = findingShape(f.message);
        add(`msg\0${f.severity}\0${shape}`, () => ({ severity: f.severity, subject: '', outcome: f.severity, reason: shape }), o.path);
      }
    }
    for (const f of o.report.messages) {
      if (!shown(f.severity)) continue;
      const shape = findingShape(f.message);
      add(`msg\0${f.severity}\0${shape}`, () => ({ severity: f.severity, subject: '', outcome: f.severity, reason: shape }), o.path);
    }
  }
  const c = countOutcomes(outcomes);
  const launches = c.verdicts.ready + c.verdicts.review + c.verdicts.blocked;
  const head = `${c.scanned} file${c.scanned === 1 ? '' : 's'}, ${launches} launch${launches === 1 ? '' : 'es'}: ${c.verdicts.blocked} blocked, ${c.verdicts.review} review, ${c.verdicts.ready} ready; ${c.changed} would change, ${c.errors} could not be processed`;
  // Errors first, but at most half the screen for them; then the most frequent of the rest.
  const bySeverityThenCount = (a: Row, b: Row) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.count - a.count || (a.subject + a.reason < b.subject + b.reason ? -1 : 1);
  const byCount = (a: Row, b: Row) => b.count - a.count || bySeverityThenCount(a, b);
  const all = [...rows.values()];
  const maxRows = options.maxRows ?? 40;
  const width = options.width ?? 120;
  const room = all.length > maxRows ? maxRows - 1 : maxRows;
  const errors = all.filter((r) => r.severity === 'error').sort(byCount).slice(0, Math.ceil(room / 2));
  const rest = all.filter((r) => !errors.includes(r)).sort(byCount).slice(0, room - errors.length);
  const kept = [...errors, ...rest].sort(bySeverityThenCount);
  const countWidth = Math.max(5, ...kept.map((r) => String(r.count).length));
  const filesWidth = Math.max(5, ...kept.map((r) => String(r.files.size).length));
  const subjectWidth = Math.min(40, Math.max(4, ...kept.map((r) => r.subject.length)));
  const outcomeWidth = Math.max(7, ...kept.map((r) => r.outcome.length));
  const trim = (line: string) => (line.length > width ? `${line.slice(0, width - 1)}…` : line);
  const lines = [head];
  if (kept.length) {
    lines.push(trim(`${'count'.padStart(countWidth)}  ${'files'.padStart(filesWidth)}  ${'flag'.padEnd(subjectWidth)}  ${'outcome'.padEnd(outcomeWidth)}  reason`));
    for (const r of kept) {
      lines.push(trim(`${String(r.count).padStart(countWidth)}  ${String(r.files.size).padStart(filesWidth)}  ${r.subject.padEnd(subjectWidth)}  ${r.outcome.padEnd(outcomeWidth)}  ${r.reason}`));
    }
  }
  if (kept.length < all.length) {
    const left = all.filter((r) => !kept.includes(r));
    lines.push(trim(`… ${left.length} more line${left.length === 1 ? '' : 's'} (${left.reduce((n, r) => n + r.count, 0)} occurrences, less frequent); --json has every finding`));
  }
  return lines;
}
