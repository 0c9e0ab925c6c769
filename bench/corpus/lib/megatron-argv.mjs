// Splitting the argv a Megatron-LM entrypoint received into flags and their values, by the flag table's arity.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const ENTRYPOINT = /(^|\/)pretrain_[A-Za-z0-9_]+\.py$/;
export const RUN_RECIPE = /(^|\/)run_recipe\.py$/;

/** The table of the build under test: { byName: Map(spelling -> entry) }. */
export function loadTable(toolDir) {
  const candidates = ['src/mapping/table.generated.json', 'dist/src/mapping/table.generated.json'];
  const found = candidates.map((relative) => path.join(toolDir, relative)).find((file) => existsSync(file));
  if (!found) throw new Error(`no mapping table under ${toolDir} (looked for ${candidates.join(', ')})`);
  const table = JSON.parse(readFileSync(found, 'utf8'));
  const byName = new Map();
  for (const entry of Object.values(table)) byName.set(entry.flag, entry);
  for (const entry of Object.values(table)) {
    for (const alias of entry.aliases ?? []) if (!byName.has(alias)) byName.set(alias, entry);
  }
  return { byName, file: found };
}

/** The table entry for a spelling, also trying `_` for `-` (argparse accepts neither, forks use both). */
export function lookup(table, spelling) {
  return table.byName.get(spelling) ?? table.byName.get(spelling.replace(/_/g, '-')) ?? null;
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;
const looksLikeFlag = (word) => word.startsWith('-') && word.length > 1 && !NEGATIVE_NUMBER.test(word);

/**
 * words: the argv after the entrypoint. Returns
 * { flags: [{ spelled, flag, entry, values, index, missingValue }], positionals: [{ word, index }] }.
 * missingValue: the original launch itself lacked the flag's value (Megatron-LM's argparse would stop there).
 * A flag the table does not know takes every following word that is not a flag.
 */
export function splitMegatronArgv(words, table) {
  const flags = [];
  const positionals = [];
  let index = 0;
  while (index < words.length) {
    const word = words[index];
    if (!looksLikeFlag(word)) {
      positionals.push({ word, index });
      index += 1;
      continue;
    }
    const equals = word.startsWith('--') ? word.indexOf('=') : -1;
    const spelled = equals > 0 ? word.slice(0, equals) : word;
    const entry = lookup(table, spelled);
    const values = equals > 0 ? [word.slice(equals + 1)] : [];
    let next = index + 1;
    if (equals < 0) {
      const arity = entry ? entry.arity : '*';
      if (typeof arity === 'number') {
        // argparse takes no flag-looking word as a value: `--x --y` leaves --x without its value (an error).
        while (values.length < arity && next < words.length && !looksLikeFlag(words[next])) values.push(words[next++]);
      } else if (arity === '?') {
        if (next < words.length && !looksLikeFlag(words[next])) values.push(words[next++]);
      } else {
        while (next < words.length && !looksLikeFlag(words[next])) values.push(words[next++]);
      }
    }
    const missingValue = typeof entry?.arity === 'number' && values.length < entry.arity;
    flags.push({ spelled, flag: entry ? entry.flag : spelled, entry, values, index, missingValue });
    index = next;
  }
  return { flags, positionals };
}

/** The last occurrence of each flag wins, as argparse's store actions do. */
export function effectiveFlags(flags) {
  const last = new Map();
  for (const item of flags) last.set(item.flag, item);
  return [...last.values()];
}

const MAPPABLE = new Set(['pass', 'true', 'false', 'list', 'rename', 'const', 'rule']);
export function isMappable(entry) {
  return Boolean(entry && MAPPABLE.has(entry.convert) && entry.keys?.length);
}
