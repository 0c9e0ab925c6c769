#!/usr/bin/env node
/**
 * Generates the Megatron-LM -> Megatron Bridge mapping table and the
 * "Megatron-LM default vs recipe value" list.
 *
 *   inputs:  src/mapping/bridge-release.generated.json, bridge-release-recipes.generated.json
 *                                                 (the Bridge side: read from the pinned release by
 *                                                 scripts/extract-bridge-release.py)
 *            ../shared/reference/megatron-lm-flags.json, the mapping guide (or $BRIDGE_MIGRATE_REFERENCE)
 *                                                 (what the release cannot tell: Megatron-LM's flags)
 *            src/mapping/manual-entries.json      (hand-written entries, drop reasons, defaults notes)
 *            src/mapping/legacy-flags.json        (optional: flags of older Megatron-LM releases)
 *   outputs: src/mapping/table.generated.json     (option string -> MappingEntry, sorted)
 *            src/mapping/defaults.generated.json  (keys whose recipe value differs from Megatron-LM's default)
 *            src/mapping/presets.generated.json   (each mixed-precision preset's fields, for writing one out)
 *
 * Plain Node ESM, no dependencies. Output is deterministic. The script fails (exit 1) when a
 * Megatron-LM flag has no entry, an emitted key is not a Bridge field, or a guide row is lost.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const REF_DIR = process.env.BRIDGE_MIGRATE_REFERENCE
  ? path.resolve(process.env.BRIDGE_MIGRATE_REFERENCE)
  : fileURLToPath(new URL('../../shared/reference/', import.meta.url));
const MAPPING_DIR = path.join(REPO_ROOT, 'src', 'mapping');

/** Megatron-LM config dataclass (ArgumentGroupFactory origin) -> Bridge ConfigContainer group. */
const DATACLASS_GROUP = {
  TransformerConfig: 'model',
  ModelParallelConfig: 'model',
  TrainingConfig: 'train',
  ValidationConfig: 'validation',
  SchedulerConfig: 'scheduler',
  LoggerConfig: 'logger',
  CheckpointConfig: 'checkpoint',
  TokenizerConfig: 'tokenizer',
  RNGConfig: 'rng',
  ProfilingConfig: 'profiling',
  DistributedInitConfig: 'dist',
  RerunStateMachineConfig: 'rerun_state_machine',
  StragglerDetectionConfig: 'straggler',
  FaultInjectorConfig: null, // no Bridge counterpart
};

/**
 * Groups searched for a plain add_argument flag's dest, in order. Megatron-LM itself copies
 * args into TransformerConfig, OptimizerConfig and DistributedDataParallelConfig by field name
 * (core_transformer_config_from_args, get_megatron_optimizer_config, get_megatron_ddp_config), so
 * a dest found in several of `COPY_GROUPS` maps to all of them; otherwise the first hit wins.
 */
const COPY_GROUPS = ['model', 'optimizer', 'ddp'];
const SEARCH_GROUPS = [
  ...COPY_GROUPS, 'train', 'validation', 'scheduler', 'dataset', 'tokenizer', 'checkpoint',
  'logger', 'dist', 'rng', 'profiling', 'rerun_state_machine', 'straggler', 'ft', 'inprocess_restart',
];
/** dest prefixes Megatron-LM adds for some groups (e.g. --ddp-bucket-size -> ddp.bucket_size). */
const DEST_PREFIXES = [
  ['ddp_', 'ddp'],
  ['inprocess_', 'inprocess_restart'],
];
/** Model views other than the flat GPTModelProvider one; a key only there needs a note. */
const ALT_MODEL_VIEWS = {
  'model[HybridModelProvider]': 'only on HybridModelProvider',
  'model[MLAModelProvider]': 'only on MLAModelProvider',
};
const RECIPE_NAME = 'vanilla_gpt_pretrain_config';

// ---------------------------------------------------------------------------------------------
// Loading

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The Bridge facts of the pinned release (scripts/extract-bridge-release.py writes them). */
const RELEASE_CONFIG = path.join(MAPPING_DIR, 'bridge-release.generated.json');
const RELEASE_RECIPES = path.join(MAPPING_DIR, 'bridge-release-recipes.generated.json');

