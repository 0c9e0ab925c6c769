#!/usr/bin/env node
/**
 * Builds src/mapping/recipes.generated.json from the pinned release's facts
 * (src/mapping/bridge-release-recipes.generated.json and bridge-release.generated.json, written by
 * scripts/extract-bridge-release.py): every pretrain recipe with the names run_recipe.py accepts,
 * the view its model config has (flat provider, MLA provider, hybrid, builder-backed GPTModelConfig
 * with nested `transformer.`), its literal model shape when the recipe builds offline, and the
 * model fields of each view so that keys can be checked against the chosen recipe. Deterministic.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAPPING = path.join(ROOT, 'src', 'mapping');
const RECIPES_FILE = path.join(MAPPING, 'bridge-release-recipes.generated.json');
const CONFIG_FILE = path.join(MAPPING, 'bridge-release.generated.json');
for (const file of [RECIPES_FILE, CONFIG_FILE]) {
  if (!existsSync(file)) {
    console.error(`generate-recipes: ${path.relative(ROOT, file)} is missing: run HF_HUB_OFFLINE=1 .venv-bridge/bin/python scripts/extract-bridge-release.py`);
    process.exit(1);
  }
}
const release = JSON.parse(readFileSync(RECIPES_FILE, 'utf8'));
const recipes = release.recipes;
const config = JSON.parse(readFileSync(CONFIG_FILE, 'utf8'));

/** The release records the view; the older reference facts only described the model expression. */
function viewOf(source) {
  if (source?.view) return source.view;
  const kind = source?.expr_kind ?? '';
  if (kind.includes('GPTModelConfig')) return 'nested';
  if (kind.includes('HybridModelProvider')) return 'hybrid';
  if (source?.provider_class || kind.includes('flat provider')) return 'flat';
  return 'unknown';
}

const SHAPE_KEYS = ['num_layers', 'hidden_size', 'num_attention_heads', 'num_query_groups', 'ffn_hidden_size', 'vocab_size'];

const versions = release.header?.versions ?? {};
const out = {
  header: {
    generatedBy: 'scripts/generate-recipes.mjs',
    from: ['bridge-release-recipes.generated.json', 'bridge-release.generated.json'],
    bridge: versions['megatron-bridge'] ?? null,
    core: versions['megatron-core'] ?? null,
  },
  recipes: [],
  views: {},
};
for (const key of Object.keys(recipes).sort()) {
  const r = recipes[key];
  const ms = r.model_source;
  const shape = ms?.provider_shape ? Object.fromEntries(SHAPE_KEYS.map((k) => [k, ms.provider_shape[k] ?? null])) : null;
  const names = r.names ?? [r.function, ...(r.legacy_aliases ?? []).map((a) => a.split('.').pop())];
  out.recipes.push({
    names: [...new Set(names)],
    module: r.module,
    view: viewOf(ms),
    providerClass: ms?.provider_class ? ms.provider_class.split('.').pop() : null,
    hfModelId: typeof ms?.hf_model_id === 'string' ? ms.hf_model_id : null,
    // A shape is for --recipe auto, which picks GPT or hybrid models; an unknown model class
    // (diffusion, vision) is never a match.
    shape: shape && shape.num_layers && viewOf(ms) !== 'unknown' ? shape : null,
  });
}
const fieldNames = (group) => config.groups[group].fields.filter((f) => !f.private).map((f) => f.name).sort();
out.views = {
  flat: fieldNames('model'),
  nested: fieldNames('model[GPTModelConfig]'),
  hybrid: fieldNames('model[HybridModelProvider]'),
  mla: fieldNames('model[MLAModelProvider]'),
};
writeFileSync(path.join(MAPPING, 'recipes.generated.json'), `${JSON.stringify(out)}\n`);
const viewCounts = out.recipes.reduce((m, r) => ((m[r.view] = (m[r.view] ?? 0) + 1), m), {});
console.log(JSON.stringify({ recipes: out.recipes.length, withShape: out.recipes.filter((r) => r.shape).length, recipeViews: viewCounts, views: Object.fromEntries(Object.entries(out.views).map(([k, v]) => [k, v.length])) }));
