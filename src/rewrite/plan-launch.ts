/**
 * Turns one resolved launch into edits: each flag replaced in place by its override(s), removed
 * flags recorded in a comment above their statement, the entrypoint replaced by Bridge's
 * run_recipe.py, launcher fixes. Pure: returns edits and the launch report.
 */
import type { SourceLines } from '../parse/source-lines.js';
import type { Launch } from '../resolve/launches.js';
import type { FlagOccurrence, Segment } from '../resolve/types.js';
import type { Conversion, RunTimeGuard } from '../mapping/convert.js';
import type { Override } from '../mapping/hydra.js';
import { overrideText, partsText, renderHydra } from '../mapping/hydra.js';
import type { LaunchReport } from '../types.js';
import { at, blockedOr, error, note, warning, type Finding, type Severity } from '../findings.js';
import type { RemovalKind } from '../mapping/convert.js';
import { commentAnchor, deletionRange, mergeDeletions, type Edit } from './edits.js';
import { overrideShellText, ShellTextError } from './shell-text.js';
import { rewriteDeepspeed } from './deepspeed-launcher.js';
import { rewriteChoice } from './choices.js';
import { conditionText } from '../resolve/alternates.js';

export interface LaunchPlanInput {
  launch: Launch;
  lines: SourceLines;
  conversions: Conversion[];
  recipe: string;
  dataset: 'mock' | 'megatron-indexed';
  bridgeRoot: string;
  pins: Array<{ override: Override; flag: string }>;
  /** Name of the array that holds the pins (bash scripts). */
  pinsVariable: string;
  /** The script is POSIX sh: no arrays. */
  posix: boolean;
  findings: Finding[];
  /** Rewrites a flat key for the recipe's model shape (model.x -> model.transformer.x). */
  keyFor: (key: string) => string;
  /** Why a (spelled) key does not exist on the recipe's model config, if it does not. */
  keyProblem?: (key: string) => string | undefined;
  /** Unquoted `${A[@]}` expansions to quote (their elements hold Hydra overrides now). */
  quoteFixes?: Array<{ start: number; end: number }>;
}

export interface LaunchPlan {
  edits: Edit[];
  comments: Array<{ statementStart: number; text: string }>;
  report: LaunchReport;
}

/** A `}` outside `${...}` expansions (it would end an enclosing `${X:+...}`). */
function literalBrace(text: string): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}') {
      if (depth === 0) return true;
      depth--;
    }
  }
  return false;
}

function oneLine(text: string): string {
  return text.replace(/\\\n/g, ' ').replace(/\s+/g, ' ').trim();
}

function freeNewlines(segment: Segment, occ: FlagOccurrence): boolean {
  return occ.flagToken.ctx !== 'word' || segment.variable !== undefined;
}