function loadInputs() {
  const legacyFile = path.join(MAPPING_DIR, 'legacy-flags.json');
  for (const file of [RELEASE_CONFIG, RELEASE_RECIPES]) {
    if (!existsSync(file)) {
      console.error(`generate-mapping: ${path.relative(REPO_ROOT, file)} is missing: run HF_HUB_OFFLINE=1 .venv-bridge/bin/python scripts/extract-bridge-release.py`);
      process.exit(1);
    }
  }
  return {
    flagsFile: readJson(path.join(REF_DIR, 'megatron-lm-flags.json')),
    bridge: readJson(RELEASE_CONFIG),
    recipes: readJson(RELEASE_RECIPES),
    guide: readFileSync(path.join(REF_DIR, 'megatron-lm-to-megatron-bridge-guide.md'), 'utf8'),
    manual: readJson(path.join(MAPPING_DIR, 'manual-entries.json')),
    legacy: existsSync(legacyFile) ? readJson(legacyFile) : {},
  };
}

// ---------------------------------------------------------------------------------------------
// Bridge fields

/** group name -> Map(field name -> field), for every group and alternative view. */
function fieldIndex(bridge) {
  const index = new Map();
  for (const [group, spec] of Object.entries(bridge.groups)) {
    index.set(group, new Map(spec.fields.map((f) => [f.name, f])));
  }
  index.set('', new Map(bridge.top_level_fields.map((f) => [f.name, f])));
  return index;
}

