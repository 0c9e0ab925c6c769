/**
 * The HTML review page in a real browser: outcomes from real fixtures (plus a missing file) are
 * rendered by htmlReport(), opened from file:// in headless Chromium (--dump-dom for the DOM after
 * parsing, --screenshot for pixels), and checked for exact content; a hostile script must come out
 * as text only. Needs /usr/bin/chromium (Debian package `chromium`; .ci/run installs it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { initParser } from '../src/migrate.js';
import { processFile, type FileOutcome } from '../src/files/process-file.js';
import { countOutcomes } from '../src/cli/summary.js';
import { esc, htmlReport } from '../src/print/html-report.js';

const CHROMIUM = '/usr/bin/chromium';
const fixtures = join(import.meta.dirname, '..', 'fixtures');
const PAYLOAD = '<script>alert(1)</script>';

let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bridge-migrate-html-'));
  await initParser();
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs headless Chromium on a file:// page with a fresh profile; resolves with its stdout. */
function chromium(page: string, extra: string[]): Promise<string> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the HTML report test needs headless Chromium. Install it with \`apt-get update && apt-get install -y chromium\` (CI's .ci/run does this).`);
  }
  const profile = mkdtempSync(join(work, 'profile-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profile}`,
    ...extra,
    pathToFileURL(page).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 90_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed (${err.message}):\n${stderr.slice(-2000)}`));
      else resolve(stdout);
    });
  });
}

/** toContain without printing a whole page when it fails. */
function has(text: string, part: string): void {
  expect(text.includes(part), `page should contain: ${part}`).toBe(true);
}

function stat(dom: string, key: string): number {
  const m = new RegExp(`data-stat="${key}"><span class="num">(\\d+)</span>`).exec(dom);
  if (!m) throw new Error(`no summary number for ${key}`);
  return Number(m[1]);
}

describe('HTML report in headless Chromium', () => {
  let outcomes: FileOutcome[];
  let page: string;
  let dom: string;
  let screenshot: string;

  beforeAll(async () => {
    outcomes = [
      processFile(join(fixtures, 'string-var-oneline', 'input.sh'), {}),
      processFile(join(fixtures, 'deepspeed-launcher', 'input.sh'), {}),
      processFile(join(fixtures, 'unsupported-bert', 'input.sh'), {}),
      processFile(join(fixtures, 'no-launch', 'input.sh'), {}),
      processFile(join(work, 'missing.sh'), {}),
    ];
    page = join(work, 'report.html');
    writeFileSync(page, htmlReport(outcomes, { title: 'Fixture review', generatedAt: new Date('2025-01-02T03:04:05Z') }));
    screenshot = join(work, 'report.png');
    [dom] = await Promise.all([chromium(page, ['--dump-dom']), chromium(page, [`--screenshot=${screenshot}`, '--window-size=1400,2000'])]);
  }, 180_000);

  it('uses the expected fixture outcomes', () => {
    expect(outcomes.map((o) => o.report.status)).toEqual(['changed', 'changed', 'unchanged', 'skipped', 'error']);
  });

  it('shows the summary numbers', () => {
    has(dom, '<h1>Fixture review</h1>');
    has(dom, 'generated 2025-01-02 03:04:05 UTC');
    // attention: the two changed files (pinned defaults to review / a blocked launch) and the unchanged BERT one
    const expected = { scanned: 5, changed: 2, unchanged: 1, skipped: 1, attention: 3, errors: 1 };
    expect(countOutcomes(outcomes)).toEqual({ ...expected, verdicts: { ready: 0, review: 1, blocked: 2 } });
    for (const [key, n] of Object.entries(expected)) expect(stat(dom, key), key).toBe(n);
  });

  it('lists every override with its Megatron-LM flag and line', () => {
    has(
      dom,
      '<tr><td class="key"><code>model.num_layers</code></td><td class="value"><code>24</code></td><td class="flag"><code>--num-layers</code></td><td class="line">7</td></tr>',
    );
    has(
      dom,
      `<tr><td class="key"><code>dataset.data_path</code></td><td class="value"><code>'$DATA_PATH'</code></td><td class="flag"><code>--data-path</code></td><td class="line">8</td></tr>`,
    );
    const oneline = outcomes[0].report.launches[0];
    const section = dom.split('<section class="file').find((s) => s.includes('string-var-oneline/input.sh</span>'))!;
    const overrideRows = section.split('<table class="grid-table override-table">')[1].split('</table>')[0].match(/<tr>/g)!.length - 1;
    expect(overrideRows).toBe(oneline.overrides.length);
  });

  it('highlights pinned defaults with the note', () => {
    const pinned = outcomes[0].report.launches[0].pinned;
    expect(pinned.length).toBeGreaterThan(0);
    has(dom, '<div class="block pinned"><h5>Pinned defaults');
    has(dom, "the migrated launch pins them so the run keeps Megatron-LM's value");
    const p = pinned[0];
    has(dom, `<td class="key"><code>${esc(p.key)}</code></td><td class="value"><code>${esc(p.value)}</code></td>`);
  });

  it('shows removed flags with their kind and reason', () => {
    const ds = outcomes[1].report.launches[0].removed.find((u) => u.flag === '--deepspeed');
    expect(ds?.reason).toMatch(/^DeepSpeed engine switch/);
    has(
      dom,
      `<tr class="kind-unmapped"><td class="flag"><code>--deepspeed</code></td><td class="value"><code>--deepspeed</code></td><td class="line">${ds!.line}</td><td><span class="badge kind kind-unmapped" title="no Bridge counterpart: removed from the launch">removed</span></td><td class="reason">${esc(ds!.reason)}</td></tr>`,
    );
    has(dom, '<span class="badge kind kind-folded" title="merged into another override">folded</span>');
  });

  it('shows warnings, not-migrated launches, errors and files without a launch', () => {
    has(dom, 'the deepspeed launcher passes --local_rank=N to the script');
    has(dom, 'pretrain_bert.py has no Megatron Bridge recipe family');
    has(dom, '<span class="badge status-error">not migrated</span>');
    has(dom, '<div class="error-box"><strong>Error:</strong> no such file</div>');
    expect(dom).toMatch(/<section class="skipped" id="skipped">.*fixtures\/no-launch\/input\.sh/s);
  });

  it('renders side-by-side diffs with diff2html and its inlined stylesheet', () => {
    // Two changed files, two sides each.
    expect(dom.match(/class="d2h-file-side-diff"/g)?.length).toBe(4);
    has(dom, '<span class="d2h-code-line-ctn">GPT_ARGS="<ins>model.num_layers=</ins>24 <ins>model.hidden_size=</ins>1024 ');
    expect(dom).toMatch(/<style>[^<]*\.d2h-wrapper/);
    // Nothing to fetch: no external references, no scripts.
    expect(dom).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(dom).not.toMatch(/<script/i);
  });

  it('takes a non-trivial screenshot', () => {
    expect(existsSync(screenshot)).toBe(true);
    const png = readFileSync(screenshot);
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(statSync(screenshot).size).toBeGreaterThan(10 * 1024);
  });
});

describe('HTML report escaping', () => {
  it('renders script text from a hostile script as text, never as markup', async () => {
    const dir = join(work, 'hostile');
    mkdirSync(join(dir, '<script>alert(1)<'), { recursive: true });
    const script = join(dir, 'x<b>y.sh');
    writeFileSync(
      script,
      [
        '#!/bin/bash',
        `# ${PAYLOAD} in a comment`,
        'ARGS="--num-layers 2 --deepspeed_config <img/src=x/onerror=alert(2)>"',
        `torchrun pretrain_gpt.py $ARGS --data-path "${PAYLOAD}" --tokenizer-model '${PAYLOAD}' --mock-data`,
        '',
      ].join('\n'),
    );
    const outcomes = [processFile(script, {}), processFile(join(dir, `${PAYLOAD}.sh`), {})];
    expect(outcomes.map((o) => o.report.status)).toEqual(['changed', 'error']);
    expect(outcomes[1].path).toContain(PAYLOAD);
    const html = htmlReport(outcomes, { title: PAYLOAD });
    expect(html).not.toMatch(/<script|<img|<b>|<i>/i);
    const page = join(dir, 'report.html');
    writeFileSync(page, html);
    const dom = await chromium(page, ['--dump-dom']);
    expect(dom).not.toMatch(/<script|<img|<b>|<i>/i);
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt;';
    has(dom, `<title>${escaped}</title>`);
    // In the diff (comment and flag value), the override table, the paths and the error box.
    has(dom, `<span class="d2h-code-line-ctn"># ${escaped} in a comment</span>`);
    has(dom, `<td class="value"><code>'${escaped}'</code></td><td class="flag"><code>--data-path</code></td>`);
    has(dom, '<td class="value"><code>--deepspeed_config &lt;img/src=x/onerror=alert(2)&gt;</code></td>');
    has(dom, 'x&lt;b&gt;y.sh');
    has(dom, `${escaped}.sh`);
    expect(dom.split(escaped).length - 1).toBeGreaterThanOrEqual(8);
  });
});