/** True when the flag and its values do not sit in one quoting context (`--f "a b"` read word by word). */
function mixedContexts(occ: FlagOccurrence, text: string): boolean {
  if (occ.inlineValue || occ.values.length === 0) return false;
  if (occ.values.some((v) => v.ctx !== occ.flagToken.ctx)) return true;
  let prev = occ.flagToken.end;
  for (const v of occ.values) {
    if (/["']/.test(text.slice(prev, v.start))) return true;
    prev = v.end;
  }
  return false;
}

/** Quoted array elements (split by an unquoted ${A[@]}) all of whose words belong to the occurrence. */
function coveredGroups(occ: FlagOccurrence, text: string): Array<{ start: number; end: number }> {
  const tokens = [occ.flagToken, ...occ.values];
  const groups = new Map<number, { start: number; end: number }>();
  for (const t of tokens) if (t.group) groups.set(t.group.start, t.group);
  return [...groups.values()].filter((g) => {
    const inside = tokens.filter((t) => t.group?.start === g.start);
    return /^\s*$/.test(text.slice(g.start + 1, inside[0].start)) && /^\s*$/.test(text.slice(inside[inside.length - 1].end, g.end - 1));
  });
}

/** Where the occurrence ends as written: after the closing quote of an element it ends. */
function writtenEnd(occ: FlagOccurrence, text: string): number {
  const group = coveredGroups(occ, text).find((g) => g.end >= occ.end);
  return group ? group.end : occ.end;
}

/**
 * True when a comment sits between the flag and its values (values continued on the next lines of
 * an array, each with its own `# ...`): one replacement of the whole span would delete the comments.
 */
function commentBetween(occ: FlagOccurrence, text: string): boolean {
  if (occ.inlineValue) return false;
  let prev = occ.flagToken.end;
  for (const v of occ.values) {
    if (text.slice(prev, v.start).includes('#')) return true;
    prev = v.end;
  }
  return false;
}

function entryText(input: LaunchPlanInput): string {
  const { launch, recipe, dataset, bridgeRoot } = input;
  const script = `${bridgeRoot}/scripts/training/run_recipe.py`;
  const plain = /^[A-Za-z0-9_\-.\/:+@%]+$/.test(script) || launch.ctx === 'dq-split' || launch.ctx === 'sq-split';
  const quoted = plain ? script : `"${script}"`;
  const words = [quoted, '--recipe', recipe, '--dataset', dataset];
  const text = words.join(' ');
  return launch.ctx === 'dq-code' ? text.replace(/[\\"`]/g, '\\$&') : text;
}

export function planLaunch(input: LaunchPlanInput): LaunchPlan {
  const { launch, lines, conversions } = input;
  const text = lines.text;
  const edits: Edit[] = [];
  const comments: LaunchPlan['comments'] = [];
  const report: LaunchReport = {
    line: lines.lineOf(launch.entry.start),
    entrypoint: launch.entryName,
    launcher: launch.launcher,
    migrated: true,
    verdict: 'ready',
    recipe: input.recipe,
    dataset: input.dataset,
    overrides: [],
    pinned: [],
    removed: [],
    findings: [...input.findings],
  };

  const withKeys = (os: Override[]) => os.map((o) => ({ ...o, key: input.keyFor(o.key) }));
  const removals: Array<{ c: Conversion; reason: string; kind: RemovalKind; severity: Severity }> = [];
  /** Value words deleted one by one (their flag replaced on its own), keeping comments between them. */
  const valueDeletions: FlagOccurrence[] = [];
  const remove = (c: Conversion, reason: string, kind: RemovalKind, severity: Severity = kind === 'error' ? 'error' : c.removed?.severity ?? 'warning') => {
    const occ = c.occurrence;
    const written = oneLine(text.slice(occ.start, writtenEnd(occ, text)));
    removals.push({ c, reason, kind, severity });
    report.removed.push({ flag: occ.flag, line: occ.line, text: written, reason, kind, severity });
    report.findings.push({ line: occ.line, severity, message: `removed \`${written}\`: ${reason}` });
  };

  /** `--${V}` words with a flag per value of V, by the word's start. */
  const choices = new Map<number, Conversion[]>();
  for (const c of [...conversions].sort((a, b) => a.occurrence.start - b.occurrence.start)) {
    const occ = c.occurrence;
    for (const n of c.notes) report.findings.push(at(occ.line, n));
    if (occ.choice) {
      choices.set(occ.flagToken.start, [...(choices.get(occ.flagToken.start) ?? []), c]);
      continue;
    }
    if (c.guard) {
      const placed = guardEdit(lines, occ, c.guard);
      if (!placed) {
        remove(c, `${c.removed?.reason ?? occ.flag}; the check that would stop a run where they differ has no place here (the statement that holds ${occ.flag} does not start its own line, or runs as code another shell parses)`, 'error');
        continue;
      }
      edits.push(placed);
    }
    if (occ.nameFrom) report.findings.push(at(occ.line, warning(`\`${occ.nameFrom}\` is ${occ.flag} here (the variable is set once in the script), so it is migrated as ${occ.flag}: a later change of that variable no longer changes this setting; edit the override instead`)));
    if (!c.removed && occ.values.some((v) => (v.ctx === 'dq-split' || v.ctx === 'sq-split') && v.parts.some((p) => p.kind === 'lit' && /['"]/.test(p.text)))) {
      report.findings.push({ line: occ.line, severity: 'warning', message: `the value of ${occ.flag} holds quote characters that reach the program literally (they are inside a string that is split into words, so bash does not remove them); the override keeps them: check that this is what you meant` });
    }
    const mixed = mixedContexts(occ, text);
    if (occ.placeholder !== undefined && c.entry?.convert === 'pass' && !mixed) {
      // An unfilled template stays a template, in Bridge's spelling: filled in, it is the override.
      const keys = c.entry.keys.map(input.keyFor);
      if (!keys.some((k) => input.keyProblem?.(k) !== undefined)) {
        edits.push({ start: occ.start, end: occ.end, text: keys.map((k) => `${k}=${occ.placeholder}`).join(' ') });
        for (const key of keys) report.overrides.push({ key, value: occ.placeholder, flag: occ.flag, line: occ.line });
        report.findings.push({ line: occ.line, severity: 'error', message: `${occ.flag} ${occ.placeholder} is an unfilled template placeholder with blanks: written as ${keys.map((k) => `${k}=${occ.placeholder}`).join(' ')}; fill it in with a value without blanks (until then run_recipe.py rejects the extra words, as Megatron-LM did)` });
        continue;
      }
    }
    if (!c.removed && c.overrides.length && mixed) {
      remove(c, `the flag and its value are written in different quoting contexts (a quoted array element read word by word), so no single override can replace them in place; write it by hand: ${withKeys(c.overrides).map(overrideText).join(' ')}`, 'error');
      continue;
    }
    if (!c.removed && c.overrides.length) {
      const overrides = withKeys(c.overrides);
      const problem = overrides.map((o) => input.keyProblem?.(o.key)).find((p) => p !== undefined);
      if (problem) {
        remove(c, problem, 'error');
        continue;
      }
      try {
        const replacement = overrides.map((o) => overrideShellText(o, occ.flagToken.ctx)).join(' ');
        // Inside "...${X:+...}..." a `}` would end the expansion (shellWord quotes it elsewhere).
        if (occ.condition && occ.flagToken.ctx !== 'alt-word' && literalBrace(replacement)) throw new ShellTextError(`a value with } cannot be written inside \`\${${occ.condition.variable}${occ.condition.op}...}\` in a string`);
        // Bash accepts `(` there, but tree-sitter-bash (which checks every output) does not.
        if (occ.condition && occ.flagToken.ctx !== 'alt-word' && /[()]/.test(replacement)) throw new ShellTextError(`a value with ( or ) (such as Hydra's float(...)) is not written inside \`\${${occ.condition.variable}${occ.condition.op}...}\` in a string, where bridge-migrate's parser cannot check it`);
        if (commentBetween(occ, text)) {
          edits.push({ start: occ.flagToken.start, end: occ.flagToken.end, text: replacement });
          valueDeletions.push(occ);
        } else edits.push({ start: occ.start, end: occ.end, text: replacement });
        const condition = occ.condition ? conditionText(occ.condition) : undefined;
        for (const o of overrides) report.overrides.push({ key: o.key, value: partsText(renderHydra(o.value)), flag: occ.flag, line: occ.line, ...(condition ? { condition } : {}) });
        if (occ.condition && condition) {
          const keys = overrides.map((o) => o.key);
          const pinned = input.pins.map((p) => ({ key: input.keyFor(p.override.key), value: partsText(renderHydra(p.override.value)) })).filter((p) => keys.includes(p.key));
          const otherwise = pinned.length
            ? `; otherwise the pinned Megatron-LM default${pinned.length === 1 ? '' : 's'} ${pinned.map((p) => `${p.key}=${p.value}`).join(' ')} (before it on the command line) appl${pinned.length === 1 ? 'ies' : 'y'}`
            : '';
          report.findings.push({ line: occ.line, severity: 'note', message: `${occ.flag} is given ${condition} (\`\${${occ.condition.variable}${occ.condition.op}...}\`): migrated inside the same expansion, so ${keys.join(', ')} ${keys.length === 1 ? 'is' : 'are'} set from it only then${otherwise}; its value depends on $${occ.condition.variable} at run time` });
        }
        continue;
      } catch (e) {
        if (!(e instanceof ShellTextError)) throw e;
        remove(c, `${e.message}: ${overrides.map(overrideText).join(' ')}`, 'error');
        continue;
      }
    }
    remove(c, c.removed?.reason ?? 'no Bridge override', c.removed?.kind ?? 'unmapped', c.removed?.severity);
  }
  for (const group of choices.values()) {
    const rewrite = rewriteChoice(group, lines, input.keyFor);
    const line = group[0].occurrence.line;
    if (rewrite.problem) {
      report.findings.push({ line, severity: 'error', message: `${rewrite.problem}; it reaches run_recipe.py as written, which rejects it` });
      continue;
    }
    edits.push(...rewrite.edits);
    for (const { value, overrides } of rewrite.byValue) {
      for (const o of overrides) report.overrides.push({ key: o.key, value: partsText(renderHydra(o.value)), flag: `--${value}`, line, condition: `when $${rewrite.variable} is ${value}` });
    }
    report.findings.push({ line, severity: 'warning', message: `the precision is chosen by $${rewrite.variable} at run time: its overrides for each value are set by a \`case\` above this statement (${rewrite.byValue.map((v) => `${v.value}: ${v.overrides.map(overrideText).join(' ')}`).join('; ')}); any other value reaches run_recipe.py as --$${rewrite.variable}, which it rejects` });
  }
  // Removed words at the end of the launch line go together with the continuations before them,
  // so that no dangling ` \` is left.
  const entry = launch.entry;
  const argWords = launch.args;
  // Spans of removed occurrences on the command line, sorted (they do not overlap): a binary
  // search per word keeps a launch of thousands of removed flags linear.
  // A `${X:+...}` all of whose flags are removed goes as one word (no empty `${X:+}` is left).
  const wholeAlternates = emptiedAlternates(conversions, removals.map((r) => r.c.occurrence), text);
  const removedSpans = [...removals.map((r) => r.c.occurrence).filter((o) => !o.segment.variable && !wholeAlternates.has(o.condition?.start ?? -1)), ...[...wholeAlternates.values()].filter((w) => !w.variable)].sort((x, y) => x.start - y.start);
  const isRemoved = (start: number, end: number) => {
    let lo = 0;
    let hi = removedSpans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (removedSpans[mid].start <= start) lo = mid + 1;
      else hi = mid - 1;
    }
    // the last span starting at or before `start`; an earlier one would end before it
    return hi >= 0 && end <= removedSpans[hi].end;
  };
  let k = argWords.length - 1;
  while (k >= 0 && isRemoved(argWords[k].start, argWords[k].end)) k--;
  let tailFrom = Infinity;
  if (launch.ctx === 'word' && k < argWords.length - 1) {
    tailFrom = k >= 0 ? argWords[k].end : entry.end;
    edits.push({ start: tailFrom, end: argWords[argWords.length - 1].end, text: '' });
  }
  // Deletions last, so they can tidy around replacements without overlapping them.
  for (const occ of valueDeletions) {
    for (const v of occ.values) edits.push(deletionRange(lines, v.start, v.end, freeNewlines(occ.segment, occ), edits));
  }
  for (const w of wholeAlternates.values()) {
    if (!(w.start >= tailFrom && !w.variable)) edits.push(deletionRange(lines, w.start, w.end, w.free, edits));
  }
  for (const r of removals) {
    const occ = r.c.occurrence;
    const groups = coveredGroups(occ, text);
    if (occ.condition && wholeAlternates.has(occ.condition.start)) {
      // deleted with its expansion above
    } else if (mixedContexts(occ, text) || commentBetween(occ, text) || groups.length) {
      // Each word goes on its own, inside the quoting it is written in; a quoted array element
      // whose words all go is removed whole.
      const loose = [occ.flagToken, ...occ.values].filter((t) => !groups.some((g) => g.start <= t.start && t.end <= g.end));
      // `whole`: a complete shell word (an element, or a word of the launch line).
      const units = [
        ...groups.map((g) => ({ start: g.start, end: g.end, free: true, whole: true })),
        ...loose.map((t) => ({ start: t.start, end: t.end, free: t.ctx !== 'word' || !!occ.segment.variable, whole: t.ctx === 'word' })),
      ].sort((a, b) => a.start - b.start);
      // Whole words next to each other on one line go as one deletion.
      const merged: typeof units = [];
      for (const u of units) {
        const prev = merged[merged.length - 1];
        if (prev && prev.whole && u.whole && /^[ \t]*$/.test(text.slice(prev.end, u.start))) {
          prev.end = u.end;
          prev.free = prev.free && u.free;
        } else merged.push({ ...u });
      }
      for (const u of merged) edits.push(deletionRange(lines, u.start, u.end, u.free, edits));
    } else if (!(occ.start >= tailFrom && !occ.segment.variable)) edits.push(deletionRange(lines, occ.start, occ.end, freeNewlines(occ.segment, occ), edits));
    if (r.kind !== 'folded' && r.kind !== 'launcher') {
      comments.push({ statementStart: occ.segment.statementStart, text: `${r.severity}: removed \`${oneLine(text.slice(occ.start, writtenEnd(occ, text)))}\` (line ${occ.line}): ${r.reason}` });
    }
  }

  // The entrypoint becomes run_recipe.py, then the pinned defaults (first, so the script's own
  // overrides after them win).
  let replacement = entryText(input);
  if (input.pins.length) {
    const code = launch.ctx !== 'word';
    const anchor = code || input.posix ? undefined : commentAnchor(lines, launch.statementStart);
    if (anchor) {
      // Grouped in an array above the launch, first on the command line so the script's own
      // overrides (after it) win; a reviewer deletes a line to take the recipe's value instead.
      const inner = `${anchor.indent}    `;
      const body = input.pins.map((p) => `${inner}${overrideShellText({ ...p.override, key: input.keyFor(p.override.key) }, 'word')}`).join('\n');
      const text = `${anchor.indent}# bridge-migrate: Megatron-LM defaults that ${input.recipe} would change; delete a line to take the recipe's value\n${anchor.indent}${input.pinsVariable}=(\n${body}\n${anchor.indent})\n`;
      edits.push({ start: anchor.at, end: anchor.at, text });
      replacement += ` "\${${input.pinsVariable}[@]}"`;
    } else {
      const pinTexts: string[] = [];
      for (const p of input.pins) {
        try {
          pinTexts.push(overrideShellText({ ...p.override, key: input.keyFor(p.override.key) }, launch.ctx));
        } catch (e) {
          if (!(e instanceof ShellTextError)) throw e;
          report.findings.push(at(lines.lineOf(entry.start), warning(`could not pin ${overrideText(p.override)} here (${e.message}); add it by hand`)));
        }
      }
      replacement += ` ${pinTexts.join(' ')}`;
    }
    report.findings.push(at(lines.lineOf(entry.start), warning(`${input.pins.length} Megatron-LM default${input.pins.length === 1 ? '' : 's'} that ${input.recipe} would change ${input.pins.length === 1 ? 'is' : 'are'} pinned on this launch${anchor ? ` (${input.pinsVariable} above it)` : ''}: keep them to train as before, or delete a line to take the recipe's value`)));
    for (const p of input.pins) report.pinned.push({ key: input.keyFor(p.override.key), value: partsText(renderHydra(p.override.value)), flag: p.flag, line: lines.lineOf(entry.start) });
  }
  edits.push({ start: entry.start, end: entry.end, text: replacement });

  // python -m torch.distributed.launch passes --local_rank, which run_recipe.py rejects.
  const launcherWords = launch.launcherWords;
  const moduleWords = launcherWords.filter((w) => w.text === 'torch.distributed.launch');
  for (const w of moduleWords) {
    edits.push({ start: w.start, end: w.end, text: 'torch.distributed.run' });
    report.findings.push(at(lines.lineOf(w.start), note('python -m torch.distributed.launch passes --local_rank to the script, which run_recipe.py rejects; switched to torch.distributed.run (same options)')));
  }
  if (moduleWords.length) {
    for (const u of launcherWords) {
      if (u.text === '--use_env' || u.text === '--use-env') {
        edits.push(deletionRange(lines, u.start, u.end, launch.ctx !== 'word' || !moduleWords.some((m) => lines.lineOf(m.start) === lines.lineOf(u.start)), edits));
        report.findings.push(at(lines.lineOf(u.start), note(`removed ${u.text}: torch.distributed.run always sets LOCAL_RANK in the environment`)));
      }
    }
  }
  const deepspeed = rewriteDeepspeed(launcherWords, lines, launch.ctx !== 'word', edits);
  if (deepspeed) {
    edits.push(...deepspeed.edits);
    for (const message of deepspeed.warnings) report.findings.push(at(report.line, blockedOr(message, 'warning')));
  }
  for (const q of input.quoteFixes ?? []) {
    const written = text.slice(q.start, q.end);
    edits.push({ start: q.start, end: q.end, text: `"${written}"` });
    report.findings.push(at(lines.lineOf(q.start), note(`${written} is now quoted so each override stays one word (unquoted, an element with spaces or [..] would be split or globbed)`)));
  }
  return { edits: mergeDeletions(lines, edits), comments, report };
}

/**
 * The `${X:+...}` expansions whose every flag is removed and that hold nothing else: the whole
 * expansion is deleted, keyed by its start. `free`: it may take its line (inside a string or array).
 */
function emptiedAlternates(conversions: Conversion[], removed: FlagOccurrence[], text: string): Map<number, { start: number; end: number; variable?: string; free: boolean }> {
  const byAlternate = new Map<number, FlagOccurrence[]>();
  for (const c of conversions) {
    const cond = c.occurrence.condition;
    if (cond) byAlternate.set(cond.start, [...(byAlternate.get(cond.start) ?? []), c.occurrence]);
  }
  const whole = new Map<number, { start: number; end: number; variable?: string; free: boolean }>();
  for (const [start, occs] of byAlternate) {
    if (!occs.every((o) => removed.includes(o))) continue;
    const cond = occs[0].condition!;
    let rest = text.slice(cond.bodyStart, cond.bodyEnd);
    for (const o of [...occs].sort((a, b) => b.start - a.start)) rest = rest.slice(0, o.start - cond.bodyStart) + rest.slice(o.end - cond.bodyStart);
    if (!/^\s*$/.test(rest)) continue;
    const segment = occs[0].segment;
    whole.set(start, { start: cond.start, end: cond.end, variable: segment.variable, free: segment.variable !== undefined || occs[0].flagToken.ctx !== 'alt-word' });
  }
  return whole;
}

/** The run-time check of a conversion, above the statement that holds its flag (undefined: no place for it). */
function guardEdit(lines: SourceLines, occ: FlagOccurrence, guard: RunTimeGuard): Edit | undefined {
  if (occ.flagToken.ctx === 'sq-code' || occ.values.some((value) => value.ctx === 'sq-code')) return undefined;
  const anchor = commentAnchor(lines, occ.segment.statementStart);
  if (!anchor) return undefined;
  // `[ ... ]`, `>&2` and `exit 1` are POSIX sh too.
  const text = `${anchor.indent}# bridge-migrate: ${guard.comment}\n${anchor.indent}if ${guard.condition}; then echo "bridge-migrate: ${guard.message}" >&2; exit 1; fi\n`;
  return { start: anchor.at, end: anchor.at, text };
}

export function commentEdits(lines: SourceLines, comments: LaunchPlan['comments']): { edits: Edit[]; unplaced: string[] } {
  const byAnchor = new Map<number, { indent: string; texts: string[]; seen: Set<string> }>();
  const unplaced: string[] = [];
  for (const c of comments) {
    const anchor = commentAnchor(lines, c.statementStart);
    if (!anchor) {
      unplaced.push(c.text);
      continue;
    }
    const entry = byAnchor.get(anchor.at) ?? { indent: anchor.indent, texts: [], seen: new Set<string>() };
    if (!entry.seen.has(c.text)) {
      entry.seen.add(c.text);
      entry.texts.push(c.text);
    }
    byAnchor.set(anchor.at, entry);
  }
  const edits: Edit[] = [];
  for (const [at, { indent, texts }] of byAnchor) {
    edits.push({ start: at, end: at, text: texts.map((t) => `${indent}# bridge-migrate: ${t}\n`).join('') });
  }
  return { edits, unplaced };
}
