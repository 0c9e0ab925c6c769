/** A stable, readable subset of a report for snapshots. */
import type { FileReport } from '../../src/types.js';

export function compactReport(r: FileReport) {
  return {
    status: r.status,
    messages: r.messages.map((m) => `${m.line}: ${m.severity}: ${m.message}`),
    launches: r.launches.map((l) => ({
      line: l.line,
      entrypoint: l.entrypoint,
      launcher: l.launcher,
      migrated: l.migrated,
      verdict: l.verdict,
      recipe: l.recipe,
      dataset: l.dataset,
      overrides: l.overrides.map((o) => `${o.line}: ${o.flag} -> ${o.key}=${o.value}`),
      pinned: l.pinned.map((o) => `${o.key}=${o.value}`),
      removed: l.removed.map((u) => `${u.line}: ${u.severity}: ${u.kind}: ${u.text}: ${u.reason}`),
      findings: l.findings.map((w) => `${w.line}: ${w.severity}: ${w.message}`),
    })),
  };
}
