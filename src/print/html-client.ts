/**
 * The review page's script and stylesheet (src/print/html-report.ts embeds both). The script
 * reads the JSON data block, draws the file list for the current filters (verdict, flag, path)
 * and sort, one page at a time, and builds a file's details only when its anchor is opened.
 * Everything from the data is set with textContent, never parsed as HTML. Plain ES2017, no
 * dependencies; written without template literals so that it can sit in String.raw.
 */

export const CLIENT_SCRIPT = String.raw`(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('bm-data').textContent);
  var FILES = DATA.files;
  var RANK = { error: 0, blocked: 1, review: 2, ready: 3, none: 4 };
  var VERDICT_TEXT = { blocked: 'blocked', review: 'review', ready: 'ready', error: 'could not be processed', none: 'no launch' };
  var STATUS_TEXT = { changed: 'changed', unchanged: 'unchanged', skipped: 'no launch', error: 'error' };
  var state = { verdict: 'all', flag: '', sort: 'verdict', query: '', page: 0 };
  var byAnchor = {};
  FILES.forEach(function (f) { byAnchor[f.a] = f; });
  var list = document.getElementById('list');
  var detail = document.getElementById('file');
  var shownLine = document.getElementById('shown');

  function h(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var i = 1; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined) continue;
      parent.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return parent;
  }
  function code(text) { return h('code', '', text); }
  function badge(cls, text) { return h('span', 'badge ' + cls, text); }
  function needsAttention(f) { return f.v === 'blocked' || f.v === 'review' || f.v === 'error'; }
  function matches(f) {
    if (state.verdict === 'attention' && !needsAttention(f)) return false;
    if (state.verdict !== 'all' && state.verdict !== 'attention' && f.v !== state.verdict) return false;
    if (state.flag && f.k.indexOf(state.flag) < 0) return false;
    if (state.query && f.p.toLowerCase().indexOf(state.query.toLowerCase()) < 0) return false;
    return true;
  }
  function byPath(a, b) { return a.p < b.p ? -1 : a.p > b.p ? 1 : 0; }
  function order(rows) {
    return rows.slice().sort(function (a, b) {
      if (state.sort === 'path') return byPath(a, b);
      if (state.sort === 'findings') return (b.e - a.e) || (b.w - a.w) || byPath(a, b);
      return (RANK[a.v] - RANK[b.v]) || (b.e - a.e) || (b.w - a.w) || byPath(a, b);
    });
  }
  function shownFiles() { return order(FILES.filter(matches)); }

  /** headings: [text, cell class] pairs or texts. */
  function table(cls, headings, rows) {
    var t = h('table', 'grid-table ' + cls);
    var tr = h('tr');
    var classes = headings.map(function (x) { return typeof x === 'string' ? '' : x[1]; });
    headings.forEach(function (x, i) { add(tr, h('th', classes[i], typeof x === 'string' ? x : x[0])); });
    add(t, add(h('thead'), tr));
    var body = h('tbody');
    rows.forEach(function (cells) {
      var row = h('tr');
      cells.forEach(function (c, i) { add(row, c && c.nodeType ? add(h('td', classes[i]), c) : h('td', classes[i], c)); });
      add(body, row);
    });
    return add(t, body);
  }
  function block(cls, title, content) { return add(h('div', 'block ' + cls), h('h4', '', title), content); }
  function findingList(items) {
    var ul = h('ul', 'messages');
    items.forEach(function (m) {
      var li = h('li', 'sev-' + m[1]);
      if (m[0] > 0) add(li, h('span', 'at', 'line ' + m[0]), ' ');
      add(li, h('span', 'sev', m[1]), ' ', m[2]);
      add(ul, li);
    });
    return ul;
  }

  function renderList() {
    var rows = shownFiles();
    var size = DATA.pageSize;
    var pages = Math.max(1, Math.ceil(rows.length / size));
    if (state.page >= pages) state.page = pages - 1;
    var slice = rows.slice(state.page * size, state.page * size + size);
    list.textContent = '';
    if (!rows.length) {
      add(list, h('p', 'note empty', 'No file matches these filters.'));
    } else {
      var t = h('table', 'grid-table files');
      var head = h('tr');
      ['File', 'Verdict', 'Status', 'Launches', 'Errors', 'Warnings', 'Flags removed or folded'].forEach(function (text, i) { add(head, h('th', i >= 3 && i <= 5 ? 'num' : '', text)); });
      add(t, add(h('thead'), head));
      var body = h('tbody');
      slice.forEach(function (f) {
        var tr = h('tr', 'file-row v-' + f.v);
        tr.setAttribute('data-path', f.p);
        tr.setAttribute('data-verdict', f.v);
        var link = h('a', '', f.p);
        link.href = '#' + f.a;
        var notMigrated = f.L.filter(function (l) { return !l.migrated; }).length;
        add(tr,
          add(h('td', 'path'), link),
          add(h('td'), badge('verdict verdict-' + f.v, VERDICT_TEXT[f.v])),
          h('td', '', STATUS_TEXT[f.s]),
          h('td', 'num', f.L.length + (notMigrated ? ' (' + notMigrated + ' not migrated)' : '')),
          h('td', 'num' + (f.e ? ' bad' : ''), f.e),
          h('td', 'num' + (f.w ? ' warn' : ''), f.w),
          h('td', 'flags', f.k.join(', ')));
        add(body, tr);
      });
      add(list, add(t, body));
    }
    if (pages > 1) {
      var pager = h('nav', 'pager');
      var prev = h('button', '', '← previous');
      prev.type = 'button';
      prev.id = 'prev-page';
      prev.disabled = state.page === 0;
      prev.onclick = function () { state.page--; renderList(); };
      var next = h('button', '', 'next →');
      next.type = 'button';
      next.id = 'next-page';
      next.disabled = state.page >= pages - 1;
      next.onclick = function () { state.page++; renderList(); };
      add(list, add(pager, prev, ' page ' + (state.page + 1) + ' of ' + pages + ' ', next));
    }
    shownLine.textContent = rows.length + ' of ' + FILES.length + ' files' + (pages > 1 ? ', page ' + (state.page + 1) + ' of ' + pages : '');
  }

  function launchSection(l) {
    var s = h('section', 'launch' + (l.migrated ? '' : ' not-migrated'));
    var head = h('h3');
    if (l.migrated) {
      add(head, 'Launch at line ' + l.line + ': ', code(l.launcher), ' → ', code(l.entry), ' became ', code('run_recipe.py'), ' --recipe ', code(l.recipe), ' --dataset ', code(l.dataset), ' ');
    } else {
      add(head, badge('not-migrated', 'not migrated'), ' Launch at line ' + l.line + ': ', code(l.launcher), ' → ', code(l.entry), ' is left as it is: it does not run under Megatron Bridge ');
    }
    add(s, add(head, badge('verdict verdict-' + l.verdict, l.verdict)));
    if (l.findings.length) add(s, block('findings', 'Findings', findingList(l.findings)));
    if (l.removed.length) {
      add(s, block('removed', 'Removed or folded flags (each also in a # bridge-migrate: comment above its statement)', table('removed-table', [['Megatron-LM flag', 'tight'], 'As written', ['Line', 'num'], ['Outcome', 'tight'], ['Severity', 'tight'], 'Reason'], l.removed.map(function (u) {
        return [code(u[0]), code(u[1]), u[2], u[3], badge('sev sev-' + u[4], u[4]), u[5]];
      }))));
    }
    if (l.overrides.length) {
      add(s, folded(block('overrides', 'Overrides (' + l.overrides.length + ')', table('override-table', [['Bridge key', 'tight'], 'Value', ['Megatron-LM flag', 'tight'], ['Line', 'num']], l.overrides.map(function (v) { return [code(v[0]), code(v[1]), code(v[2]), v[3]]; })))));
    }
    if (l.pinned.length) {
      var pinned = block('pinned', 'Pinned Megatron-LM defaults (' + l.pinned.length + ')', table('pinned-table', [['Bridge key', 'tight'], 'Megatron-LM value', ['Flag', 'tight'], ['Line', 'num']], l.pinned.map(function (v) { return [code(v[0]), code(v[1]), code(v[2]), v[3]]; })));
      pinned.insertBefore(h('p', 'note', 'The recipe ' + l.recipe + ' would change these settings; the migrated launch pins Megatron-LM\'s value. Delete a line to take the recipe\'s value instead.'), pinned.childNodes[1]);
      add(s, folded(pinned));
    }
    return s;
  }
  /** A long table behind a summary line (open when short). */
  function folded(blockElement) {
    var rows = blockElement.querySelectorAll('tbody tr').length;
    var d = h('details', 'fold');
    d.open = rows <= 12;
    var title = blockElement.querySelector('h4');
    add(d, add(h('summary'), title));
    while (blockElement.firstChild) d.appendChild(blockElement.firstChild);
    return add(blockElement, d);
  }

  /** Side-by-side rows from a unified diff: context on both sides, - and + runs paired. */
  function diffRows(diff) {
    var rows = [];
    var dels = [];
    var adds = [];
    var oldNo = 0;
    var newNo = 0;
    function flush() {
      for (var i = 0; i < Math.max(dels.length, adds.length); i++) rows.push({ l: dels[i] || null, r: adds[i] || null });
      dels = [];
      adds = [];
    }
    diff.split('\n').forEach(function (line) {
      if (line.indexOf('--- ') === 0 || line.indexOf('+++ ') === 0 || line.indexOf('\\') === 0) return;
      var hunk = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      if (hunk) {
        flush();
        oldNo = Number(hunk[1]);
        newNo = Number(hunk[2]);
        rows.push({ hunk: line });
        return;
      }
      if (line === '') return;
      var text = line.slice(1).replace(/\r$/, '');
      if (line[0] === '-') dels.push([oldNo++, text]);
      else if (line[0] === '+') adds.push([newNo++, text]);
      else {
        flush();
        rows.push({ l: [oldNo++, text], r: [newNo++, text], same: true });
      }
    });
    flush();
    return rows;
  }
  /** The text with the part that differs from the other side marked (common prefix and suffix kept plain). */
  function marked(text, other, tag) {
    var cell = h('span', 'code');
    if (other === null) { cell.textContent = text; return cell; }
    var start = 0;
    while (start < text.length && start < other.length && text[start] === other[start]) start++;
    var end = 0;
    while (end < text.length - start && end < other.length - start && text[text.length - 1 - end] === other[other.length - 1 - end]) end++;
    add(cell, text.slice(0, start));
    if (text.length - end > start) add(cell, h(tag, '', text.slice(start, text.length - end)));
    add(cell, text.slice(text.length - end));
    return cell;
  }
  function diffSection(diff) {
    var t = h('table', 'sbs');
    var cols = h('colgroup');
    ['n', 'c', 'n', 'c'].forEach(function (c) { add(cols, h('col', c)); });
    add(t, cols);
    var body = h('tbody');
    diffRows(diff).forEach(function (row) {
      var tr = h('tr');
      if (row.hunk) {
        var cell = h('td', 'hunk', row.hunk);
        cell.colSpan = 4;
        add(body, add(tr, cell));
        return;
      }
      var left = row.l;
      var right = row.r;
      add(tr, h('td', 'n', left ? left[0] : ''));
      add(tr, add(h('td', 'c' + (row.same ? '' : left ? ' del' : ' empty')), left ? (row.same ? h('span', 'code', left[1]) : marked(left[1], right ? right[1] : null, 'del')) : null));
      add(tr, h('td', 'n', right ? right[0] : ''));
      add(tr, add(h('td', 'c' + (row.same ? '' : right ? ' ins' : ' empty')), right ? (row.same ? h('span', 'code', right[1]) : marked(right[1], left ? left[1] : null, 'ins')) : null));
      add(body, tr);
    });
    add(t, body);
    var d = h('details', 'diff');
    d.open = true;
    return add(d, h('summary', '', 'Diff (before | after)'), t);
  }

  function nextNeedingAttention(f) {
    var rows = shownFiles();
    if (rows.indexOf(f) < 0) rows = order(FILES);
    for (var i = rows.indexOf(f) + 1; i < rows.length; i++) if (needsAttention(rows[i])) return rows[i];
    return null;
  }

  function renderFile(f) {
    detail.textContent = '';
    var nav = h('nav', 'file-nav');
    var back = h('a', 'back', '← all files');
    back.href = '#';
    back.id = 'back';
    add(nav, back, ' · ');
    var next = nextNeedingAttention(f);
    if (next) {
      var link = h('a', 'next', 'next needing attention: ' + next.p + ' →');
      link.href = '#' + next.a;
      link.id = 'next-attention';
      add(nav, link);
    } else {
      add(nav, h('span', 'note', 'no further file needs attention'));
    }
    add(detail, nav);
    add(detail, add(h('h2', 'file-title'), h('span', 'path', f.p), ' ', badge('verdict verdict-' + f.v, VERDICT_TEXT[f.v]), ' ', badge('status status-' + f.s, STATUS_TEXT[f.s])));
    if (f.x) add(detail, add(h('div', 'error-box'), h('strong', '', 'Could not be processed: '), f.x));
    if (f.m.length) add(detail, block('file-messages', 'File findings', findingList(f.m)));
    f.L.forEach(function (l) { add(detail, launchSection(l)); });
    if (f.d) add(detail, diffSection(f.d));
    else if (f.t) add(detail, h('p', 'note', 'The diff is not available for this file.'));
    else if (f.s === 'unchanged') add(detail, h('p', 'note', 'No changes: the file is left as it is.'));
    else if (f.s === 'skipped') add(detail, h('p', 'note', 'No Megatron-LM launch: the file is left byte-identical.'));
  }

  function route() {
    var wanted = location.hash.slice(1);
    try { wanted = decodeURIComponent(wanted); } catch (e) { /* keep it as written */ }
    var f = byAnchor[wanted];
    document.body.classList.toggle('viewing-file', !!f);
    detail.hidden = !f;
    list.hidden = !!f;
    if (f) {
      renderFile(f);
      window.scrollTo(0, 0);
    } else {
      renderList();
    }
  }
  function showList() {
    if (location.hash && location.hash !== '#') location.hash = '';
    else route();
  }

  var buttons = Array.prototype.slice.call(document.querySelectorAll('.verdict-filter'));
  buttons.forEach(function (b) {
    b.addEventListener('click', function () {
      state.verdict = b.getAttribute('data-verdict');
      state.page = 0;
      buttons.forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
      showList();
    });
  });
  var flagSelect = document.getElementById('flag-filter');
  flagSelect.addEventListener('change', function () { state.flag = flagSelect.value; state.page = 0; showList(); });
  Array.prototype.slice.call(document.querySelectorAll('.flag-link')).forEach(function (a) {
    a.addEventListener('click', function (event) {
      event.preventDefault();
      state.flag = a.getAttribute('data-flag');
      flagSelect.value = state.flag;
      state.page = 0;
      showList();
    });
  });
  var sortSelect = document.getElementById('sort');
  sortSelect.addEventListener('change', function () { state.sort = sortSelect.value; state.page = 0; showList(); });
  var pathInput = document.getElementById('path-filter');
  pathInput.addEventListener('input', function () { state.query = pathInput.value; state.page = 0; showList(); });
  window.addEventListener('hashchange', route);
  route();
})();
`;