/** The field behind a flat key ("model.num_layers", "mixed_precision"), with the view it lives in. */
function lookupKey(index, key) {
  const dot = key.indexOf('.');
  if (dot < 0) {
    const f = index.get('')?.get(key);
    return f ? { field: f, view: '' } : undefined;
  }
  const group = key.slice(0, dot);
  const name = key.slice(dot + 1);
  const f = index.get(group)?.get(name);
  if (f) return { field: f, view: group };
  if (group !== 'model') return undefined;
  for (const view of Object.keys(ALT_MODEL_VIEWS)) {
    const alt = index.get(view)?.get(name);
    if (alt) return { field: alt, view };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Megatron-LM argparse facts

const NO_VALUE_ACTIONS = ['store_true', 'store_false', 'store_const', 'append_const', 'count', 'BooleanOptionalAction'];

/** Words an argparse option consumes (works for the reference flags and legacy-flags.json specs). */
function arityOf(spec) {
  if (NO_VALUE_ACTIONS.includes(spec.action)) return 0;
  return spec.nargs ?? 1;
}

function valueTypeOf(spec) {
  if (arityOf(spec) === 0) return undefined;
  if (['int', 'float', 'str', 'bool'].includes(spec.type)) return spec.type;
  return 'str'; // argparse default, enum-by-name(...) and Megatron-LM's own parse functions
}

/** One behaviour per distinct meaning: BooleanOptionalAction's --no-x is its own entry. */
function behavioursOf(flag) {
  const [canonical, ...aliases] = flag.option_strings;
  const out = [{ flag: canonical, aliases, negated: false }];
  for (const extra of flag.effective_option_strings) {
    if (!flag.option_strings.includes(extra)) out.push({ flag: extra, aliases: [], negated: true });
  }
  return out;
}

function convertOf(flag, negated) {
  switch (flag.action) {
    case 'store_true':
      return 'true';
    case 'store_false':
      return 'false';
    case 'BooleanOptionalAction':
      return negated ? 'false' : 'true';
    default:
      return arityOf(flag) === 1 ? 'pass' : 'list';
  }
}

// ---------------------------------------------------------------------------------------------
// Schema matching: dest == Bridge field name

function groupHits(index, group, name) {
  const hits = [];
  if (index.get(group)?.has(name)) hits.push(`${group}.${name}`);
  else if (group === 'model') {
    for (const view of Object.keys(ALT_MODEL_VIEWS)) {
      if (index.get(view)?.has(name)) {
        hits.push(`model.${name}`);
        break;
      }
    }
  }
  return hits;
}

/**
 * A same-named field of a copy group that Megatron-LM fills from args: any OptimizerConfig or
 * DDPConfig field, but on the model only TransformerConfig / ModelParallelConfig fields
 * (GPTModelProvider's own fields, e.g. vocab_size, are set by Megatron-LM from other args).
 */
function copyHits(index, group, name) {
  const field = index.get(group)?.get(name);
  if (!field) return [];
  if (group === 'model' && !/\.(TransformerConfig|ModelParallelConfig)$/.test(field.declared_in)) return [];
  return [`${group}.${name}`];
}

function dataclassKeys(index, flag) {
  const dc = flag.dataclass.split('.').pop();
  const group = DATACLASS_GROUP[dc];
  if (!group) return [];
  const primary = groupHits(index, group, flag.dataclass_field);
  if (primary.length === 0) return [];
  // Megatron-LM also copies the same-named arg into the model / OptimizerConfig / DDPConfig.
  const copies = COPY_GROUPS.filter((g) => g !== group).flatMap((g) => copyHits(index, g, flag.dataclass_field));
  return [...primary, ...copies];
}

function argumentKeys(index, flag) {
  for (const [prefix, group] of DEST_PREFIXES) {
    if (flag.dest.startsWith(prefix)) {
      const hits = groupHits(index, group, flag.dest.slice(prefix.length));
      if (hits.length) return hits;
    }
  }
  const copies = COPY_GROUPS.flatMap((g) => copyHits(index, g, flag.dest));
  if (copies.length) return copies;
  return SEARCH_GROUPS.flatMap((g) => groupHits(index, g, flag.dest)).slice(0, 1);
}

function schemaKeys(index, flag) {
  return flag.dataclass ? dataclassKeys(index, flag) : argumentKeys(index, flag);
}

/** Notes an entry gets from its keys: alternative model views, dtype fields, sections None in recipes. */
function keyNotes(index, bridge, keys) {
  const notes = [];
  const add = (n) => notes.includes(n) || notes.push(n);
  for (const key of keys) {
    const hit = lookupKey(index, key);
    if (!hit) continue;
    if (ALT_MODEL_VIEWS[hit.view]) add(ALT_MODEL_VIEWS[hit.view]);
    if (/torch\.dtype/.test(hit.field.type)) {
      add(`${key} is a torch.dtype: Bridge converts a name (fp32, bf16, fp16...) with str_to_dtype only when the recipe's current value is a dtype`);
    }
    const group = bridge.groups[hit.view];
    if (noneInRecipe(group)) {
      add(`${hit.view} is None in the recipes, so a plain ${hit.view}.* override fails: the section must be created whole ('++${hit.view}={_target_:${group.class},...}')`);
    }
  }
  return notes;
}

/** A section the recipe leaves None (the release says so; older facts only had the annotation). */
function noneInRecipe(group) {
  if (!group) return false;
  if (group.in_vanilla_recipe !== undefined) return group.in_vanilla_recipe === 'None';
  return group.alternatives?.length === 1 && group.alternatives[0] === 'None';
}

/** Appends the key-derived notes to every entry (manual ones included). */
function annotate(index, bridge, table) {
  for (const entry of Object.values(table)) {
    const extra = keyNotes(index, bridge, entry.keys ?? []).filter((n) => !(entry.note ?? '').includes(n));
    if (extra.length) entry.note = [entry.note, ...extra].filter(Boolean).join('; ');
  }
}

// ---------------------------------------------------------------------------------------------
// Entries for the current Megatron-LM flags

function baseEntry(flag, behaviour) {
  const entry = { flag: behaviour.flag };
  if (behaviour.aliases.length) entry.aliases = [...behaviour.aliases];
  entry.arity = arityOf(flag);
  const vt = valueTypeOf(flag);
  if (vt) entry.valueType = vt;
  if (flag.choices?.length && entry.arity !== 0) entry.choices = flag.choices.map(String);
  return entry;
}

function schemaEntry(index, flag, behaviour) {
  const keys = schemaKeys(index, flag);
  if (keys.length === 0) return undefined;
  return { ...baseEntry(flag, behaviour), keys, convert: convertOf(flag, behaviour.negated), source: 'schema' };
}

/** Drops decided by group: whole Megatron-LM features Bridge lacks, or flags newer than Bridge's pin. */
function groupDropEntry(flag, behaviour, manual, newerThanPin) {
  const newer = flag.option_strings.some((o) => newerThanPin.has(o)) ? manual.dropNewerThanBridgePin : undefined;
  const prefix = Object.keys(manual.dropPrefixes ?? {}).find((p) => behaviour.flag.startsWith(p));
  const reason = flag.dataclass
    ? manual.dropDataclasses?.[flag.dataclass.split('.').pop()] ?? newer
    : manual.dropGroups?.[flag.group] ?? (prefix && manual.dropPrefixes[prefix]) ?? newer;
  if (!reason) return undefined;
  return { ...baseEntry(flag, behaviour), keys: [], convert: 'drop', reason, source: 'manual' };
}

/** Manual entries replace the generated ones; argparse facts (arity, type, aliases) are inherited. */
function mergeManual(base, manualEntry, flagName) {
  const entry = { flag: flagName };
  const aliases = manualEntry.aliases ?? base?.aliases;
  if (aliases?.length) entry.aliases = aliases;
  entry.arity = manualEntry.arity ?? base?.arity;
  const vt = 'valueType' in manualEntry ? manualEntry.valueType : base?.valueType;
  if (vt) entry.valueType = vt;
  const choices = 'choices' in manualEntry ? manualEntry.choices : base?.choices;
  if (choices) entry.choices = choices;
  const { aliases: _a, arity: _r, valueType: _v, choices: _c, ...rest } = manualEntry;
  Object.assign(entry, { keys: [], ...rest });
  if (!entry.source) entry.source = 'manual';
  return entry;
}

function currentEntries(index, flagsFile, manual, problems) {
  const table = {};
  const newerThanPin = new Set(flagsFile.header.option_strings_not_in_compare_rev ?? []);
  const spellings = new Set(flagsFile.flags.flatMap((f) => f.effective_option_strings));
  for (const name of Object.keys(manual.entries)) {
    if (!spellings.has(name)) problems.push(`${name}: in manual "entries" but not a canonical current flag (legacy flags go in "legacy")`);
  }
  for (const flag of flagsFile.flags) {
    for (const behaviour of behavioursOf(flag)) {
      const generated = schemaEntry(index, flag, behaviour) ?? groupDropEntry(flag, behaviour, manual, newerThanPin);
      const hand = manual.entries[behaviour.flag];
      if (hand && hand.arity !== undefined && hand.arity !== arityOf(flag)) {
        problems.push(`${behaviour.flag}: manual arity ${hand.arity} != Megatron-LM ${arityOf(flag)}`);
      }
      const entry = hand ? mergeManual(baseEntry(flag, behaviour), hand, behaviour.flag) : generated;
      if (!entry) {
        problems.push(`${behaviour.flag}: no Bridge field named "${flag.dataclass_field ?? flag.dest}" and no manual entry`);
        continue;
      }
      table[behaviour.flag] = entry;
    }
  }
  return table;
}

// ---------------------------------------------------------------------------------------------
// Legacy flags (older Megatron-LM releases, Megatron-DeepSpeed)

function legacyEntries(index, legacy, manual, current, problems) {
  const table = {};
  const known = new Set(Object.values(current).flatMap((e) => [e.flag, ...(e.aliases ?? [])]));
  const seen = new Set();
  for (const [flagName, hand] of Object.entries(manual.legacy ?? {})) {
    if (flagName.startsWith('$')) continue;
    if (known.has(flagName)) {
      problems.push(`${flagName}: in manual "legacy" but a current Megatron-LM flag (move it to "entries")`);
      continue;
    }
    const spec = legacy[flagName];
    if (spec && hand.arity !== undefined && hand.arity !== arityOf(spec)) {
      problems.push(`${flagName}: manual arity ${hand.arity} != legacy-flags.json ${arityOf(spec)}`);
    }
    const base = spec ? { arity: arityOf(spec), valueType: valueTypeOf(spec) } : undefined;
    if (hand.arity === undefined && !base) problems.push(`${flagName}: legacy manual entry needs an arity`);
    table[flagName] = { ...mergeManual(base, hand, flagName), source: 'legacy', legacy: true };
    for (const a of table[flagName].aliases ?? []) seen.add(a);
  }
  for (const [flagName, spec] of Object.entries(legacy)) {
    if (known.has(flagName) || table[flagName] || seen.has(flagName) || !flagName.startsWith('-')) continue;
    table[flagName] = legacyGeneratedEntry(index, flagName, spec);
  }
  return table;
}

function legacyGeneratedEntry(index, flagName, spec) {
  const entry = { flag: flagName, arity: arityOf(spec) };
  const vt = valueTypeOf(spec);
  if (vt) entry.valueType = vt;
  const dest = spec.dest ?? flagName.replace(/^-+/, '').replace(/-/g, '_');
  const keys = argumentKeys(index, { dest });
  const release = spec.last_seen ? ` (last seen in ${spec.last_seen})` : '';
  const convert = { store_true: 'true', store_false: 'false', store: entry.arity === 1 ? 'pass' : 'list' }[spec.action ?? 'store'];
  if (keys.length && convert) {
    entry.keys = keys;
    entry.convert = convert;
    entry.note = `removed from Megatron-LM${release}; matched to the Bridge field of the same name`;
  } else {
    entry.keys = [];
    entry.convert = 'drop';
    entry.reason = `flag of an older Megatron-LM release${release} with no Bridge counterpart`;
  }
  return { ...entry, source: 'legacy', legacy: true };
}

// ---------------------------------------------------------------------------------------------
// The guide

/** Rows of the guide's tables whose first cell is a backticked --flag: { flag, keys: [{key, value}] }. */
function parseGuide(markdown) {
  const rows = [];
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`(--[^`]+)`\s*\|([^|]*)\|/.exec(line);
    if (!m) continue;
    const keys = [...m[2].matchAll(/`([^`]+)`/g)].map(([, text]) => {
      const [key, value] = text.split('=');
      return value === undefined ? { key } : { key, value };
    });
    rows.push({ flag: m[1], keys });
  }
  return rows;
}

