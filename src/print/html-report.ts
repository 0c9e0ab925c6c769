/**
 * The HTML review page (`--report <file.html>`): one self-contained document (inline CSS, no
 * scripts, no network) with the run's summary, and per file the launches' overrides, pinned
 * defaults, removed flags and warnings, and a side-by-side diff rendered by diff2html.
 *
 * Pure: outcomes in, HTML text out. The only I/O is reading diff2html's stylesheet from
 * node_modules once. Every piece of text that comes from a script or a report goes through esc();
 * diff2html escapes the diff lines itself. A Content-Security-Policy forbids scripts and network
 * loads as a second line of defence.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { html as diffToHtml } from 'diff2html';
import type { FileOutcome } from '../files/process-file.js';
import type { LaunchReport, OverrideReport, RemovedFlag } from '../types.js';
import { countOutcomes, needsAttention, type Counts } from '../cli/summary.js';
import { unifiedDiff } from './diff.js';

export interface HtmlReportOptions {
  /** Page title (default `bridge-migrate review`). */
  title?: string;
  /** Timestamp shown in the header (default: now). */
  generatedAt?: Date;
}

let diff2htmlCss: string | undefined;

/** diff2html's stylesheet, read from its package once per process. */
function diffCss(): string {
  if (diff2htmlCss === undefined) {
    const require = createRequire(import.meta.url);
    diff2htmlCss = readFileSync(require.resolve('diff2html/bundles/css/diff2html.min.css'), 'utf8');
  }
  return diff2htmlCss;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text -> HTML text or attribute value (double- or single-quoted). */
export function esc(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STATUS_LABEL: Record<string, string> = { changed: 'changed', unchanged: 'unchanged', skipped: 'no launch', error: 'error' };

const KIND_LABEL: Record<RemovedFlag['kind'], string> = {
  unmapped: 'removed',
  error: 'value lost',
  folded: 'folded',
  launcher: 'launcher',
};

const KIND_HELP: Record<RemovedFlag['kind'], string> = {
  unmapped: 'no Bridge counterpart: removed from the launch',
  error: 'could not be converted: the value is lost unless you act',
  folded: 'merged into another override',
  launcher: 'handled by the launcher',
};

function badge(cls: string, text: string, title?: string): string {
  return `<span class="badge ${cls}"${title ? ` title="${esc(title)}"` : ''}>${esc(text)}</span>`;
}

function lineCell(line: number): string {
  return `<td class="line">${line > 0 ? esc(line) : ''}</td>`;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function summary(c: Counts): string {
  const stats: Array<[keyof Counts, string, string]> = [
    ['scanned', 'files scanned', ''],
    ['changed', 'changed', 'ok'],
    ['unchanged', 'unchanged', ''],
    ['skipped', 'skipped (no launch)', ''],
    ['attention', 'need attention', c.attention ? 'warn' : ''],
    ['errors', 'errors', c.errors ? 'bad' : ''],
  ];
  return `<section class="summary" aria-label="Summary">${stats
    .map(([key, label, tone]) => `<div class="stat ${tone}" data-stat="${key}"><span class="num">${c[key]}</span><span class="label">${esc(label)}</span></div>`)
    .join('')}</section>`;
}

function launchCounts(o: FileOutcome) {
  let overrides = 0;
  let pinned = 0;
  let removed = 0;
  let findings = o.report.messages.filter((m) => m.severity !== 'note').length;
  for (const l of o.report.launches) {
    overrides += l.overrides.length;
    pinned += l.pinned.length;
    removed += l.removed.filter((u) => u.severity !== 'note').length;
    findings += l.findings.filter((m) => m.severity !== 'note').length;
  }
  return { overrides, pinned, removed, findings };
}

function statusBadges(o: FileOutcome): string {
  const s = o.report.status;
  let out = badge(`status-${s}`, STATUS_LABEL[s] ?? s);
  if (s !== 'error' && needsAttention(o)) out += ` ${badge('attention', 'needs attention')}`;
  return out;
}

function toc(entries: Array<{ o: FileOutcome; id: string }>): string {
  if (!entries.length) return '';
  const rows = entries.map(({ o, id }) => {
    const n = launchCounts(o);
    const num = (v: number, cls = '') => `<td class="num${v && cls ? ` ${cls}` : ''}">${v}</td>`;
    return `<tr><td class="path"><a href="#${id}">${esc(o.path)}</a></td><td>${statusBadges(o)}</td>${num(o.report.launches.length)}${num(n.overrides)}${num(n.pinned)}${num(n.removed, 'bad')}${num(n.findings, 'warn')}</tr>`;
  });
  return `<section class="toc"><h2>Files</h2><table class="grid-table"><thead><tr><th>File</th><th>Status</th><th class="num">Launches</th><th class="num">Overrides</th><th class="num">Pinned</th><th class="num">Removed</th><th class="num">Findings</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

function overridesTable(rows: OverrideReport[], cls: string): string {
  return `<table class="grid-table ${cls}"><thead><tr><th>Bridge key</th><th>Value</th><th>Megatron-LM flag</th><th class="num">Line</th></tr></thead><tbody>${rows
    .map((r) => `<tr><td class="key"><code>${esc(r.key)}</code></td><td class="value"><code>${esc(r.value)}</code></td><td class="flag"><code>${esc(r.flag)}</code></td>${lineCell(r.line)}</tr>`)
    .join('')}</tbody></table>`;
}

function removedTable(rows: RemovedFlag[]): string {
  return `<table class="grid-table unmapped"><thead><tr><th>Megatron-LM flag</th><th>As written</th><th class="num">Line</th><th>Kind</th><th>Reason</th></tr></thead><tbody>${rows
    .map((u) => `<tr class="kind-${esc(u.kind)}"><td class="flag"><code>${esc(u.flag)}</code></td><td class="value"><code>${esc(u.text)}</code></td>${lineCell(u.line)}<td>${badge(`kind kind-${u.kind}`, KIND_LABEL[u.kind] ?? u.kind, KIND_HELP[u.kind])}</td><td class="reason">${esc(u.reason)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function messageList(items: Array<{ line: number; message: string; severity?: string }>, cls: string): string {
  return `<ul class="messages ${cls}">${items
    .map((m) => `<li class="${esc(m.severity ?? 'warning')}">${m.line > 0 ? `<span class="at">line ${esc(m.line)}</span> ` : ''}${esc(m.message)}</li>`)
    .join('')}</ul>`;
}

function launchSection(l: LaunchReport): string {
  const target = l.migrated
    ? ` <span class="arrow">→</span> <code>run_recipe.py</code>${l.recipe ? ` <span class="opt">--recipe</span> <code>${esc(l.recipe)}</code>` : ''}${l.dataset ? ` <span class="opt">--dataset</span> <code>${esc(l.dataset)}</code>` : ''}`
    : ` ${badge('status-error', 'not migrated')}`;
  const parts: string[] = [
    `<h4>Launch at line ${esc(l.line)}: <code>${esc(l.launcher)}</code> <span class="arrow">→</span> <code>${esc(l.entrypoint)}</code>${target}</h4>`,
  ];
  const findings = l.findings.filter((m) => !m.message.startsWith('removed `'));
  parts.push(`<p class="verdict">${badge(`verdict verdict-${l.verdict}`, l.verdict)}</p>`);
  if (findings.length) parts.push(`<div class="block warnings"><h5>Findings</h5>${messageList(findings, 'warning-list')}</div>`);
  if (l.removed.length) {
    const serious = l.removed.filter((u) => u.severity !== 'note').length;
    parts.push(
      `<div class="block removed"><h5>Removed or unmapped flags <span class="count">${l.removed.length}</span></h5><p class="note">${
        serious ? `${plural(serious, 'flag')} lost with no Bridge counterpart or value: check each reason. ` : ''
      }Each removal is also recorded in a <code># bridge-migrate:</code> comment above the statement that held it.</p>${removedTable(l.removed)}</div>`,
    );
  }
  const tables: string[] = [];
  if (l.overrides.length) {
    tables.push(`<div class="block overrides"><h5>Overrides <span class="count">${l.overrides.length}</span></h5>${overridesTable(l.overrides, 'override-table')}</div>`);
  }
  if (l.pinned.length) {
    tables.push(
      `<div class="block pinned"><h5>Pinned defaults <span class="count">${l.pinned.length}</span></h5><p class="note">The recipe${
        l.recipe ? ` <code>${esc(l.recipe)}</code>` : ''
      } would change these settings; the migrated launch pins them so the run keeps Megatron-LM's value. Drop a pin to adopt the recipe's value instead.</p>${overridesTable(l.pinned, 'pinned-table')}</div>`,
    );
  }
  if (tables.length) parts.push(`<div class="columns">${tables.join('')}</div>`);
  else if (l.migrated) parts.push('<p class="note">No overrides.</p>');
  return `<div class="launch${l.migrated ? '' : ' not-migrated'}">${parts.join('')}</div>`;
}

function diffSection(o: FileOutcome): string {
  if (o.before === undefined || o.after === undefined) return '<p class="note">The diff is not available for this file.</p>';
  const diff = unifiedDiff(o.path, o.before, o.after);
  if (!diff) return '';
  const rendered = diffToHtml(diff, { outputFormat: 'side-by-side', drawFileList: false, matching: 'lines' });
  return `<details class="diff" open><summary>Diff</summary>${rendered}</details>`;
}

function fileSection(o: FileOutcome, id: string): string {
  const r = o.report;
  const parts: string[] = [`<h3><span class="path">${esc(o.path)}</span> ${statusBadges(o)}</h3>`];
  if (r.status === 'error') {
    parts.push(`<div class="error-box"><strong>Error:</strong> ${esc(r.error ?? 'the file could not be processed')}</div>`);
  }
  // The error message is also in messages; show the rest.
  const messages = r.messages.filter((m) => !(m.severity === 'error' && m.message === r.error));
  if (messages.length) parts.push(`<div class="block file-messages"><h5>File messages</h5>${messageList(messages, 'file-list')}</div>`);
  for (const l of r.launches) parts.push(launchSection(l));
  if (r.status === 'changed') parts.push(diffSection(o));
  else if (r.status === 'unchanged') parts.push('<p class="note">No changes: the file is left as it is.</p>');
  return `<section class="file status-${esc(r.status)}" id="${id}" data-status="${esc(r.status)}">${parts.join('')}</section>`;
}

function skippedSection(entries: FileOutcome[]): string {
  if (!entries.length) return '';
  const items = entries.map((o) => {
    const notes = o.report.messages.map((m) => `<span class="skip-note">${m.line > 0 ? `line ${esc(m.line)}: ` : ''}${esc(m.message)}</span>`).join('');
    return `<li><span class="path">${esc(o.path)}</span>${notes}</li>`;
  });
  return `<section class="skipped" id="skipped"><h2>Without a Megatron-LM launch <span class="count">${entries.length}</span></h2><p class="note">Left byte-identical.</p><ul>${items.join('')}</ul></section>`;
}

function rank(o: FileOutcome): number {
  if (o.report.status === 'error') return 0;
  if (needsAttention(o)) return 1;
  if (o.report.status === 'changed') return 2;
  return 3;
}

export function htmlReport(outcomes: FileOutcome[], options: HtmlReportOptions = {}): string {
  const title = options.title ?? 'bridge-migrate review';
  const generated = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  const counts = countOutcomes(outcomes);
  const byPath = (a: FileOutcome, b: FileOutcome) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const shown = outcomes
    .filter((o) => o.report.status !== 'skipped')
    .sort((a, b) => rank(a) - rank(b) || byPath(a, b))
    .map((o, i) => ({ o, id: `file-${i + 1}` }));
  const skipped = outcomes.filter((o) => o.report.status === 'skipped').sort(byPath);
  const body = [
    `<header class="top"><h1>${esc(title)}</h1><p class="meta">Megatron-LM → Megatron Bridge migration · generated ${esc(generated)}</p></header>`,
    summary(counts),
    toc(shown),
    shown.map(({ o, id }) => fileSection(o, id)).join('\n'),
    skippedSection(skipped),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${diffCss()}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

const PAGE_CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg-soft:#f6f8fa; --ok:#1a7f37; --ok-bg:#dafbe1;
  --warn:#9a6700; --warn-bg:#fff8c5; --bad:#cf222e; --bad-bg:#ffebe9; --info:#0969da; --info-bg:#ddf4ff; --pin-bg:#fff4e0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px 48px; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
code, .path { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
h1 { font-size: 24px; margin: 0; }
h2 { font-size: 18px; margin: 32px 0 10px; }
h3 { font-size: 16px; margin: 0 0 12px; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }
h3 .path { font-size: 15px; word-break: break-all; }
h4 { font-size: 14px; margin: 0 0 10px; font-weight: 600; }
h5 { font-size: 13px; margin: 0 0 6px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.meta, .note { color: var(--muted); }
.note { margin: 4px 0 8px; font-size: 13px; }
header.top { padding-bottom: 12px; border-bottom: 1px solid var(--line); margin-bottom: 16px; }
header.top .meta { margin: 4px 0 0; }
.summary { display: flex; flex-wrap: wrap; gap: 12px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 130px; background: var(--bg-soft); }
.stat .num { display: block; font-size: 26px; font-weight: 600; line-height: 1.2; }
.stat .label { color: var(--muted); font-size: 13px; }
.stat.ok { background: var(--ok-bg); border-color: #aceebb; }
.stat.warn { background: var(--warn-bg); border-color: #eed888; }
.stat.bad { background: var(--bad-bg); border-color: #ffcecb; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid transparent; white-space: nowrap; font-family: inherit; }
.status-changed.badge { color: var(--ok); background: var(--ok-bg); border-color: #aceebb; }
.status-unchanged.badge, .status-skipped.badge { color: var(--muted); background: var(--bg-soft); border-color: var(--line); }
.status-error.badge, .kind-error.badge, .kind-unmapped.badge { color: var(--bad); background: var(--bad-bg); border-color: #ffcecb; }
.attention.badge { color: var(--warn); background: var(--warn-bg); border-color: #eed888; }
.kind-folded.badge { color: var(--info); background: var(--info-bg); border-color: #b6e3ff; }
.kind-launcher.badge { color: var(--muted); background: var(--bg-soft); border-color: var(--line); }
.count { display: inline-block; min-width: 20px; padding: 0 6px; border-radius: 999px; background: #e6eaef; color: var(--fg); font-size: 11px; text-align: center; letter-spacing: 0; }
table.grid-table { border-collapse: collapse; width: 100%; font-size: 13px; }
.grid-table th, .grid-table td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
.grid-table th { background: var(--bg-soft); font-weight: 600; white-space: nowrap; }
.grid-table tbody tr:nth-child(even) td { background: #fbfcfd; }
.grid-table .num, .grid-table .line { text-align: right; white-space: nowrap; width: 1%; font-variant-numeric: tabular-nums; }
.grid-table td.num.bad { color: var(--bad); font-weight: 600; }
.grid-table td.num.warn { color: var(--warn); font-weight: 600; }
.grid-table td.value { overflow-wrap: anywhere; min-width: 8em; }
.grid-table td.key, .grid-table td.flag { white-space: nowrap; }
.grid-table.override-table td.value, .grid-table.pinned-table td.value { width: 45%; }
.toc .grid-table td.path a { color: var(--info); text-decoration: none; word-break: break-all; }
.toc .grid-table td.path a:hover { text-decoration: underline; }
section.file { border: 1px solid var(--line); border-radius: 10px; padding: 16px 20px; margin: 20px 0; background: #fff; }
section.file.status-error { border-color: #ffcecb; border-left: 6px solid var(--bad); }
.error-box { background: var(--bad-bg); border: 1px solid #ffcecb; color: #82071e; border-radius: 6px; padding: 8px 12px; margin-bottom: 12px; }
.launch { border-top: 1px solid var(--line); padding-top: 12px; margin-top: 12px; }
.launch:first-of-type { border-top: 0; padding-top: 0; }
.launch .arrow { color: var(--muted); font-weight: 400; }
.launch .opt { color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; font-weight: 400; }
.block { margin: 10px 0 14px; }
.columns { display: grid; grid-template-columns: minmax(0, 1fr); gap: 16px; }
@media (min-width: 1800px) { .columns { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); } }
.columns .block { margin: 0; }
.messages { margin: 0; padding: 0; list-style: none; }
.messages li { padding: 6px 10px; border-radius: 6px; margin: 4px 0; background: var(--warn-bg); border: 1px solid #eed888; }
.messages li.error { background: var(--bad-bg); border-color: #ffcecb; }
.messages .at { font-weight: 600; color: var(--warn); white-space: nowrap; }
.messages li.error .at { color: var(--bad); }
.removed .grid-table tr.kind-unmapped td, .removed .grid-table tr.kind-error td { background: var(--bad-bg); }
.removed .grid-table tr.kind-folded td, .removed .grid-table tr.kind-launcher td { background: #f3f8ff; }
.removed .grid-table td.reason { min-width: 260px; }
.removed .grid-table td.value { min-width: 16em; }
.pinned .grid-table td { background: var(--pin-bg) !important; }
.pinned .grid-table th { background: #fde7c2; }
details.diff { margin-top: 14px; }
details.diff > summary { cursor: pointer; font-weight: 600; color: var(--muted); font-size: 13px; text-transform: uppercase; letter-spacing: .03em; margin-bottom: 8px; }
.d2h-wrapper .d2h-file-wrapper { margin-bottom: 0; border-radius: 6px; }
.d2h-file-collapse { display: none !important; }
section.skipped ul { margin: 0; padding-left: 20px; }
section.skipped li { margin: 2px 0; }
.skip-note { color: var(--warn); margin-left: 10px; font-size: 13px; }
`;
