/**
 * The core: one script's text in, the migrated text and a report out. No file system, no process,
 * no console. Flow: parse -> resolve (launches, arguments, flags) -> map (table + rules) -> edits ->
 * splice.
 */
import { parseBash, initParser, editTree, type Tree } from './parse/parser.js';
import { SourceLines } from './parse/source-lines.js';
import { errorRegions, overlaps, type Region } from './parse/error-regions.js';
import { indexScript } from './resolve/script-index.js';
import { findLaunches, type Launch } from './resolve/launches.js';
import { findCarriers, resolveArguments, staticSplit } from './resolve/arguments.js';
import { readFlags } from './resolve/flags.js';
import { launchKind, type LaunchKind } from './resolve/launch-kind.js';
import { buildTable, defaultTable, type FlagTable } from './mapping/table.js';
import { convertOccurrence, removed, type Conversion } from './mapping/convert.js';
import { ValueError } from './mapping/values.js';
import { rules } from './mapping/rules/index.js';
import { foldNoneSections } from './mapping/rules/whole-sections.js';
import { addCompanions } from './mapping/companions.js';
import { layoutPins, pinnedDefaults } from './mapping/defaults.js';
import { chooseRecipe } from './mapping/choose-recipe.js';
import { keyForView, modelKeyProblem, VANILLA } from './mapping/recipes.js';
import { applyEdits, type Edit } from './rewrite/edits.js';
import { commentEdits, planLaunch } from './rewrite/plan-launch.js';
import type { FileReport, LaunchReport, MigrateOptions, MigrateResult } from './types.js';
import { at, blockedOr, error, note, verdictOf, warning, type Finding, type Message } from './findings.js';
import { sbatchValues, staticValues, staticWordText } from './verify/static-values.js';
import { launchWorldSize, verificationInput } from './verify/requests.js';
import { startFindings } from './mapping/start-checks.js';
import type { FlagOccurrence, Token } from './resolve/types.js';
import { leftoverComments } from './resolve/leftover-comments.js';
import { conditionText } from './resolve/alternates.js';
import { readDeepspeedConfig } from './resolve/deepspeed-config.js';
import { deepspeedPlanFor } from './mapping/deepspeed-config.js';
import { precisionChoices } from './resolve/precision-choices.js';
import { tokenText } from './mapping/values.js';

export { initParser };

const ENTRY_MENTION = /pretrain_[A-Za-z0-9_]+\.py/;
const PLACEHOLDER = /<[A-Za-z][^<>\n]*>/;

export const DEFAULT_BRIDGE_ROOT = '${MEGATRON_BRIDGE_DIR:-/opt/Megatron-Bridge}';
export const DEFAULT_RECIPE = VANILLA;

const tablesByExtra = new WeakMap<object, FlagTable>();

/** Flags that choose the precision preset (a `--${DTYPE}` choice cannot be combined with them). */
const PRECISION_CHOICE_FLAGS = new Set(['--bf16', '--fp16', '--fp8-format', '--fp8-recipe', '--fp4-format', '--fp4-recipe', '--fp8-e4m3', '--fp8-hybrid']);

/** Rules whose settings come from their one flag alone, so a conditional flag of theirs stays conditional. */
const SELF_CONTAINED_RULES = new Set(['mock-data', 'distributed-optimizer']);

/** The table for these options; a table with extra mappings is built once per mappings object. */
function tableFor(options: MigrateOptions): FlagTable {
  if (options.table) return options.table;
  const extra = options.extraMappings;
  if (!extra || Object.keys(extra).length === 0) return defaultTable;
  let table = tablesByExtra.get(extra);
  if (!table) {
    table = buildTable(Object.fromEntries(defaultTable.entries().map((e) => [e.flag, e])), extra);
    tablesByExtra.set(extra, table);
  }
  return table;
}

