/**
 * `--config <file>` / `bridge-migrate.config.json`: project settings and fork-specific flag
 * mappings. Validated strictly; errors name the file and the offending key.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readRegularFile } from '../files/read-regular.js';
import type { MappingEntry, MappingTable } from '../mapping/types.js';
import { allRecipeNames, findRecipe } from '../mapping/recipes.js';
import { didYouMean } from './suggest.js';

export interface ProjectConfig {
  recipe?: string;
  bridgeRoot?: string;
  pinDefaults?: boolean;
  entrypoints?: string[];
  ignore?: string[];
  mappings?: MappingTable;
}

export class ConfigError extends Error {}

export const CONFIG_FILE = 'bridge-migrate.config.json';

const TOP_KEYS = ['recipe', 'bridgeRoot', 'pinDefaults', 'entrypoints', 'ignore', 'mappings', '$schema'];
const ENTRY_KEYS = ['flag', 'aliases', 'arity', 'valueType', 'keys', 'convert', 'rename', 'value', 'reason', 'note'];
const CONVERTS = ['pass', 'true', 'false', 'list', 'rename', 'const', 'drop', 'launcher'];
const ARITIES = [0, 1, 2, 3, '?', '*', '+'];
const TYPES = ['int', 'float', 'str', 'bool'];
const KEY = /^(mixed_precision|[a-z_]+(\.[A-Za-z0-9_]+)+)$/;

function fail(file: string, where: string, what: string): never {
  throw new ConfigError(`${file}: ${where}: ${what}`);
}

function strings(file: string, where: string, v: unknown): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(file, where, 'must be an array of strings');
  return v as string[];
}

function validateEntry(file: string, flag: string, raw: unknown): MappingEntry {
  const where = `mappings["${flag}"]`;
  if (!/^--?[A-Za-z]/.test(flag)) fail(file, where, 'the key must be a flag such as "--my-flag"');
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(file, where, 'must be an object');
  const e = raw as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!ENTRY_KEYS.includes(k)) fail(file, `${where}.${k}`, `unknown key (known: ${ENTRY_KEYS.join(', ')})`);
  if (!CONVERTS.includes(e.convert as string)) fail(file, `${where}.convert`, `must be one of ${CONVERTS.join(', ')}`);
  if (!ARITIES.includes(e.arity as never)) fail(file, `${where}.arity`, `must be one of 0, 1, 2, 3, "?", "*", "+"`);
  if (e.valueType !== undefined && !TYPES.includes(e.valueType as string)) fail(file, `${where}.valueType`, `must be one of ${TYPES.join(', ')}`);
  const keys = e.keys === undefined ? [] : strings(file, `${where}.keys`, e.keys);
  keys.forEach((k, i) => {
    if (!KEY.test(k)) fail(file, `${where}.keys[${i}]`, `"${k}" is not a Bridge config key (like "model.num_layers")`);
  });
  const needsKeys = !['drop', 'launcher'].includes(e.convert as string);
  if (needsKeys && keys.length === 0) fail(file, `${where}.keys`, `convert "${e.convert}" needs at least one key`);
  if (e.convert === 'const' && typeof e.value !== 'string') fail(file, `${where}.value`, 'convert "const" needs a string value (Hydra text)');
  if (e.convert === 'rename' && (typeof e.rename !== 'object' || e.rename === null)) fail(file, `${where}.rename`, 'convert "rename" needs an object of old -> new values');
  if (e.aliases !== undefined) strings(file, `${where}.aliases`, e.aliases);
  return { ...(e as unknown as MappingEntry), flag, keys, source: 'manual' };
}

export function parseConfig(file: string, text: string): ProjectConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: must contain a JSON object`);
  const c = raw as Record<string, unknown>;
  for (const k of Object.keys(c)) if (!TOP_KEYS.includes(k)) fail(file, k, `unknown key (known: ${TOP_KEYS.filter((x) => x !== '$schema').join(', ')})`);
  const out: ProjectConfig = {};
  if (c.recipe !== undefined) {
    if (typeof c.recipe !== 'string' || !/^[A-Za-z0-9_]+$/.test(c.recipe)) fail(file, 'recipe', 'must be a recipe function name');
    const problem = recipeProblem(c.recipe);
    if (problem) fail(file, 'recipe', problem);
    out.recipe = c.recipe;
  }
  if (c.bridgeRoot !== undefined) {
    if (typeof c.bridgeRoot !== 'string' || c.bridgeRoot === '') fail(file, 'bridgeRoot', 'must be a non-empty string');
    out.bridgeRoot = c.bridgeRoot;
  }
  if (c.pinDefaults !== undefined) {
    if (typeof c.pinDefaults !== 'boolean') fail(file, 'pinDefaults', 'must be true or false');
    out.pinDefaults = c.pinDefaults;
  }
  if (c.entrypoints !== undefined) {
    out.entrypoints = strings(file, 'entrypoints', c.entrypoints);
    out.entrypoints.forEach((n, i) => {
      if (!/^[A-Za-z0-9_.-]+\.py$/.test(n)) fail(file, `entrypoints[${i}]`, `"${n}" must be a script file name such as "train_gpt_fork.py"`);
    });
  }
  if (c.ignore !== undefined) out.ignore = strings(file, 'ignore', c.ignore);
  if (c.mappings !== undefined) {
    if (typeof c.mappings !== 'object' || c.mappings === null || Array.isArray(c.mappings)) fail(file, 'mappings', 'must be an object of flag -> entry');
    out.mappings = {};
    for (const [flag, entry] of Object.entries(c.mappings)) out.mappings[flag] = validateEntry(file, flag, entry);
  }
  return out;
}

/** Undefined when run_recipe.py knows the recipe (or it is `auto`); else what is wrong. */
export function recipeProblem(name: string): string | undefined {
  if (name === 'auto' || findRecipe(name)) return undefined;
  const names = allRecipeNames();
  return `unknown recipe "${name}"${didYouMean(name, names)} (bridge-migrate --list-recipes lists them)`;
}

/**
 * The nearest bridge-migrate.config.json in or above `start` (a folder, or a file's folder), as
 * ruff and ast-grep look for theirs; undefined when there is none up to the file system root.
 */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  try {
    if (!statSync(dir).isDirectory()) dir = path.dirname(dir);
  } catch {
    dir = path.dirname(dir); // a missing path: look from where it would be
  }
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE);
    if (existsSync(candidate)) {
      // Named as the user would: relative to the working directory when inside it.
      const relative = path.relative(process.cwd(), candidate);
      return relative.startsWith('..') || path.isAbsolute(relative) ? candidate : relative;
    }
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** The explicit config file, or bridge-migrate.config.json in the current directory, or nothing. */
export function loadConfig(explicit: string | undefined): ProjectConfig {
  const file = explicit ?? (existsSync(CONFIG_FILE) ? CONFIG_FILE : undefined);
  if (!file) return {};
  return loadConfigFile(file);
}

/** Reads and validates one config file. */
export function loadConfigFile(file: string): ProjectConfig {
  let text: string;
  try {
    // Only a regular file under 1 MiB: a FIFO would block for ever, /dev/zero fill the memory.
    text = readRegularFile(file, 1024 * 1024).bytes.toString('utf8');
  } catch (e) {
    throw new ConfigError(`${file}: cannot read: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseConfig(file, text);
}
