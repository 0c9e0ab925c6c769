/**
 * The HTML review page in a real browser (headless Chromium from npm, driven by puppeteer-core):
 * a small repository of our own fixture scripts is migrated, its page opened from file://, the
 * filters clicked, and what is shown checked exactly (filter by verdict shows exactly the blocked
 * files; the per-flag index filters by flag; a file opens from its anchor with its diff, its
 * not-migrated launch called so, and a link to the next file that needs attention). Nothing may be
 * fetched, no script error may happen, and text from a hostile script stays text.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { initParser } from '../src/migrate.js';
import { processFile, type FileOutcome } from '../src/files/process-file.js';
import { countOutcomes } from '../src/cli/summary.js';
import { anchorOf, esc, fileVerdict, htmlReport } from '../src/print/html-report.js';
import { launchBrowser } from './helpers/browser.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const PAYLOAD = '<script>alert(1)</script>';
const READY = '#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 2 --mock-data\n';
const LONG = `#!/bin/bash\n# ${'a-very-long-comment-word-'.repeat(30)}\ntorchrun pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 2 --data-path /data/${'deep/'.repeat(60)}corpus_text_document --use-mcore-models\n`;

let work: string;
let browser: Browser;
let outcomes: FileOutcome[];
let pageFile: string;

/** Relative paths in the fixture repository -> script text. */
function repository(): Record<string, string> {
  const fixture = (name: string) => readFileSync(join(fixtures, name, 'input.sh'), 'utf8');
  return {
    'train/review.sh': fixture('string-var-oneline'),
    'train/deepspeed.sh': fixture('deepspeed-autotuning'),
    'legacy/bert.sh': fixture('unsupported-bert'),
    'tools/no-launch.sh': fixture('no-launch'),
    'train/ready.sh': READY,
    'train/long lines.sh': LONG,
    [`odd/x<b>y ${PAYLOAD}.sh`]: `#!/bin/bash\n# ${PAYLOAD} in a comment\nARGS="--num-layers 2 --hidden-size 64 --num-attention-heads 2 --zero-stage <img/src=x/onerror=alert(2)>"\ntorchrun pretrain_gpt.py $ARGS --data-path "${PAYLOAD}" --tokenizer-model '${PAYLOAD}' --mock-data\n`,
  };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'bridge-migrate-html-'));
  await initParser();
  const root = join(work, 'repo');
  for (const [rel, text] of Object.entries(repository())) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  const process = (rel: string, options = {}) => ({ ...processFile(join(root, rel), options), path: rel });
  outcomes = [
    ...Object.keys(repository()).map((rel) => process(rel, rel === 'train/ready.sh' ? { pinDefaults: false } : {})),
    { ...processFile(join(root, 'missing.sh'), {}), path: 'missing.sh' },
  ];
  pageFile = join(work, 'review.html');
  writeFileSync(pageFile, htmlReport(outcomes, { title: 'Fixture review', generatedAt: new Date('2025-01-02T03:04:05Z') }));
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

async function open(file: string, hash = ''): Promise<Opened> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1200, height: 900 });
  const opened: Opened = { page, requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => opened.requests.push(r.url()));
  page.on('pageerror', (e) => opened.errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') opened.errors.push(m.text());
  });
  page.on('dialog', (d) => {
    opened.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(file).href + hash, { waitUntil: 'load' });
  return opened;
}

const rowPaths = (page: Page) => page.$$eval('#list tr.file-row', (rows) => rows.map((r) => r.getAttribute('data-path')));
const shownLine = (page: Page) => page.$eval('#shown', (e) => e.textContent);
const clickVerdict = (page: Page, verdict: string) => page.click(`.verdict-filter[data-verdict="${verdict}"]`);

