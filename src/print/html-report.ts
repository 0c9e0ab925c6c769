/**
 * The HTML review page (`--report <file.html>`): one self-contained document for triage. At the
 * top the run's counts by verdict, filter buttons (blocked / review / ready / errors / no launch),
 * a per-flag index ("removed --deepspeed: 120 files", a click filters by it), a sort choice and the
 * file list (paginated). A file's details (findings, launches with overrides, pins and removed
 * flags, a side-by-side diff with wrapped lines, a link to the next file that needs attention) are
 * built only when it is opened, from data embedded in the page, so 500 files stay small and fast.
 * Each file has a stable anchor derived from its path (`#f/<path>`).
 *
 * Pure: outcomes in, HTML text out. No network: the only script is inline, allowed by its hash in
 * the Content-Security-Policy, and reads the data block as JSON; every piece of text from a script
 * or a report reaches the page through textContent (the server side escapes what it writes).
 */
import { sha256 } from '../files/lazy-builtin.js';
import type { FileOutcome } from '../files/process-file.js';
import type { RemovedFlag, Verdict } from '../types.js';
import { SEVERITY_RANK, type Severity } from '../findings.js';
import { countOutcomes, fileFindings } from '../cli/summary.js';
import { isRemovalFinding, OUTCOME_LABEL } from '../cli/statistics.js';
import { unifiedDiff } from './diff.js';
import { CLIENT_SCRIPT, PAGE_CSS } from './html-client.js';

export interface HtmlReportOptions {
  /** Page title (default `bridge-migrate review`). */
  title?: string;
  /** Timestamp shown in the header (default: now). */
  generatedAt?: Date;
  /** Rows per page of the file list (default 100). */
  pageSize?: number;
}

