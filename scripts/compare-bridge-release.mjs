#!/usr/bin/env node
/**
 * What the pinned Bridge release says differently from ../shared/reference (Bridge main of
 * 2026-08-22): recipes, views, config sections and fields, defaults, literal choices, presets,
 * and what that changed in bridge-migrate's generated tables (against a base commit).
 *
 *   node scripts/compare-bridge-release.mjs [--base COMMIT] [--write]
 *
 * Prints the differences as Markdown; --write also writes bench/bridge-release/README.md.
 * Inputs: src/mapping/bridge-release*.generated.json (scripts/extract-bridge-release.py),
 * ../shared/reference/bridge-config.json, bridge-recipes.json, megatron-lm-flags.json, and the
 * generated tables at the base commit (git show) and now. Deterministic.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REF = process.env.BRIDGE_MIGRATE_REFERENCE ?? path.resolve(ROOT, '..', 'shared', 'reference');
const args = process.argv.slice(2);
const BASE = args.includes('--base') ? args[args.indexOf('--base') + 1] : 'f8fb134';
const json = (file) => JSON.parse(readFileSync(file, 'utf8'));
const atBase = (file) => JSON.parse(execFileSync('git', ['show', `${BASE}:${file}`], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 }));

const release = json(path.join(ROOT, 'src/mapping/bridge-release.generated.json'));
const releaseRecipes = json(path.join(ROOT, 'src/mapping/bridge-release-recipes.generated.json'));
const reference = json(path.join(REF, 'bridge-config.json'));
const referenceRecipes = json(path.join(REF, 'bridge-recipes.json'));
const flags = json(path.join(REF, 'megatron-lm-flags.json')).flags;
const byText = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const sorted = (items) => [...items].sort(byText);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const code = (items) => (items.length ? items.map((i) => `\`${i}\``).join(', ') : '(none)');
const out = [];
const say = (line = '') => out.push(line);

// ---------------------------------------------------------------------------------------------
// Recipes

function referenceView(source) {
  const kind = source?.expr_kind ?? '';
  if (kind.includes('GPTModelConfig')) return 'nested';
  if (kind.includes('HybridModelProvider')) return 'hybrid';
  if (source?.provider_class || kind.includes('flat provider')) return 'flat';
  return 'unknown';
}

const refByFunction = new Map(Object.values(referenceRecipes.recipes).map((r) => [r.function, r]));
const relByFunction = new Map(Object.values(releaseRecipes.recipes).map((r) => [r.function, r]));
const refNames = (r) => [r.function, ...(r.legacy_aliases ?? []).map((a) => a.split('.').pop())];
const allRef = new Set([...refByFunction.values()].flatMap(refNames));
const allRel = new Set([...relByFunction.values()].flatMap((r) => r.names));

const versions = releaseRecipes.header.versions;
say(`# Megatron Bridge ${versions['megatron-bridge']} (pinned) vs ../shared/reference`);
say();
say(`Target: megatron-bridge==${versions['megatron-bridge']}, megatron-core==${versions['megatron-core']} (hydra-core ${versions['hydra-core']}, torch ${versions.torch}, Python ${releaseRecipes.header.python}).`);
say(`Reference: Bridge main ${reference.header.bridge_commit.slice(0, 7)} (Megatron-LM ${reference.header.megatron_lm_commit.slice(0, 7)}), read statically. Where they differ the release wins.`);
say();
say('How obtained: `HF_HUB_OFFLINE=1 .venv-bridge/bin/python scripts/extract-bridge-release.py` (imports the release with');
say('verify/stubs.py, walks the dataclasses, calls every pretrain recipe offline with verify/hf-configs as the HF cache), then');
say(`\`node scripts/compare-bridge-release.mjs --base ${BASE} --write\` (this file). Generated; do not edit by hand.`);
say();
say('## Recipes');
say();
const built = [...relByFunction.values()].filter((r) => r.built).length;
say(`- release: ${relByFunction.size} recipe functions, ${allRel.size} names; reference: ${refByFunction.size} functions, ${allRef.size} names. Built offline: ${built} (the others need a Hugging Face config.json; their view comes from the model bridges registered for the family, or is unknown).`);
say(`- functions only in the reference (removed): ${code(sorted([...refByFunction.keys()].filter((f) => !relByFunction.has(f))))}`);
say(`- functions only in the release (added): ${code(sorted([...relByFunction.keys()].filter((f) => !refByFunction.has(f))))}`);
say(`- names run_recipe.py no longer finds: ${code(sorted([...allRef].filter((n) => !allRel.has(n))))}`);
say(`- names new in the release: ${code(sorted([...allRel].filter((n) => !allRef.has(n))))}`);
const moved = sorted([...relByFunction.values()].filter((r) => refByFunction.has(r.function) && refByFunction.get(r.function).module !== r.module).map((r) => `${r.function}: ${refByFunction.get(r.function).module} -> ${r.module}`));
if (moved.length) say(`- modules changed: ${code(moved)}`);
const viewChanges = new Map();
for (const r of relByFunction.values()) {
  const ref = refByFunction.get(r.function);
  if (!ref) continue;
  const before = referenceView(ref.model_source);
  const after = r.model_source.view;
  if (before !== after) {
    const change = `${before} -> ${after}`;
    viewChanges.set(change, [...(viewChanges.get(change) ?? []), r.function]);
  }
}
const viewCount = [...viewChanges.values()].reduce((n, list) => n + list.length, 0);
say(`- views changed: ${viewCount}`);
for (const [change, list] of [...viewChanges].sort(([a], [b]) => byText(a, b))) say(`  - ${change} (${list.length}): ${code(sorted(list))}`);
const hfChanges = sorted([...relByFunction.values()].filter((r) => {
  const ref = refByFunction.get(r.function);
  const before = typeof ref?.model_source?.hf_model_id === 'string' ? ref.model_source.hf_model_id : null;
  return ref && (r.model_source.hf_model_id ?? null) !== before;
}).map((r) => `${r.function}: ${typeof refByFunction.get(r.function).model_source?.hf_model_id === 'string' ? refByFunction.get(r.function).model_source.hf_model_id : 'none'} -> ${r.model_source.hf_model_id ?? 'none'}`));
say(`- Hugging Face ids that differ (release id as the recipe asked for it): ${hfChanges.length}`);
for (const change of hfChanges) say(`  - \`${change}\``);
const SHAPE = ['num_layers', 'hidden_size', 'num_attention_heads', 'num_query_groups', 'ffn_hidden_size', 'vocab_size'];
const shapeChanges = [];
for (const r of relByFunction.values()) {
  const before = refByFunction.get(r.function)?.model_source?.provider_shape;
  const after = r.model_source.provider_shape;
  if (!after) continue;
  const diffs = SHAPE.filter((k) => before && !same(before[k] ?? null, after[k] ?? null)).map((k) => `${k} ${JSON.stringify(before[k] ?? null)} -> ${JSON.stringify(after[k])}`);
  if (!before && after.num_layers) shapeChanges.push(`${r.function}: shape now known (${SHAPE.map((k) => `${k}=${after[k]}`).join(', ')})`);
  else if (diffs.length) shapeChanges.push(`${r.function}: ${diffs.join(', ')}`);
}
say(`- model shapes known now or different: ${shapeChanges.length}`);
for (const change of sorted(shapeChanges)) say(`  - \`${change}\``);
const failures = new Map();
for (const r of relByFunction.values()) {
  if (r.built) continue;
  const call = { to_megatron_provider: 'AutoBridge.from_hf_pretrained' }[r.build_failure.call] ?? r.build_failure.call;
  const kind = r.build_failure.kind === 'hf' ? `need a Hugging Face config.json (${call})` : r.build_failure.error;
  failures.set(kind, (failures.get(kind) ?? 0) + 1);
}
say(`- not built offline: ${[...failures].map(([k, n]) => `${n} ${k}`).join('; ')}`);

// ---------------------------------------------------------------------------------------------
// Config

say();
say('## ConfigContainer');
say();
const presetsRef = new Set(reference.mixed_precision_presets);
const presetsRel = new Set(release.mixed_precision_presets);
say(`- mixed-precision presets: release ${presetsRel.size}, reference ${presetsRef.size}; added ${code(sorted([...presetsRel].filter((p) => !presetsRef.has(p))))}; removed ${code(sorted([...presetsRef].filter((p) => !presetsRel.has(p))))} (the release also accepts each with hyphens: ${release.mixed_precision_preset_spellings.length} spellings)`);
const topRef = new Set(reference.top_level_fields.map((f) => f.name));
const topRel = new Set(release.top_level_fields.map((f) => f.name));
say(`- top-level fields: added ${code(sorted([...topRel].filter((n) => !topRef.has(n))))}; removed ${code(sorted([...topRef].filter((n) => !topRel.has(n))))}`);
const groupsRef = Object.keys(reference.groups);
const groupsRel = Object.keys(release.groups);
say(`- groups only in the reference (not extracted: not read by the generators): ${code(groupsRef.filter((g) => !release.groups[g]))}`);
const removedFields = [];
for (const group of groupsRel) {
  const a = reference.groups[group];
  const b = release.groups[group];
  if (!a) continue;
  const fa = new Map(a.fields.map((f) => [f.name, f]));
  const fb = new Map(b.fields.map((f) => [f.name, f]));
  const lines = [];
  if (a.class !== b.class) lines.push(`class ${a.class} -> ${b.class}`);
  const gone = sorted([...fa.keys()].filter((n) => !fb.has(n)));
  const added = sorted([...fb.keys()].filter((n) => !fa.has(n)));
  if (gone.length) lines.push(`fields removed: ${code(gone)}`);
  if (added.length) lines.push(`fields added: ${code(added)}`);
  for (const n of gone) removedFields.push(`${group}.${n}`);
  for (const n of sorted([...fa.keys()].filter((k) => fb.has(k)))) {
    const x = fa.get(n);
    const y = fb.get(n);
    if (x.default_is_literal && y.default_is_literal && !same(x.default, y.default)) lines.push(`\`${n}\` default ${JSON.stringify(x.default)} -> ${JSON.stringify(y.default)}`);
    if (!same(x.literal_choices ?? null, y.literal_choices ?? null)) lines.push(`\`${n}\` choices ${JSON.stringify(x.literal_choices ?? null)} -> ${JSON.stringify(y.literal_choices ?? null)}`);
  }
  if (lines.length) {
    say(`- \`${group}\`:`);
    for (const line of lines) say(`  - ${line}`);
  }
}
const computed = [];
for (const [group, spec] of Object.entries(release.groups)) {
  if (group.includes('[')) continue;
  for (const f of spec.fields) if ('post_init_default' in f) computed.push(`${group}.${f.name}: ${JSON.stringify(f.default)} -> ${JSON.stringify(f.post_init_default)}`);
}
say(`- values a section's __post_init__ computes (never pinned as defaults): ${code(sorted(computed))}`);

// ---------------------------------------------------------------------------------------------
// The vanilla recipe's values

say();
say('## vanilla_gpt_pretrain_config values (reference: literal assignments; release: the built instance)');
say();
const vanillaRef = Object.values(referenceRecipes.recipes).find((r) => r.function === 'vanilla_gpt_pretrain_1gpu_h100_bf16_config');
const vanillaRel = Object.values(releaseRecipes.recipes).find((r) => r.names.includes('vanilla_gpt_pretrain_config'));
const values = vanillaRel.instance_values;
const literalDiffs = [];
const nowConcrete = [];
for (const [key, value] of Object.entries(vanillaRef.all_literal_sets)) {
  const isExpr = value && typeof value === 'object' && 'expr' in value;
  if (isExpr) nowConcrete.push(`${key} = ${JSON.stringify(values[key])}`);
  else if (!same(value, values[key])) literalDiffs.push(`${key}: ${JSON.stringify(value)} -> ${JSON.stringify(values[key])}`);
}
say(`- literal assignments that differ: ${code(literalDiffs)}`);
say(`- expressions in the reference, values now: ${code(sorted(nowConcrete))}`);
const manualBase = atBase('src/mapping/manual-entries.json');
const helper = manualBase.defaults?.recipeHelperValues?.values ?? {};
const helperDiffs = Object.entries(helper).filter(([k, v]) => !same(v, values[k])).map(([k, v]) => `${k}: ${JSON.stringify(v)} -> ${JSON.stringify(values[k])}`);
say(`- optimizer/scheduler helper values hand-copied at ${BASE} (${Object.keys(helper).length}): ${helperDiffs.length ? code(helperDiffs) : 'all equal the release'}; replaced by the instance`);

// ---------------------------------------------------------------------------------------------
// What it changed in bridge-migrate's tables

say();
say(`## bridge-migrate's generated tables (${BASE} -> now)`);
say();
const tableBase = atBase('src/mapping/table.generated.json');
const tableNow = json(path.join(ROOT, 'src/mapping/table.generated.json'));
const lostKeys = Object.values(tableBase).filter((e) => e.keys.some((k) => removedFields.includes(k) || removedFields.includes(k.replace(/^model\./, 'model.'))));
const changedEntries = sorted(Object.keys(tableNow).filter((f) => !same(tableBase[f], tableNow[f])));
say(`- entries changed: ${changedEntries.length}`);
for (const flag of changedEntries) {
  const before = tableBase[flag];
  const after = tableNow[flag];
  const text = (e) => (e ? `${e.convert}${e.keys.length ? ` ${e.keys.join(',')}` : ''}${e.severity ? ` (${e.severity})` : ''}` : 'absent');
  say(`  - \`${flag}\`: ${text(before)} -> ${text(after)}`);
}
say(`- keys the base table emitted that megatron-bridge ${versions['megatron-bridge']} does not have: ${code(sorted(lostKeys.flatMap((e) => e.keys.filter((k) => removedFields.includes(k)).map((k) => `${e.flag} -> ${k}`))))}`);
const defaultsBase = new Map(atBase('src/mapping/defaults.generated.json').map((r) => [r.key, r]));
const defaultsNow = new Map(json(path.join(ROOT, 'src/mapping/defaults.generated.json')).map((r) => [r.key, r]));
say(`- pinned-defaults rows: ${defaultsBase.size} -> ${defaultsNow.size}; added ${code(sorted([...defaultsNow.keys()].filter((k) => !defaultsBase.has(k))))}; removed ${code(sorted([...defaultsBase.keys()].filter((k) => !defaultsNow.has(k))))}`);
for (const key of sorted([...defaultsNow.keys()].filter((k) => defaultsBase.has(k)))) {
  const a = defaultsBase.get(key);
  const b = defaultsNow.get(key);
  for (const field of ['flag', 'mlmDefault', 'recipeValue']) {
    if (!same(a[field], b[field])) say(`  - \`${key}\` ${field}: ${JSON.stringify(a[field])} -> ${JSON.stringify(b[field])}`);
  }
}
const recipesBase = atBase('src/mapping/recipes.generated.json');
const recipesNow = json(path.join(ROOT, 'src/mapping/recipes.generated.json'));
say(`- recipes.generated.json: ${recipesBase.recipes.length} -> ${recipesNow.recipes.length} recipes; view field lists ${Object.entries(recipesNow.views).map(([v, list]) => `${v} ${recipesBase.views[v]?.length ?? 0} -> ${list.length}`).join(', ')}`);

// ---------------------------------------------------------------------------------------------
// Values Megatron-LM accepts that the release's Literal fields do not

say();
say(`## Megatron-LM choices that megatron-bridge ${versions['megatron-bridge']} does not accept`);
say();
say('Entries that pass (or rename) a value into a Literal field: Megatron-LM choices whose Bridge value is not among the');
say("field's choices. Bridge's overrides do not check Literal types: such a value is accepted and then means nothing (or");
say('fails later), so each needs a decision.');
say();
const index = new Map(Object.entries(release.groups).map(([g, spec]) => [g, new Map(spec.fields.map((f) => [f.name, f]))]));
const byFlag = new Map(flags.flatMap((f) => f.effective_option_strings.map((o) => [o, f])));
const unaccepted = [];
for (const entry of Object.values(tableNow)) {
  if (!['pass', 'rename'].includes(entry.convert) || entry.legacy) continue;
  const flag = byFlag.get(entry.flag);
  if (!flag?.choices) continue;
  for (const key of entry.keys) {
    const [group, name] = key.split('.');
    const choices = index.get(group)?.get(name)?.literal_choices;
    if (!choices) continue;
    const bad = flag.choices.filter((c) => !choices.map(String).includes(String(entry.rename?.[c] ?? c)));
    const refChoices = reference.groups[group]?.fields.find((f) => f.name === name)?.literal_choices;
    const refBad = refChoices ? flag.choices.filter((c) => !refChoices.map(String).includes(String(entry.rename?.[c] ?? c))) : [];
    const since = same(bad, refBad) ? 'the reference says the same' : `new with the release; reference: ${refBad.join(', ') || 'none'}`;
    if (bad.length) unaccepted.push(`${entry.flag} -> ${key}: ${bad.join(', ')} (Bridge: ${choices.join(', ')}; ${since})`);
  }
}
for (const line of sorted(unaccepted)) say(`- \`${line}\``);
if (!unaccepted.length) say('- (none)');

const text = `${out.join('\n')}\n`;
process.stdout.write(text);
if (args.includes('--write')) {
  mkdirSync(path.join(ROOT, 'bench', 'bridge-release'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench', 'bridge-release', 'README.md'), text);
}