function convertAll(occurrences: FlagOccurrence[], table: FlagTable, valueText: (token: Token) => string | undefined, fold: (conversions: Conversion[]) => Conversion[] = (c) => c) {
  // Every rule asks it of every occurrence: each occurrence is looked up once.
  const entries = new Map(occurrences.map((o) => [o, table.lookup(o.flag)]));
  const entryOf = (o: FlagOccurrence) => (entries.has(o) ? entries.get(o) : table.lookup(o.flag));
  const byOcc = new Map<FlagOccurrence, Conversion>();
  for (const o of occurrences) byOcc.set(o, convertOccurrence(o, entryOf(o)));
  const findings: Message[] = [];
  let dataset: 'mock' | 'megatron-indexed' | undefined;
  // A flag given only under a `${X:+...}` condition takes part in a rule only when the rule's
  // settings come from that flag alone (they can then be written inside the same expansion).
  const unconditional = occurrences.filter((o) => !o.condition);
  for (const rule of rules) {
    let result;
    try {
      result = rule.apply({ occurrences: SELF_CONTAINED_RULES.has(rule.name) ? occurrences : unconditional, allOccurrences: occurrences, entryOf, valueText });
    } catch (e) {
      if (!(e instanceof ValueError)) throw e;
      // A bad value (`--seq-length abc`): the rule's flags are not converted, and say why.
      for (const o of occurrences) if (entryOf(o)?.rule === rule.name) byOcc.set(o, removed(o, e.message, 'error', entryOf(o)));
      continue;
    }
    for (const c of result.conversions) byOcc.set(c.occurrence, c);
    findings.push(...result.findings);
    if (result.dataset === 'megatron-indexed' || (result.dataset && !dataset)) dataset = result.dataset;
  }
  // A precision chosen by a variable (`--${DTYPE}`) stands alone: with other precision flags beside it, it is not migrated.
  const chosen = occurrences.filter((o) => o.choice);
  const precisionFlags = occurrences.filter((o) => !o.choice && PRECISION_CHOICE_FLAGS.has(entryOf(o)?.flag ?? o.flag));
  if (chosen.length && precisionFlags.length) {
    for (const o of chosen) byOcc.set(o, removed(o, `the launch also gives ${precisionFlags.map((p) => p.flag).join(', ')}, so the precision cannot be chosen by $${o.choice!.variable} alone`, 'error', entryOf(o)));
  }
  for (const o of occurrences) {
    const rule = entryOf(o)?.rule;
    if (!o.condition || !rule || SELF_CONTAINED_RULES.has(rule)) continue;
    byOcc.set(o, removed(o, `${o.flag} is given ${conditionText(o.condition)} (inside \`\${${o.condition.variable}${o.condition.op}...}\`), and its Bridge settings are worked out together with the launch's other flags (the ${rule} rule), which cannot be written inside that expansion; write both cases by hand (if [ -n "$${o.condition.variable}" ]; then ... else ... fi) with the overrides \`bridge-migrate explain ${o.flag}\` names`, 'error', entryOf(o)));
  }
  const folded = foldNoneSections(addCompanions(fold([...byOcc.values()])));
  return { conversions: folded.conversions, findings: [...findings, ...folded.findings], dataset };
}

function editsTouchErrors(edits: Edit[], regions: Region[]): boolean {
  return edits.some((e) => overlaps(regions, e.start, Math.max(e.end, e.start + 1)));
}