function markGuideRows(table, guideRows, problems) {
  for (const row of guideRows) {
    const entry = table[row.flag] ?? Object.values(table).find((e) => e.aliases?.includes(row.flag));
    if (!entry) {
      problems.push(`guide row ${row.flag}: no entry`);
      continue;
    }
    if (entry.source !== 'legacy') entry.source = 'guide';
    const missing = row.keys.map((k) => k.key).filter((k) => !entry.keys.includes(k));
    if (missing.length && !/guide/i.test(entry.note ?? '')) {
      problems.push(`guide row ${row.flag}: keys ${missing.join(', ')} not emitted and no note says why`);
    }
  }
}

/** What removing a dropped flag costs (manual "dropSeverity"; unlisted drops stay warnings). */
function applyDropSeverity(table, manual, problems) {
  for (const [severity, flags] of Object.entries(manual.dropSeverity ?? {})) {
    for (const flag of flags) {
      const entry = table[flag];
      if (!entry) problems.push(`dropSeverity ${severity}: ${flag} has no entry`);
      else if (entry.convert !== 'drop') problems.push(`dropSeverity ${severity}: ${flag} is not dropped (${entry.convert})`);
      else entry.severity = severity;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Validation

function validateTable(index, table, presets, problems) {
  for (const entry of Object.values(table)) {
    const where = entry.flag;
    if (entry.arity === undefined) problems.push(`${where}: no arity`);
    if (['drop', 'launcher'].includes(entry.convert)) {
      if (!entry.reason) problems.push(`${where}: ${entry.convert} without reason`);
      if (entry.keys.length) problems.push(`${where}: ${entry.convert} with keys`);
      continue;
    }
    if (entry.keys.length === 0) problems.push(`${where}: no keys`);
    if (entry.convert === 'rule' && !entry.rule) problems.push(`${where}: rule without name`);
    if (entry.convert === 'const' && entry.value === undefined && !entry.values) problems.push(`${where}: const without value`);
    if (entry.convert === 'rename' && !entry.rename) problems.push(`${where}: rename without map`);
    for (const key of entry.keys) {
      const hit = lookupKey(index, key);
      if (!hit) problems.push(`${where}: ${key} is not a Bridge field`);
      else if (ALT_MODEL_VIEWS[hit.view] && !(entry.note ?? '').includes(ALT_MODEL_VIEWS[hit.view])) {
        problems.push(`${where}: ${key} needs note "${ALT_MODEL_VIEWS[hit.view]}"`);
      }
    }
    for (const [key, value] of constValues(entry)) {
      const choices = lookupKey(index, key)?.field.literal_choices;
      if (choices && value !== 'null' && !choices.map(String).includes(value)) {
        problems.push(`${where}: ${key}=${value} not in ${JSON.stringify(choices)}`);
      }
      if (key === 'mixed_precision' && value !== 'null' && !presets.includes(value)) {
        problems.push(`${where}: unknown mixed precision preset ${value}`);
      }
    }
  }
}

/** [key, value] pairs an entry can emit as fixed text (const / rename targets). */
function constValues(entry) {
  const out = [];
  for (const key of entry.keys ?? []) {
    if (entry.convert === 'const') out.push([key, entry.values?.[key] ?? entry.value]);
    if (entry.convert === 'rename') for (const v of Object.values(entry.rename ?? {})) out.push([key, v]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Defaults: Megatron-LM default vs the recipe's effective value

function findRecipe(recipes, name) {
  for (const [fqName, recipe] of Object.entries(recipes.recipes)) {
    const short = fqName.split('.').pop();
    if (short === name || (recipe.legacy_aliases ?? []).some((a) => a.split('.').pop() === name)) {
      return { fqName, recipe };
    }
  }
  throw new Error(`recipe ${name} not found`);
}

const isExpr = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && 'expr' in v;

/** The recipe's effective value for a key, or undefined when it is not a known literal. */
function recipeValue(index, bridge, recipe, helperValues, key, allowExpr = false) {
  if (recipe.instance_values) return instanceValue(index, bridge, recipe.instance_values, key, allowExpr);
  const sets = recipe.all_literal_sets;
  if (key in sets) {
    if (!isExpr(sets[key])) return { value: sets[key], from: 'recipe literal' };
    if (allowExpr) return { value: sets[key], from: 'recipe expression (not a literal)' };
    return undefined;
  }
  if (key in helperValues) return { value: helperValues[key], from: 'recipe optimizer/scheduler helper' };
  const [group, name] = key.split('.');
  const shape = recipe.model_source?.provider_shape ?? {};
  if (group === 'model' && name in shape) {
    return isExpr(shape[name]) ? undefined : { value: shape[name], from: 'model provider default' };
  }
  // Sections that are None in the recipe (or a preset name string) have no field defaults.
  if (bridge.groups[group]?.alternatives?.includes('None')) return undefined;
  const hit = lookupKey(index, key);
  if (!hit || hit.view !== group || !hit.field.default_is_literal || hit.field.required) return undefined;
  return { value: hit.field.default, from: 'Bridge field default' };
}

const RELEASE_LABEL = (bridge) => `${RECIPE_NAME}() of megatron-bridge ${bridge.header?.versions?.['megatron-bridge'] ?? '?'}`;

/**
 * The value the built recipe has (the release's instance_values): said to be the field's default
 * where it equals the class default, else set by the recipe. Sections the recipe leaves None (or a
 * preset name) have no field values.
 */
function instanceValue(index, bridge, values, key, allowExpr) {
  if (!(key in values)) return undefined;
  const value = values[key];
  if (isExpr(value)) return allowExpr ? { value, from: `${RELEASE_LABEL(bridge)} (not a literal)` } : undefined;
  const hit = lookupKey(index, key);
  const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
  // A value the section's __post_init__ computes (TokenizerConfig forces pad_vocab_size=false,
  // CheckpointConfig async_strategy=mcore without async_save): an override cannot keep
  // Megatron-LM's value against it, so it is no row.
  if (hit && 'post_init_default' in hit.field && same(hit.field.post_init_default, value)) return undefined;
  const isDefault = hit?.field.default_is_literal && same(hit.field.default, value);
  return { value, from: `${RELEASE_LABEL(bridge)}, ${isDefault ? 'the field default' : 'set by the recipe'}` };
}

/** Hydra text for a JSON literal; `valueType` float keeps integral floats as 1.0. */
function hydraText(value, valueType) {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return valueType === 'float' || !Number.isInteger(value) ? floatText(value) : String(value);
  if (Array.isArray(value)) return `[${value.map((v) => hydraText(v, valueType)).join(',')}]`;
  if (typeof value === 'string') return /^[A-Za-z_/][\w./-]*$/.test(value) ? value : `'${value}'`;
  return JSON.stringify(value);
}

function floatText(n) {
  const s = String(n);
  return /[.eE]/.test(s) || !Number.isFinite(n) ? s : `${s}.0`;
}

/** Megatron-LM's value for a key when the entry's flag is absent, or undefined. */
function mlmValue(entry, flag) {
  if (!flag || !flag.default_is_literal) return undefined;
  if (entry.convert === 'pass' || entry.convert === 'list') return { value: flag.default };
  if (entry.convert === 'rename') {
    const renamed = entry.rename[flag.default];
    return { value: renamed === undefined ? flag.default : renamed === 'null' ? null : renamed };
  }
  if (entry.convert === 'true' && entry.arity === 0) return { value: flag.default ?? false };
  if (entry.convert === 'false' && entry.arity === 0) {
    // store_false: the dest default is the key's value; store_true --no-x (dest no_x): the inverse.
    return { value: flag.action === 'store_false' ? flag.default : true };
  }
  return undefined;
}

/** Equal values, counting null and false as equal for an optional boolean. */
function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a));
  if ((a === null && b === false) || (a === false && b === null)) return true;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Locale-independent string order (stable output on every machine). */
const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Guide rows first, then current flags, then deprecated ones; by option string within each. */
function defaultsOrder(byFlag) {
  const rank = (e) => (e.source === 'guide' ? 0 : byFlag.get(e.flag)?.deprecated ? 2 : 1);
  return (a, b) => rank(a) - rank(b) || byText(a.flag, b.flag);
}

function computeDefaults(index, bridge, table, flags, recipes, manual) {
  const cfg = manual.defaults;
  const { recipe } = findRecipe(recipes, RECIPE_NAME);
  const byFlag = new Map(flags.flatMap((f) => f.effective_option_strings.map((o) => [o, f])));
  const helperValues = cfg.recipeHelperValues?.values ?? {};
  const decided = new Set(cfg.skipKeys);
  for (const flagName of cfg.skipFlags) for (const key of table[flagName]?.keys ?? []) decided.add(key);
  const rows = new Map();
  const entries = Object.values(table)
    .filter((e) => !e.legacy && byFlag.has(e.flag) && !cfg.skipFlags.includes(e.flag))
    .sort(defaultsOrder(byFlag));
  for (const entry of entries) {
    const mlm = mlmValue(entry, byFlag.get(entry.flag));
    if (!mlm) continue;
    for (const key of entry.keys) {
      if (decided.has(key) || key in cfg.overrides) continue;
      const bridgeValue = recipeValue(index, bridge, recipe, helperValues, key);
      if (!bridgeValue || isExpr(bridgeValue.value)) continue;
      decided.add(key);
      if (sameValue(mlm.value, bridgeValue.value)) continue;
      const mlmDefault = hydraText(mlm.value, entry.valueType);
      rows.set(key, { key, flag: entry.flag, mlmDefault, recipeValue: bridgeValue.value, note: `recipe value: ${bridgeValue.from}` });
    }
  }
  for (const [key, extra] of Object.entries(cfg.overrides)) {
    if (key.startsWith('$')) continue;
    const bridgeValue = recipeValue(index, bridge, recipe, helperValues, key, extra.allowExpr);
    if (!bridgeValue) throw new Error(`defaults override ${key}: recipe value unknown`);
    rows.set(key, { key, flag: extra.flag, mlmDefault: extra.mlmDefault, recipeValue: bridgeValue.value, note: `recipe value: ${bridgeValue.from}` });
  }
  for (const [key, note] of Object.entries(cfg.notes)) {
    if (!rows.has(key)) throw new Error(`defaults note for ${key}, which has no row`);
    rows.get(key).note += `; ${note}`;
  }
  return [...rows.values()].sort((a, b) => byText(a.key, b.key));
}

// ---------------------------------------------------------------------------------------------
// Output

const ENTRY_FIELD_ORDER = ['flag', 'aliases', 'arity', 'valueType', 'choices', 'keys', 'convert', 'rename', 'value', 'values', 'scalarIfSingle', 'rule', 'reason', 'severity', 'valueFindings', 'companions', 'note', 'source', 'legacy'];

function orderedEntry(entry) {
  const out = {};
  for (const k of ENTRY_FIELD_ORDER) if (entry[k] !== undefined) out[k] = entry[k];
  for (const k of Object.keys(entry).sort()) if (!(k in out)) out[k] = entry[k];
  return out;
}

/** One entry per line, sorted by option string. */
function tableJson(table) {
  const names = Object.keys(table).sort(byText);
  const lines = names.map((n) => `  ${JSON.stringify(n)}: ${JSON.stringify(orderedEntry(table[n]))}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

function defaultsJson(rows) {
  return `[\n${rows.map((r) => `  ${JSON.stringify(r)}`).join(',\n')}\n]\n`;
}

function summary(table) {
  const count = (f) => Object.values(table).reduce((m, e) => ((m[f(e)] = (m[f(e)] ?? 0) + 1), m), {});
  return { entries: Object.keys(table).length, bySource: count((e) => e.source), byConvert: count((e) => e.convert) };
}

/**
 * What writing a preset out needs: MixedPrecisionConfig()'s value of each field that has a literal
 * default (a field a launch's other preset sets is written with it, so every dict a launch writes
 * has the same keys: Hydra merges a later dict into an earlier one and refuses a key it lacks), and
 * each preset's fields that differ from those defaults.
 */
function presetsDocument(bridge) {
  const fields = bridge.groups.mixed_precision.fields.filter((field) => field.init && field.default_is_literal && !field.private);
  return { defaults: Object.fromEntries(fields.map((field) => [field.name, field.default])), presets: bridge.mixed_precision_preset_fields };
}

function main() {
  const inputs = loadInputs();
  const index = fieldIndex(inputs.bridge);
  const problems = [];
  const current = currentEntries(index, inputs.flagsFile, inputs.manual, problems);
  const legacy = legacyEntries(index, inputs.legacy, inputs.manual, current, problems);
  const table = { ...current, ...legacy };
  annotate(index, inputs.bridge, table);
  markGuideRows(table, parseGuide(inputs.guide), problems);
  applyDropSeverity(table, inputs.manual, problems);
  validateTable(index, table, inputs.bridge.mixed_precision_presets, problems);
  if (problems.length) {
    console.error(`generate-mapping: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  const defaults = computeDefaults(index, inputs.bridge, table, inputs.flagsFile.flags, inputs.recipes, inputs.manual);
  writeFileSync(path.join(MAPPING_DIR, 'table.generated.json'), tableJson(table));
  writeFileSync(path.join(MAPPING_DIR, 'defaults.generated.json'), defaultsJson(defaults));
  writeFileSync(path.join(MAPPING_DIR, 'presets.generated.json'), `${JSON.stringify(presetsDocument(inputs.bridge), null, 1)}\n`);
  console.log(JSON.stringify({ ...summary(table), defaults: defaults.length }));
}

main();