describe('HTML review page in headless Chromium', () => {
  it('has the expected fixture outcomes', () => {
    expect(outcomes.map((o) => [o.path, o.report.status, fileVerdict(o)])).toEqual([
      ['train/review.sh', 'changed', 'review'],
      ['train/deepspeed.sh', 'changed', 'blocked'],
      ['legacy/bert.sh', 'unchanged', 'blocked'],
      ['tools/no-launch.sh', 'skipped', 'none'],
      ['train/ready.sh', 'changed', 'ready'],
      ['train/long lines.sh', 'changed', 'review'],
      [`odd/x<b>y ${PAYLOAD}.sh`, 'changed', 'review'],
      ['missing.sh', 'error', 'error'],
    ]);
  });

  it('shows the counts and every file, blocked first, without fetching anything or a script error', async () => {
    const { page, requests, errors, dialogs } = await open(pageFile);
    const counts = countOutcomes(outcomes);
    const stat = (key: string) => page.$eval(`[data-stat="${key}"] .num`, (e) => Number(e.textContent));
    expect(await stat('files')).toBe(8);
    expect(await stat('blocked')).toBe(counts.verdicts.blocked);
    expect(await stat('review')).toBe(counts.verdicts.review);
    expect(await stat('ready')).toBe(counts.verdicts.ready);
    expect(await stat('errors')).toBe(1);
    expect(await rowPaths(page)).toEqual([
      'missing.sh',
      'train/deepspeed.sh',
      'legacy/bert.sh',
      `odd/x<b>y ${PAYLOAD}.sh`,
      'train/long lines.sh',
      'train/review.sh',
      'train/ready.sh',
      'tools/no-launch.sh',
    ]);
    expect(await shownLine(page)).toBe('8 of 8 files');
    expect(requests).toEqual([pathToFileURL(pageFile).href]);
    expect(errors).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('filter by verdict shows exactly the blocked files (then review, ready, errors, no launch, attention)', async () => {
    const { page } = await open(pageFile);
    const expected = (v: string) => outcomes.filter((o) => fileVerdict(o) === v).map((o) => o.path).sort();
    await clickVerdict(page, 'blocked');
    expect((await rowPaths(page)).sort()).toEqual(['legacy/bert.sh', 'train/deepspeed.sh']);
    expect((await rowPaths(page)).sort()).toEqual(expected('blocked'));
    expect(await page.$eval('.verdict-filter[data-verdict="blocked"]', (b) => b.getAttribute('aria-pressed'))).toBe('true');
    expect(await shownLine(page)).toBe('2 of 8 files');
    for (const v of ['review', 'ready', 'error', 'none']) {
      await clickVerdict(page, v);
      expect((await rowPaths(page)).sort(), v).toEqual(expected(v));
    }
    await clickVerdict(page, 'attention');
    expect((await rowPaths(page)).sort()).toEqual([...expected('blocked'), ...expected('review'), ...expected('error')].sort());
    await clickVerdict(page, 'all');
    expect(await rowPaths(page)).toHaveLength(8);
    await page.close();
  });

  it('has a per-flag index whose entries filter the list by flag; the flag menu and the path box filter too', async () => {
    const { page } = await open(pageFile);
    const index = await page.$$eval('.flag-index > ul.index > li', (items) => items.map((li) => li.textContent));
    expect(index).toContain('removed --deepspeed: 1 file warning');
    expect(index).toContain('removed --deepspeed_config: 1 file error');
    expect(index).toContain('removed --zero-stage: 1 file warning');
    await page.click('.flag-link[data-flag="removed --zero-stage"]');
    expect((await rowPaths(page)).sort()).toEqual([`odd/x<b>y ${PAYLOAD}.sh`]);
    expect(await page.$eval('#flag-filter', (s) => (s as HTMLSelectElement).value)).toBe('removed --zero-stage');
    await clickVerdict(page, 'blocked');
    expect(await rowPaths(page)).toEqual([]);
    await page.select('#flag-filter', 'removed --deepspeed_config');
    expect(await rowPaths(page)).toEqual(['train/deepspeed.sh']);
    await page.select('#flag-filter', '');
    await clickVerdict(page, 'all');
    await page.type('#path-filter', 'train/r');
    expect(await rowPaths(page)).toEqual(['train/review.sh', 'train/ready.sh']);
    await page.select('#sort', 'path');
    expect(await rowPaths(page)).toEqual(['train/ready.sh', 'train/review.sh']);
    await page.close();
  });

  it('opens a file from its stable anchor: findings, removed flags, side-by-side diff, next file needing attention', async () => {
    expect(anchorOf('train/long lines.sh')).toBe('f/train/long~20lines.sh');
    const { page, errors } = await open(pageFile, `#${anchorOf('train/deepspeed.sh')}`);
    expect(await page.$eval('#file', (e) => (e as HTMLElement).hidden)).toBe(false);
    expect(await page.$eval('#list', (e) => (e as HTMLElement).hidden)).toBe(true);
    expect(await page.$eval('#file .file-title .path', (e) => e.textContent)).toBe('train/deepspeed.sh');
    const deepspeed = outcomes[1].report.launches[0];
    const removedRows = await page.$$eval('#file .removed-table tbody tr', (rows) => rows.map((r) => Array.from(r.children).map((c) => c.textContent)));
    expect(removedRows).toEqual(deepspeed.removed.map((u) => [u.flag, u.text, String(u.line), { unmapped: 'removed', error: 'value lost', folded: 'folded', launcher: 'launcher' }[u.kind], u.severity, u.reason]));
    const findings = await page.$$eval('#file .findings li', (items) => items.map((li) => li.className));
    expect(findings).toContain('sev-error');
    // The side-by-side diff: the launch line removed on the left, run_recipe.py added on the right.
    const left = await page.$$eval('#file table.sbs td.del', (cells) => cells.map((c) => c.textContent));
    const right = await page.$$eval('#file table.sbs td.ins', (cells) => cells.map((c) => c.textContent));
    expect(left.some((t) => t!.includes('pretrain_gpt.py'))).toBe(true);
    expect(right.some((t) => t!.includes(`scripts/training/run_recipe.py" --recipe vanilla_gpt_pretrain_config`))).toBe(true);
    expect(await page.$$eval('#file table.sbs ins', (m) => m.length)).toBeGreaterThan(0);
    // Next needing attention, in the list's order (blocked first): bert.sh, then on to the reviews.
    expect(await page.$eval('#next-attention', (a) => a.textContent)).toBe('next needing attention: legacy/bert.sh →');
    await page.click('#next-attention');
    await page.waitForFunction(() => document.querySelector('#file .file-title .path')?.textContent === 'legacy/bert.sh');
    expect(await page.evaluate(() => location.hash)).toBe(`#${anchorOf('legacy/bert.sh')}`);
    await page.click('#back');
    await page.waitForFunction(() => !(document.getElementById('list') as HTMLElement).hidden);
    expect(await rowPaths(page)).toHaveLength(8);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('calls an unmigrated launch what it is', async () => {
    const { page } = await open(pageFile, `#${anchorOf('legacy/bert.sh')}`);
    const heading = await page.$eval('#file .launch.not-migrated h3', (e) => e.textContent);
    const line = outcomes[2].report.launches[0].line;
    expect(heading).toBe(`not migrated Launch at line ${line}: torchrun → pretrain_bert.py is left as it is: it does not run under Megatron Bridge blocked`);
    expect(await page.$eval('#file .launch .findings li', (e) => e.textContent)).toContain('pretrain_bert.py has no Megatron Bridge recipe family');
    expect(await page.$$eval('#list tr.file-row', (r) => r.length)).toBe(0);
    await page.close();
  });

  it('wraps long lines in the side-by-side view: nothing wider than the page', async () => {
    const { page } = await open(pageFile, `#${anchorOf('train/long lines.sh')}`);
    const overflow = await page.$$eval('#file table.sbs td.c', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length);
    expect(await page.$$eval('#file table.sbs td.c', (cells) => cells.length)).toBeGreaterThan(2);
    expect(overflow).toBe(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    const tall = await page.$$eval('#file table.sbs td.c', (cells) => Math.max(...cells.map((c) => c.getBoundingClientRect().height)));
    expect(tall).toBeGreaterThan(40); // the long launch line takes several wrapped lines
    await page.close();
  });

  it('keeps text from a hostile script as text', async () => {
    const hostile = `odd/x<b>y ${PAYLOAD}.sh`;
    const html = readFileSync(pageFile, 'utf8');
    expect(html.match(/<script/g)).toHaveLength(2); // the data block and the page's own script
    expect(html).not.toMatch(/<img|<b>/i);
    const { page, dialogs, errors } = await open(pageFile, `#${anchorOf(hostile)}`);
    expect(await page.$eval('#file .file-title .path', (e) => e.textContent)).toBe(hostile);
    expect(await page.$$eval('script', (s) => s.length)).toBe(2);
    expect(await page.$$eval('img, b > *', (s) => s.length)).toBe(0);
    const diffText = await page.$eval('#file table.sbs', (t) => t.textContent);
    expect(diffText).toContain(`# ${PAYLOAD} in a comment`);
    expect(await page.$$eval('#file .override-table td', (cells) => cells.map((c) => c.textContent))).toContain(`'${PAYLOAD}'`);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(esc(PAYLOAD)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    await page.close();
  });

  it('paginates the file list', async () => {
    const paged = join(work, 'paged.html');
    writeFileSync(paged, htmlReport(outcomes, { pageSize: 3, generatedAt: new Date(0) }));
    const { page } = await open(paged);
    expect(await rowPaths(page)).toEqual(['missing.sh', 'train/deepspeed.sh', 'legacy/bert.sh']);
    expect(await shownLine(page)).toBe('8 of 8 files, page 1 of 3');
    await page.click('#next-page');
    expect(await rowPaths(page)).toEqual([`odd/x<b>y ${PAYLOAD}.sh`, 'train/long lines.sh', 'train/review.sh']);
    await page.click('#next-page');
    expect(await rowPaths(page)).toEqual(['train/ready.sh', 'tools/no-launch.sh']);
    expect(await page.$eval('#next-page', (b) => (b as HTMLButtonElement).disabled)).toBe(true);
    await page.close();
  });
});