/** Migrates one script. `initParser()` must have resolved. Never throws for bad input. */
export function migrate(source: string, options: MigrateOptions = {}): MigrateResult {
  // Comments an earlier --write left are findings until a person deletes them.
  const report: FileReport = { path: options.path, status: 'skipped', launches: [], messages: leftoverComments(source) };
  // Fast path: a launch names its entrypoint somewhere in the file (even when a variable holds it).
  if (!ENTRY_MENTION.test(source) && !(options.entrypoints ?? []).some((e) => source.includes(e))) return { output: source, report };
  const table = tableFor(options);
  const lines = new SourceLines(source);
  const parsed = parseWithRecovery(source, lines);
  const tree = parsed.tree;
  const analysed = parsed.text;
  const extraTrees: Array<{ delete(): void }> = [];
  try {
    const regions = [...parsed.blanked, ...errorRegions(tree.rootNode)];
    for (const b of parsed.blanked) {
      report.messages.push(at(lines.lineOf(b.start), warning('bash syntax error on this line (a template placeholder such as `<Specify path>`): the line was read as if it were not there and nothing on it was changed; fill it in')));
    }
    const index = indexScript(tree.rootNode);
    // Values the script fixes once (flag names built from variables, the verifier's argv, the
    // launcher's process count), worked out when first needed.
    let known: Map<string, string> | undefined;
    const scriptValues = () => (known ??= staticValues(index, sbatchValues(source)));
    const scan = findLaunches(index, analysed, extraTrees, options.entrypoints ?? []);
    for (const p of scan.problems) report.messages.push(at(lines.lineOf(p.offset), blockedOr(p.message, p.severity ?? 'error')));
    if (scan.launches.length === 0) {
      // A script that names an entrypoint outside comments but has no launch we can follow
      // (a heredoc, an echo, a sourced file ...): say so instead of passing it over silently.
      const mention = source.split('\n').findIndex((l) => !/^\s*#/.test(l) && ENTRY_MENTION.test(l));
      if (mention !== -1) {
        report.messages.push(at(mention + 1, error(`names ${ENTRY_MENTION.exec(source.split('\n')[mention])![0]} but bridge-migrate found no launch command it can follow (inside a heredoc, an echo, or a file that another script sources?); migrate it by hand`)));
      }
      const remaining = errorRegions(tree.rootNode);
      if (remaining.length) {
        report.messages.push(at(lines.lineOf(remaining[0].start), warning('bash syntax error here (the file has no Megatron-LM launch outside it, so nothing was changed)')));
      }
      return { output: source, report };
    }
    const carriers = findCarriers(index, analysed);
    const gpt = scan.launches.filter((l) => l.family !== 'unsupported');
    const unsupported = scan.launches.filter((l) => l.family === 'unsupported');
    // Carriers shared with launches we do not migrate must stay as they are.
    const frozen = new Set<string>();
    for (const l of unsupported) {
      for (const name of resolveArguments(l, index, lines, carriers, analysed).carriers.keys()) frozen.add(name);
      report.launches.push(skippedLaunch(l, lines, `${l.entryName} has no Megatron Bridge recipe family (only GPT and Mamba/hybrid models are migrated); left as it is`));
    }
    // Arguments read once per launch; launches that are no Megatron-LM training run (another
    // trainer named pretrain_*.py, a checkpoint conversion) are left alone with their carriers.
    const read = new Map<Launch, { resolved: ReturnType<typeof resolveArguments>; flags: ReturnType<typeof readFlags>; kind: LaunchKind }>();
    for (const launch of gpt) {
      const resolved = resolveArguments(launch, index, lines, carriers, analysed);
      const flags = readFlags(resolved.segments, (f) => table.lookup(f)?.arity, lines, (t) => staticSplit(t, index, analysed), (t) => staticWordText(t, scriptValues()), (t) => precisionChoices(t, index, lines));
      const kind = launchKind(launch.entryName, flags.occurrences, flags.strays, table, analysed);
      read.set(launch, { resolved, flags, kind });
      if (kind.kind !== 'training' || launch.unreadReassignment) for (const name of resolved.carriers.keys()) frozen.add(name);
    }
    let pinsCount = 0;
    const nextPinsVariable = () => (pinsCount++ === 0 ? 'MEGATRON_LM_DEFAULTS' : `MEGATRON_LM_DEFAULTS_${pinsCount}`);
    const edits: Edit[] = [];
    const comments: Array<{ statementStart: number; text: string }> = [];
    const verification: NonNullable<MigrateResult['verification']> = [];
    const values = options.verification ? scriptValues() : undefined;
    for (const launch of gpt) {
      const launchLine = lines.lineOf(launch.entry.start);
      if (overlaps(regions, launch.start, launch.end)) {
        report.launches.push(skippedLaunch(launch, lines, 'the launch overlaps a bash syntax error; fix the script so that `bash -n` accepts it, then run bridge-migrate again'));
        continue;
      }
      if (launch.secondEntry) {
        report.launches.push(skippedLaunch(launch, lines, `this command names a second entrypoint (line ${lines.lineOf(launch.secondEntry.start)}); split it into one command per launch, then run bridge-migrate again`));
        continue;
      }
      if (launch.cutOff) {
        const cut = lines.lineOf(launch.cutOff.start);
        report.launches.push(skippedLaunch(launch, lines, `blocked: the launch command ends at the end of line ${cut - 1}, so \`${launch.cutOff.text.trim()}\` (line ${cut}) runs as a command of its own and ${launch.entryName} never receives those arguments; join the lines (or end line ${cut - 1} with \\), then run bridge-migrate again`));
        continue;
      }
      if (launch.unreadReassignment) {
        const { variable, offset, message } = launch.unreadReassignment;
        report.launches.push(skippedLaunch(launch, lines, `$${variable} is assigned again at line ${lines.lineOf(offset)} ${message}`));
        continue;
      }
      const { resolved, flags, kind } = read.get(launch)!;
      if (kind.kind !== 'training') {
        report.launches.push(skippedLaunch(launch, lines, kind.reason));
        continue;
      }
      const shared = [...resolved.carriers.keys()].filter((n) => frozen.has(n));
      if (shared.length) {
        report.launches.push(skippedLaunch(launch, lines, `${shared.map((n) => `$${n}`).join(', ')} also feed${shared.length === 1 ? 's' : ''} a launch that is not migrated; split the variables first`));
        continue;
      }
      const { strays } = flags;
      const valueText = (token: Token) => tokenText(token) ?? staticWordText(token, scriptValues());
      const deepspeed = deepspeedPlanFor(flags.occurrences, table, (configOccurrence) => readDeepspeedConfig(configOccurrence.values[0], index, analysed, lines, scriptValues(), launch.start, launch.branchPath), valueText);
      // The flags as the run sees them: a DeepSpeed config the script writes is read as the flags it stands for.
      const occurrences = deepspeed?.occurrences ?? flags.occurrences;
      const converted = convertAll(occurrences, table, valueText, deepspeed?.fold);
      const findings: Finding[] = [
        ...resolved.problems.map((p) => at(lines.lineOf(p.offset), blockedOr(p.message, p.severity ?? 'error'))),
        ...strays.map((s) => ({ line: lines.lineOf(s.token.start), message: s.message, severity: s.severity ?? 'error' })),
        ...converted.findings.map((m) => at(launchLine, m)),
      ];
      let dataset = converted.dataset;
      if (!dataset) {
        dataset = 'mock';
        findings.push(at(launchLine, note('no --data-path, per-split data paths or --mock-data found: run_recipe.py is started with --dataset mock (Megatron-LM also trained on mock data then)')));
      }
      const choice = chooseRecipe(options.recipe, launch.family === 'mamba' ? 'mamba' : 'gpt', occurrences, table);
      if ('skip' in choice) {
        report.launches.push(skippedLaunch(launch, lines, choice.skip));
        continue;
      }
      const recipe = choice.recipe;
      for (const m of choice.findings) findings.push(at(launchLine, m));
      const world = () => launchWorldSize(launch.launcher, launch.launcherWords.map((w) => w.text), scriptValues());
      const pinned = options.pinDefaults === false ? { pins: [], findings: [] } : choice.vanilla ? pinnedDefaults(occurrences, table, world) : layoutPins(occurrences, table);
      for (const m of pinned.findings) findings.push(at(launchLine, m));
      for (const m of startFindings(occurrences, table, world)) findings.push(at(launchLine, m));
      const plan = planLaunch({
        launch,
        lines,
        conversions: converted.conversions,
        recipe,
        dataset,
        bridgeRoot: options.bridgeRoot ?? DEFAULT_BRIDGE_ROOT,
        pins: pinned.pins,
        pinsVariable: nextPinsVariable(),
        posix: isPosixSh(source),
        findings,
        keyFor: (k) => keyForView(choice.view, k),
        keyProblem: (k) => modelKeyProblem(choice.view, k, recipe),
        quoteFixes: resolved.quoteFixes,
      });
      for (const guard of launch.entryGuards ?? []) {
        plan.report.findings.push({ line: lines.lineOf(guard.start), severity: 'warning', message: `\`${guard.text}\` tests $${launch.entryVariable}, which still holds the path of ${launch.entryName} (Megatron-LM): the migrated launch does not run that file, so this test only checks that Megatron-LM is still installed; remove it or make it test run_recipe.py` });
      }
      if (editsTouchErrors(plan.edits, regions)) {
        report.launches.push(skippedLaunch(launch, lines, 'some of its arguments are written inside a bash syntax error; fix the script so that `bash -n` accepts it, then run bridge-migrate again'));
        continue;
      }
      // The same carrier can feed two launches: keep one copy of each identical edit. Insertions
      // at one offset (a pins array and a `case` above the same statement) all stay, in order;
      // one conflicts only when it falls inside text another edit replaces.
      for (const e of plan.edits) {
        const same = edits.find((x) => x.start === e.start && x.end === e.end);
        if (same && same.text === e.text) continue;
        const insertion = e.start === e.end;
        const conflict = insertion ? edits.some((x) => x.start < e.start && e.start < x.end) : edits.some((x) => x.start < e.end && e.start < x.end) || same !== undefined;
        if (conflict) {
          plan.report.findings.push(at(lines.lineOf(e.start), error('this text is shared with another launch that needs it rewritten differently; left as the first launch needs it, so this launch does not get its values: split the variable per launch')));
          continue;
        }
        edits.push(e);
      }
      comments.push(...plan.comments);
      plan.report.verdict = verdictOf(plan.report.findings);
      report.launches.push(plan.report);
      if (values) verification.push({ line: plan.report.line, ...verificationInput(plan.report, launch.launcherWords.map((w) => w.text), values) });
    }
    const placed = commentEdits(lines, comments);
    for (const u of placed.unplaced) report.messages.push(at(0, warning(u)));
    const allEdits = [...placed.edits, ...edits];
    const output = edits.length ? applyEdits(source, allEdits) : source;
    report.status = output === source ? 'unchanged' : 'changed';
    const remaining = errorRegions(tree.rootNode);
    if (output !== source && !options.syntaxAccepted?.(output)) {
      // Checked on the analysed text (template lines blanked), where the edits apply the same way,
      // by re-parsing incrementally from the analysis tree told about the edits.
      const verifyText = analysed === source ? output : applyEdits(analysed, allEdits);
      editTree(tree, (o) => ({ row: lines.lineOf(o) - 1, column: o - lines.lineStart(o) }), allEdits);
      // With syntax errors in the file, an incremental re-parse can recover from them differently
      // than a fresh parse of the output would: parse it afresh then (files with errors are few).
      const problem = verifyOutput(verifyText, remaining.length, remaining.length ? undefined : tree);
      if (problem) {
        report.status = 'error';
        report.error = `${problem}; the file was left unchanged. This is a bridge-migrate bug: please report it with the script`;
        report.messages.push(at(0, error(report.error)));
        return { output: source, report };
      }
    }
    if (remaining.length) {
      report.messages.push(at(lines.lineOf(remaining[0].start), warning('bash syntax error here; nothing inside it was changed')));
    }
    return { output, report, ...(output !== source ? { edits: allEdits } : {}), ...(options.verification ? { verification } : {}) };
  } finally {
    tree.delete();
    for (const t of extraTrees) t.delete();
  }
}

/**
 * Parses, and when the tree has syntax errors, blanks the line where the first error starts (same
 * length, newlines kept, so offsets stay valid) and parses again, a few times. Real scripts carry
 * template lines like `DATA_PATH=<Specify path>` whose error recovery otherwise swallows the launch
 * below them. Blanked lines count as error regions: nothing on them is edited.
 */
function parseWithRecovery(source: string, lines: SourceLines) {
  let text = source;
  let tree = parseBash(text);
  const inputErrors = errorRegions(tree.rootNode).length;
  if (!tree.hasError) return { tree, text, blanked: [] as Region[], inputErrors };
  // Backtick comments (`# --flag 1` inside a continued command) are valid bash that
  // tree-sitter-bash cannot parse; they expand to nothing, so blanks read the same.
  const original = tree;
  text = text.replace(/`#[^`\n]*`/g, (m) => ' '.repeat(m.length));
  tree = text === source ? original : parseBash(text);
  const blanked: Region[] = [];
  for (let attempt = 0; attempt < 8 && tree.hasError; attempt++) {
    const first = errorRegions(tree.rootNode)[0];
    if (!first) break;
    const start = lines.lineStart(Math.min(first.start, source.length));
    const end = lines.lineEnd(start);
    if (blanked.some((b) => b.start === start) || end <= start) break;
    // Only template placeholders (`<Specify path>`): other syntax errors are real, and nothing
    // near them is edited.
    if (!PLACEHOLDER.test(text.slice(start, end))) break;
    const candidate = text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
    const next = parseBash(candidate);
    if (tree !== original) tree.delete();
    tree = next;
    text = candidate;
    blanked.push({ start, end });
  }
  if (tree.hasError && blanked.length) {
    // Blanking did not isolate the error: read the file as it is (nothing inside errors is edited).
    if (tree !== original) tree.delete();
    return { tree: original, text: source, blanked: [] as Region[], inputErrors };
  }
  if (tree !== original) original.delete();
  return { tree, text, blanked, inputErrors };
}

/** The rewritten text must parse at least as cleanly as the input did. */
function verifyOutput(output: string, inputErrors: number, editedTree?: Tree): string | undefined {
  const tree = parseBash(output, editedTree);
  try {
    const errors = errorRegions(tree.rootNode).length;
    if (errors > inputErrors) return `the migrated text has ${errors} bash syntax error region(s), the input had ${inputErrors}`;
    return undefined;
  } finally {
    tree.delete();
  }
}

/** `#!/bin/sh` (or dash) scripts have no arrays. */
function isPosixSh(source: string): boolean {
  const first = source.slice(0, source.indexOf('\n') === -1 ? source.length : source.indexOf('\n'));
  return /^#!.*\b(sh|dash)\b/.test(first) && !/\bbash\b/.test(first);
}

function skippedLaunch(launch: Launch, lines: SourceLines, why: string): LaunchReport {
  const line = lines.lineOf(launch.entry.start);
  return {
    line,
    entrypoint: launch.entryName,
    launcher: launch.launcher,
    migrated: false,
    verdict: 'blocked',
    overrides: [],
    pinned: [],
    removed: [],
    findings: [at(line, error(`not migrated: ${why.replace(/^blocked: /, '')}`))],
  };
}
