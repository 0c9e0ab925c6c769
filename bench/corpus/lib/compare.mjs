// One executed launch, flag by flag: the argv Megatron-LM received in the original script against the argv
// run_recipe.py receives in the migrated one, with the tool's JSON report saying which key each flag went to.
import { parseHydraValue } from './hydra.mjs';
import { effectiveFlags, isMappable, lookup, splitMegatronArgv } from './megatron-argv.mjs';
import { finalOverrides, optionOverrides, readRecipeArgv, rejectedOptions } from './recipe-argv.mjs';

const SHELL_EXPANSION = /[$`]/;
const NEGATIVE = /^-(\d|\.\d)/;
// Python's int()/float() accept `_` between digits (2_000_000), as Megatron-LM's argparse does.
const numeric = (text) => typeof text === 'string' && /^[+-]?(\d(_?\d)*\.?(\d(_?\d)*)?|\.\d(_?\d)*)([eE][+-]?\d+)?$/.test(text.trim());
const numberOf = (text) => Number(text.trim().replace(/_/g, ''));

/**
 * Two runs of a script differ where it reads the clock or a random source (a log path with a timestamp,
 * a mktemp name): same length, at least 16 characters, not a number, and the differing characters all
 * letters or digits, at most 12 of them.
 */
export function volatileOnly(left, right) {
  if (left.length !== right.length || left.length < 16 || numeric(left)) return false;
  let differing = 0;
  for (let index = 0; index < left.length; index += 1) {
    if (left[index] === right[index]) continue;
    if (!/[A-Za-z0-9]/.test(left[index]) || !/[A-Za-z0-9]/.test(right[index])) return false;
    differing += 1;
  }
  return differing > 0 && differing <= 12;
}

/** Equal after Hydra unquoting; numbers written differently (2e-4 / 0.0002) count as equal, and are noted. */
export function sameValue(expected, got) {
  if (Array.isArray(expected) || Array.isArray(got)) {
    const left = Array.isArray(expected) ? expected : [expected];
    const right = Array.isArray(got) ? got : [got];
    if (left.length !== right.length) return { equal: false };
    const parts = left.map((item, index) => sameValue(item, right[index]));
    return { equal: parts.every((part) => part.equal), numericFormat: parts.some((part) => part.numericFormat), volatile: parts.some((part) => part.volatile) };
  }
  if (expected === got) return { equal: true };
  if (expected === null || got === null || expected === undefined || got === undefined) return { equal: false };
  const left = String(expected);
  const right = String(got);
  if (left === right) return { equal: true };
  if (/^(true|false)$/i.test(left) && left.toLowerCase() === right.toLowerCase()) return { equal: true };
  if (numeric(left) && numeric(right) && numberOf(left) === numberOf(right)) return { equal: true, numericFormat: true };
  if (volatileOnly(left, right)) return { equal: true, volatile: true };
  return { equal: false };
}

/** What the key should hold, from the flag's converter; null when the harness cannot tell (rule with shell text). */
function expectedValue(entry, key, values, reported) {
  const joined = values.join(' ');
  switch (entry.convert) {
    case 'pass': return values.length > 1 ? { any: [values, joined] } : { value: values[0] ?? null };
    case 'true': return { value: 'true' };
    case 'false': return { value: 'false' };
    case 'const': return { value: parseHydraValue(entry.values?.[key] ?? entry.value ?? '').value };
    case 'rename': return { value: entry.rename?.[values[0]] ?? values[0] };
    case 'list': return { value: entry.scalarIfSingle && values.length === 1 ? values[0] : values, any: [values, joined] };
    default: {
      if (reported && !SHELL_EXPANSION.test(reported.value)) return { value: parseHydraValue(reported.value).value };
      if (values.length === 0) return { any: ['', []], unverified: true };
      return { any: [values.length === 1 ? values[0] : joined, values], unverified: true };
    }
  }
}

function matches(expectation, got) {
  const candidates = [...('value' in expectation ? [expectation.value] : []), ...(expectation.any ?? [])];
  for (const candidate of candidates) {
    const result = sameValue(candidate, got);
    if (result.equal) return result;
    // several words joined into one value (a data path): blanks between them are not part of any word
    const joined = expectation.any && typeof candidate === 'string' && typeof got === 'string';
    if (joined && candidate.replace(/\s+/g, ' ').trim() === got.replace(/\s+/g, ' ').trim()) return { equal: true };
  }
  return { equal: false };
}

/** Why a value that should have arrived did not (first cause that fits). */
function causeOfDifference(original, got, strays) {
  const text = Array.isArray(got) ? got.join(',') : String(got ?? '');
  if (SHELL_EXPANSION.test(text)) return 'value-has-unexpanded-shell-text';
  const originalText = original.join(' ');
  if (text && originalText.startsWith(text) && strays.some((stray) => originalText.includes(stray.word))) return 'value-split-into-words';
  if (text.replace(/['"]/g, '') === originalText.replace(/['"]/g, '')) return 'value-quotes-differ';
  if (original.length > 1 && original.includes(text)) return 'multi-word-value-truncated';
  if (text.startsWith(`${originalText} `)) return 'value-has-more-words-than-megatron-lm-took';
  return 'value-differs';
}

/** The report launch that an executed launch came from: same entrypoint (when any has it), most flags and keys in common. */
export function pickReportLaunch(reportLaunches, original, migrated, table) {
  const named = reportLaunches.filter((launch) => launch.entrypoint?.split('/').pop() === original.entrypoint);
  // an entrypoint chosen at run time (pretrain_gpt${CORE}.py) matches none by name: then any launch of the file
  const candidates = named.length ? named : reportLaunches;
  if (candidates.length <= 1) return candidates[0] ?? null;
  const flags = new Set(splitMegatronArgv(original.words, table).flags.map((item) => item.flag));
  const keys = new Set(migrated?.kind === 'bridge' ? readRecipeArgv(migrated.words).overrides.map((item) => item.key) : []);
  let best = null;
  let bestScore = -1;
  for (const launch of candidates) {
    const named = [...launch.overrides ?? [], ...launch.unmapped ?? []].map((item) => normalFlag(item.flag, table));
    let score = named.filter((flag) => flags.has(flag)).length;
    score += (launch.overrides ?? []).filter((item) => keys.has(item.key)).length;
    if (migrated && (migrated.kind === 'bridge') === Boolean(launch.migrated)) score += 0.5;
    if (score > bestScore) { best = launch; bestScore = score; }
  }
  return best;
}

function normalFlag(spelled, table) {
  if (!spelled) return spelled;
  const entry = lookup(table, spelled.split('=')[0]);
  return entry ? entry.flag : spelled;
}

/**
 * original, migrated: launches from findLaunches (migrated may be null when the migrated script never got there).
 * Returns the per-launch record the measure aggregates.
 */
export function compareLaunch({ original, migrated, reportLaunch, table, lineOf, forwardsArgs }) {
  const record = {
    entrypoint: original.entrypoint, reportLine: reportLaunch?.line ?? null,
    status: null, mappable: 0, arrived: 0, folded: 0, unverified: 0, numericFormat: 0,
    lost: [], strays: [], runnerFlags: [], originalMissingValue: [], volatile: 0, unverifiedValues: [], negatives: 0, negativesChanged: [], droppedReported: 0, droppedSilently: [],
  };
  if (!migrated) {
    record.status = reportLaunch && !reportLaunch.migrated ? 'reported-not-migrated' : 'vanished';
    return record;
  }
  if (migrated.kind === 'megatron') {
    const said = reportLaunch && !reportLaunch.migrated;
    record.status = said ? 'reported-not-migrated' : 'unreported-not-migrated';
    record.reason = said ? (reportLaunch.warnings ?? []).map((warning) => warning.message).join(' | ') : null;
    return record;
  }
  record.status = 'migrated';
  const split = splitMegatronArgv(original.words, table);
  const recipeArgv = readRecipeArgv(migrated.words);
  const finals = finalOverrides([...optionOverrides(recipeArgv.options), ...recipeArgv.overrides]);
  const reportOverrides = reportLaunch?.overrides ?? [];
  const reportUnmapped = reportLaunch?.unmapped ?? [];
  const pinnedKeys = new Set((reportLaunch?.pinned ?? []).map((pinned) => pinned.key));
  const originalWords = new Set(original.words);

  // Strays: every word run_recipe.py would reject.
  const launcherName = (migrated.prefix[0] ?? '').split('/').pop();
  if (launcherName === 'deepspeed' && !migrated.prefix.includes('--no_local_rank')) {
    record.strays.push({ word: '--local_rank=0', cause: 'deepspeed-launcher-adds-local-rank', flag: null });
  }
  let spareStandIns = standInsAfterUnknownFlags(split, reportUnmapped);
  for (const stray of recipeArgv.strays) {
    const classified = classifyStray(stray, split, table, forwardsArgs);
    if (spareStandIns > 0 && classified.word === STAND_IN && ['value-word-left', 'word-not-in-original'].includes(classified.cause)) {
      spareStandIns -= 1;
      record.strays.push({ word: classified.word, cause: 'stand-in-also-in-original', flag: null, index: stray.index });
      continue;
    }
    record.strays.push({ ...classified, index: stray.index });
  }
  const optionCounts = new Map();
  for (const option of recipeArgv.options) {
    optionCounts.set(option.name, (optionCounts.get(option.name) ?? 0) + 1);
    if (option.abbreviates || (originalWords.has(option.spelled) && !['--recipe', '--dataset', '--mode'].includes(option.spelled))) {
      record.runnerFlags.push({ word: option.spelled, value: option.value, reads: option.name,
        cause: option.abbreviates ? 'megatron-flag-taken-as-abbreviated-runner-option' : 'megatron-flag-read-as-runner-option' });
    }
  }
  for (const [name, times] of optionCounts) {
    if (times > 1) record.runnerFlags.push({ word: name, value: null, reads: name, cause: 'runner-option-given-twice (the last one wins)' });
  }
  for (const problem of rejectedOptions(recipeArgv.options)) {
    record.strays.push({ word: problem.word, cause: 'runner-option-rejected-by-argparse', flag: problem.option.spelled, why: problem.why });
  }

  for (const item of effectiveFlags(split.flags)) {
    const entry = item.entry;
    const negative = item.values.some((value) => NEGATIVE.test(value));
    const reportedHere = reportOverrides.filter((override) => normalFlag(override.flag, table) === item.flag);
    const unmapped = reportUnmapped.find((removed) => normalFlag(removed.flag, table) === item.flag);
    if (item.missingValue) {
      record.originalMissingValue.push({ flag: item.spelled, line: lineOf(item.spelled) });
      continue;
    }
    if (!isMappable(entry)) {
      if (unmapped || reportedHere.length) record.droppedReported += 1;
      else if (!recipeArgv.strays.some((stray) => stray.word === item.spelled || stray.word.startsWith(`${item.spelled}=`))) {
        record.droppedSilently.push({ flag: item.spelled, values: item.values, line: lineOf(item.spelled) });
      }
      continue;
    }
    if (!reportedHere.length && unmapped?.kind === 'folded') { record.folded += 1; continue; }
    record.mappable += 1;
    if (negative) record.negatives += 1;
    // Companion settings a flag brings (train_iters=null beside --train-samples) carry no value of it.
    const keys = (reportedHere.length ? [...new Set(reportedHere.map((override) => override.key))] : entry.keys).filter((key) => !(entry.companions && key in entry.companions));
    const problems = [];
    let unverified = false;
    let numericFormat = false;
    let volatile = false;
    for (const key of keys) {
      const reported = reportedHere.find((override) => override.key === key) ?? null;
      const got = finals.get(key);
      const expectation = expectedValue(entry, key, item.values, reported);
      const expected = expectation.value ?? expectation.any?.[0] ?? null;
      const result = got ? matches(expectation, got.value) : { equal: false };
      if (result.equal) {
        if (result.numericFormat) numericFormat = true;
        if (result.volatile) volatile = true;
        continue;
      }
      if (got && expectation.unverified && reported) {
        unverified = true;
        record.unverifiedValues.push({ flag: item.spelled, values: item.values, key, reported: reported.value, got: got.value, line: reported.line });
        continue;
      }
      const holder = got ? (pinnedKeys.has(key) && !reported ? 'the pinned Megatron-LM default' : 'another override') : null;
      if (!reportedHere.length || !got) {
        problems.push({ key, expected, got: got?.value ?? null, word: got?.word, cause: missingCause(item, reported, unmapped, recipeArgv), holder });
        continue;
      }
      problems.push({ key, expected, got: got.value, word: got.word, cause: causeOfDifference(item.values, got.value, recipeArgv.strays), holder: null });
    }
    if (!problems.length) {
      record.arrived += 1;
      if (unverified) record.unverified += 1;
      if (numericFormat) record.numericFormat += 1;
      if (volatile) record.volatile += 1;
      continue;
    }
    const first = problems[0];
    const lost = {
      flag: item.spelled, values: item.values, key: first.key, expected: first.expected, got: first.got,
      cause: first.cause, keys: problems.map((problem) => problem.key), gotFrom: first.holder, gotWord: first.word ?? null,
      reported: Boolean(unmapped), reportedReason: unmapped?.reason ?? null,
      line: reportedHere[0]?.line ?? unmapped?.line ?? lineOf(item.spelled),
    };
    record.lost.push(lost);
    if (negative) record.negativesChanged.push(lost);
  }
  return record;
}

function missingCause(item, reported, unmapped, recipeArgv) {
  const raw = recipeArgv.strays.some((stray) => stray.word === item.spelled || stray.word.startsWith(`${item.spelled}=`))
    || recipeArgv.options.some((option) => option.spelled === item.spelled);
  if (raw) return 'flag-left-raw';
  if (reported) return 'report-says-emitted-but-key-absent';
  if (unmapped) return `reported-${unmapped.kind}`;
  return 'not-in-report';
}

/** capture.py's value for every variable the script reads and nobody sets (an unset option string too). */
const STAND_IN = '1';

/**
 * Stand-in words the original received after the values of a flag the table does not know: the measure
 * reads such a flag as taking every following word, but cannot know its arity, so these words are no more
 * that flag's values than positionals (`--fork-flag X ${unset_opts}` gives `--fork-flag X 1`). The flag's
 * values are as many words as the report's removal of it holds after the flag (`--fork-switch`: none), else
 * one. As many stray stand-ins of the migrated launch are the same words, not strays the tool left.
 */
function standInsAfterUnknownFlags(split, reportUnmapped) {
  let count = 0;
  for (const item of split.flags) {
    if (item.entry) continue;
    const removals = reportUnmapped.filter((removed) => removed.flag === item.spelled && typeof removed.text === 'string');
    const taken = removals.length ? Math.max(...removals.map((removed) => removed.text.trim().split(/\s+/).length - 1)) : 1;
    count += item.values.slice(taken).filter((value) => value === STAND_IN).length;
  }
  return count;
}

function classifyStray(stray, split, table, forwardsArgs) {
  const { word } = stray;
  if (word.startsWith('-')) {
    const name = word.split('=')[0];
    const entry = lookup(table, name);
    return { word, cause: entry ? 'megatron-flag-left' : 'unknown-flag-left', flag: name };
  }
  if (split.positionals.some((positional) => positional.word === word)) {
    return { word, cause: forwardsArgs ? 'forwarded-script-arguments' : 'positional-word-also-in-original', flag: null };
  }
  const owner = split.flags.find((item) => item.values.includes(word))
    ?? split.flags.find((item) => item.values.some((value) => volatileOnly(value, word)))
    ?? split.flags.find((item) => item.values.some((value) => value.includes(word) && value !== word));
  if (owner) {
    const inside = !owner.values.includes(word);
    return { word, cause: inside ? 'piece-of-a-value-with-blanks' : 'value-word-left', flag: owner.spelled };
  }
  if (forwardsArgs && word === '1') return { word, cause: 'forwarded-script-arguments', flag: null };
  return { word, cause: 'word-not-in-original', flag: null };
}