/** A file's place in triage: its worst launch verdict, `error` when it could not be processed, `none` without a launch. */
export type FileVerdict = Verdict | 'error' | 'none';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text -> HTML text or attribute value (double- or single-quoted). */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The anchor of a file: its path, with every character outside [A-Za-z0-9._/-] written as ~XX (UTF-8 hex). */
export function anchorOf(path: string): string {
  return `f/${Buffer.from(path, 'utf8')
    .toString('latin1')
    .replace(/[^A-Za-z0-9._/-]/g, (c) => `~${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}`;
}

/**
 * blocked: a launch is blocked or an error-level finding exists; review: a warning; ready: only
 * notes; error: the file could not be processed; none: no launch and nothing to say.
 */
export function fileVerdict(o: FileOutcome): FileVerdict {
  if (o.report.status === 'error') return 'error';
  const findings = fileFindings(o);
  if (o.report.launches.some((l) => l.verdict === 'blocked') || findings.some((f) => f.severity === 'error')) return 'blocked';
  if (o.report.launches.some((l) => l.verdict === 'review') || findings.some((f) => f.severity === 'warning')) return 'review';
  return o.report.launches.length ? 'ready' : 'none';
}

/** A flag outcome of the per-flag index: "removed --deepspeed". */
const flagKey = (r: RemovedFlag) => `${OUTCOME_LABEL[r.kind]} ${r.flag}`;

/** JSON that is safe inside a <script> element (no `</script>`, no HTML comment openers). */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function fileData(o: FileOutcome) {
  const r = o.report;
  const findings = fileFindings(o);
  const count = (s: Severity) => findings.filter((f) => f.severity === s).length;
  const diff = r.status === 'changed' && o.before !== undefined && o.after !== undefined ? unifiedDiff(o.path, o.before, o.after) : '';
  return {
    p: o.path,
    a: anchorOf(o.path),
    s: r.status,
    v: fileVerdict(o),
    e: count('error'),
    w: count('warning'),
    n: count('note'),
    x: r.error ?? '',
    m: r.messages.filter((m) => !(m.severity === 'error' && m.message === r.error)).map((m) => [m.line, m.severity, m.message]),
    k: [...new Set(r.launches.flatMap((l) => l.removed.map(flagKey)))],
    L: r.launches.map((l) => ({
      line: l.line,
      entry: l.entrypoint,
      launcher: l.launcher,
      migrated: l.migrated,
      verdict: l.verdict,
      recipe: l.recipe ?? '',
      dataset: l.dataset ?? '',
      findings: l.findings.filter((f) => !isRemovalFinding(f, l.removed)).map((f) => [f.line, f.severity, f.message]),
      overrides: l.overrides.map((v) => [v.key, v.value, v.flag, v.line]),
      pinned: l.pinned.map((v) => [v.key, v.value, v.flag, v.line]),
      removed: l.removed.map((u) => [u.flag, u.text, u.line, OUTCOME_LABEL[u.kind], u.severity, u.reason]),
    })),
    d: diff,
    t: o.before === undefined && r.status === 'changed',
  };
}

interface IndexEntry {
  key: string;
  severity: Severity;
  files: number;
  reason: string;
}

function flagIndex(outcomes: FileOutcome[]): IndexEntry[] {
  const byKey = new Map<string, { severity: Severity; files: Set<string>; reason: string }>();
  for (const o of outcomes) {
    for (const l of o.report.launches) {
      for (const r of l.removed) {
        const key = flagKey(r);
        const entry = byKey.get(key) ?? { severity: r.severity, files: new Set<string>(), reason: r.reason };
        if (SEVERITY_RANK[r.severity] < SEVERITY_RANK[entry.severity]) entry.severity = r.severity;
        entry.files.add(o.path);
        byKey.set(key, entry);
      }
    }
  }
  return [...byKey.entries()]
    .map(([key, e]) => ({ key, severity: e.severity, files: e.files.size, reason: e.reason }))
    .sort((a, b) => SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] || b.files - a.files || (a.key < b.key ? -1 : 1));
}

const VERDICT_ORDER: FileVerdict[] = ['blocked', 'review', 'ready', 'error', 'none'];
const VERDICT_LABEL: Record<FileVerdict, string> = { blocked: 'blocked', review: 'review', ready: 'ready', error: 'could not be processed', none: 'no launch' };

function indexList(entries: IndexEntry[]): string {
  const item = (e: IndexEntry) =>
    `<li class="sev-${e.severity}"><a href="#" class="flag-link" data-flag="${esc(e.key)}" title="${esc(e.reason)}"><code>${esc(e.key)}</code></a>: ${e.files} file${e.files === 1 ? '' : 's'} <span class="sev">${e.severity}</span></li>`;
  const serious = entries.filter((e) => e.severity !== 'note');
  const notes = entries.filter((e) => e.severity === 'note');
  return `<section class="flag-index" aria-label="Flags by outcome"><h2>Flags removed, lost or folded</h2>${
    serious.length ? `<ul class="index">${serious.map(item).join('')}</ul>` : '<p class="note">No flag was removed at warning or error level.</p>'
  }${notes.length ? `<details><summary>${notes.length} more at note level (nothing changes)</summary><ul class="index">${notes.map(item).join('')}</ul></details>` : ''}</section>`;
}

export function htmlReport(outcomes: FileOutcome[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'bridge-migrate review';
  const generated = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const counts = countOutcomes(outcomes);
  const files = outcomes.map(fileData);
  const byVerdict = Object.fromEntries(VERDICT_ORDER.map((v) => [v, files.filter((f) => f.v === v).length])) as Record<FileVerdict, number>;
  const launches = counts.verdicts.ready + counts.verdicts.review + counts.verdicts.blocked;
  const stats = [
    ['files', 'files', outcomes.length],
    ['launches', 'launches', launches],
    ['blocked', 'launches blocked', counts.verdicts.blocked],
    ['review', 'launches to review', counts.verdicts.review],
    ['ready', 'launches ready', counts.verdicts.ready],
    ['errors', 'files not processed', counts.errors],
  ] as const;
  const summary = `<section class="summary" aria-label="Summary">${stats
    .map(([key, label, n]) => `<div class="stat stat-${key}${n && ['blocked', 'errors'].includes(key) ? ' bad' : n && key === 'review' ? ' warn' : ''}" data-stat="${key}"><span class="num">${n}</span><span class="label">${esc(label)}</span></div>`)
    .join('')}</section>`;
  const buttons = [`<button type="button" class="verdict-filter" data-verdict="all" aria-pressed="true">all <span class="count">${files.length}</span></button>`]
    .concat(
      [`<button type="button" class="verdict-filter" data-verdict="attention" aria-pressed="false">needs attention <span class="count">${byVerdict.blocked + byVerdict.review + byVerdict.error}</span></button>`],
      VERDICT_ORDER.map((v) => `<button type="button" class="verdict-filter v-${v}" data-verdict="${v}" aria-pressed="false">${esc(VERDICT_LABEL[v])} <span class="count">${byVerdict[v]}</span></button>`),
    )
    .join('');
  const index = flagIndex(outcomes);
  const controls = `<section class="controls" aria-label="Filters"><div class="buttons" role="group" aria-label="Verdict">${buttons}</div><div class="selects"><label>Flag <select id="flag-filter"><option value="">any</option>${index
    .map((e) => `<option value="${esc(e.key)}">${esc(e.key)} (${e.files})</option>`)
    .join('')}</select></label> <label>Sort <select id="sort"><option value="verdict">by verdict, then path</option><option value="findings">by number of findings</option><option value="path">by path</option></select></label> <label>Path <input id="path-filter" type="search" placeholder="contains ..."></label></div><p id="shown" class="note" aria-live="polite"></p></section>`;
  const data = { pageSize: options.pageSize ?? 100, files };
  const body = [
    `<header class="top"><h1>${esc(title)}</h1><p class="meta">Megatron-LM → Megatron Bridge migration · generated ${esc(generated)} · verdicts: <strong>blocked</strong> = would not start or loses a value, <strong>review</strong> = starts, a setting changes or needs a decision, <strong>ready</strong> = starts as before</p></header>`,
    summary,
    controls,
    indexList(index),
    '<main><section id="list" aria-label="Files"></section><section id="file" aria-label="File" hidden></section></main>',
    '<noscript><p class="note">The file list and details need JavaScript (inline, nothing is fetched). The same data is in the JSON report (--json).</p></noscript>',
  ].join('\n');
  const scriptHash = sha256().update(CLIENT_SCRIPT).digest('base64');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${scriptHash}'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
${body}
<script type="application/json" id="bm-data">${scriptJson(data)}</script>
<script>${CLIENT_SCRIPT}</script>
</body>
</html>
`;
}