export const PAGE_CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg-soft:#f6f8fa; --ok:#1a7f37; --ok-bg:#dafbe1;
  --warn:#9a6700; --warn-bg:#fff8c5; --bad:#cf222e; --bad-bg:#ffebe9; --info:#0969da; --info-bg:#ddf4ff; --pin-bg:#fff4e0; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 48px; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: var(--fg); background: #fff; }
code, .path, .code, .sbs td { font-family: ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 17px; margin: 20px 0 8px; }
h3 { font-size: 14px; margin: 0 0 8px; font-weight: 600; }
h4 { font-size: 12px; margin: 0 0 4px; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
.meta, .note { color: var(--muted); }
.note { margin: 4px 0 8px; font-size: 13px; }
header.top { padding-bottom: 10px; border-bottom: 1px solid var(--line); margin-bottom: 14px; }
header.top .meta { margin: 4px 0 0; }
.summary { display: flex; flex-wrap: wrap; gap: 10px; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: 8px 14px; min-width: 120px; background: var(--bg-soft); }
.stat .num { display: block; font-size: 24px; font-weight: 600; line-height: 1.2; }
.stat .label { color: var(--muted); font-size: 13px; }
.stat.warn { background: var(--warn-bg); border-color: #eed888; }
.stat.bad { background: var(--bad-bg); border-color: #ffcecb; }
.controls { margin: 14px 0 6px; display: flex; flex-wrap: wrap; gap: 10px 24px; align-items: center; }
.controls .buttons { display: flex; flex-wrap: wrap; gap: 6px; }
.verdict-filter { font: inherit; font-size: 13px; border: 1px solid var(--line); background: #fff; border-radius: 999px; padding: 2px 12px; cursor: pointer; }
.verdict-filter[aria-pressed="true"] { background: var(--fg); color: #fff; border-color: var(--fg); }
.verdict-filter .count { font-weight: 600; }
.controls select, .controls input { font: inherit; font-size: 13px; max-width: 28em; }
.controls #shown { flex-basis: 100%; margin: 0; }
.flag-index ul.index { columns: 3 320px; margin: 0; padding-left: 18px; font-size: 13px; }
.flag-index li { break-inside: avoid; }
.flag-index li .sev { font-size: 11px; color: var(--muted); }
.flag-index li.sev-error .sev { color: var(--bad); font-weight: 600; }
.flag-index li.sev-warning .sev { color: var(--warn); font-weight: 600; }
.flag-index details { margin-top: 6px; font-size: 13px; }
body.viewing-file .controls, body.viewing-file .flag-index { display: none; }
.badge { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: 12px; font-weight: 600; border: 1px solid var(--line); white-space: nowrap; font-family: inherit; background: var(--bg-soft); color: var(--muted); }
.verdict-blocked, .verdict-error, .not-migrated.badge, .sev-error.badge { color: var(--bad); background: var(--bad-bg); border-color: #ffcecb; }
.verdict-review, .sev-warning.badge { color: var(--warn); background: var(--warn-bg); border-color: #eed888; }
.verdict-ready { color: var(--ok); background: var(--ok-bg); border-color: #aceebb; }
table.grid-table { border-collapse: collapse; width: 100%; font-size: 13px; }
.grid-table th, .grid-table td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
.grid-table th { background: var(--bg-soft); font-weight: 600; }
.grid-table .tight { white-space: nowrap; width: 1%; }
details.fold > summary { cursor: pointer; }
details.fold > summary h4 { display: inline; }
.grid-table .num { text-align: right; white-space: nowrap; width: 1%; font-variant-numeric: tabular-nums; }
.grid-table td.num.bad { color: var(--bad); font-weight: 600; }
.grid-table td.num.warn { color: var(--warn); font-weight: 600; }
.files td.path a { color: var(--info); text-decoration: none; }
.files td.path a:hover { text-decoration: underline; }
.files td:nth-child(3) { white-space: nowrap; }
.files td.flags { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; color: var(--muted); }
.pager { margin: 8px 0; }
.file-nav { margin: 6px 0 10px; }
.file-nav a { color: var(--info); }
.file-title .path { font-size: 15px; overflow-wrap: anywhere; }
.error-box { background: var(--bad-bg); border: 1px solid #ffcecb; color: #82071e; border-radius: 6px; padding: 8px 12px; margin: 8px 0; }
.launch { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.launch.not-migrated { border-left: 6px solid var(--bad); }
.block { margin: 8px 0 12px; }
.messages { margin: 0; padding: 0; list-style: none; }
.messages li { padding: 4px 10px; border-radius: 6px; margin: 3px 0; background: var(--bg-soft); border: 1px solid var(--line); overflow-wrap: anywhere; }
.messages li.sev-error { background: var(--bad-bg); border-color: #ffcecb; }
.messages li.sev-warning { background: var(--warn-bg); border-color: #eed888; }
.messages .at { font-weight: 600; white-space: nowrap; }
.messages .sev { font-weight: 600; }
.messages li.sev-error .sev { color: var(--bad); }
.messages li.sev-warning .sev { color: var(--warn); }
.pinned td { background: var(--pin-bg); }
details.diff > summary { cursor: pointer; font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .03em; margin: 8px 0; }
table.sbs { border-collapse: collapse; width: 100%; table-layout: fixed; border: 1px solid var(--line); }
table.sbs col.n { width: 3.5em; }
table.sbs td { padding: 0 6px; vertical-align: top; white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-all; }
table.sbs td.n { color: var(--muted); text-align: right; background: var(--bg-soft); user-select: none; }
table.sbs td.hunk { background: var(--info-bg); color: var(--muted); }
table.sbs td.del { background: #ffebe9; }
table.sbs td.ins { background: #dafbe1; }
table.sbs td.empty { background: #f6f8fa; }
table.sbs del { background: #ffc1bc; text-decoration: none; }
table.sbs ins { background: #aceebb; text-decoration: none; }
`;
