#!/usr/bin/env node
/**
 * Builds src/mapping/recipes.generated.json from ../shared/reference (bridge-recipes.json and
 * bridge-config.json): every pretrain recipe with the names run_recipe.py accepts, the view its
 * model config has (flat provider, builder-backed GPTModelConfig with nested `transformer.`, hybrid),
 * its literal model shape when the recipe has one, and the model fields of each view so that keys
 * can be checked against the chosen recipe. Deterministic output.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REF = process.env.BRIDGE_MIGRATE_REFERENCE ?? path.resolve(ROOT, '..', 'shared', 'reference');
const recipes = JSON.parse(readFileSync(path.join(REF, 'bridge-recipes.json'), 'utf8')).recipes;
const config = JSON.parse(readFileSync(path.join(REF, 'bridge-config.json'), 'utf8'));

function viewOf(source) {
  const kind = source?.expr_kind ?? '';
  if (kind.includes('GPTModelConfig')) return 'nested';
  if (kind.includes('HybridModelProvider')) return 'hybrid';
  if (source?.provider_class || kind.includes('flat provider')) return 'flat';
  return 'unknown';
}

const SHAPE_KEYS = ['num_layers', 'hidden_size', 'num_attention_heads', 'num_query_groups', 'ffn_hidden_size', 'vocab_size'];

const out = { header: { generatedBy: 'scripts/generate-recipes.mjs', from: ['bridge-recipes.json', 'bridge-config.json'] }, recipes: [], views: {} };
for (const key of Object.keys(recipes).sort()) {
  const r = recipes[key];
  const ms = r.model_source;
  const shape = ms?.provider_shape ? Object.fromEntries(SHAPE_KEYS.map((k) => [k, ms.provider_shape[k] ?? null])) : null;
  const names = [r.function, ...(r.legacy_aliases ?? []).map((a) => a.split('.').pop())];
  out.recipes.push({
    names: [...new Set(names)],
    module: r.module,
    view: viewOf(ms),
    providerClass: ms?.provider_class ? ms.provider_class.split('.').pop() : null,
    hfModelId: typeof ms?.hf_model_id === 'string' ? ms.hf_model_id : null,
    shape: shape && shape.num_layers ? shape : null,
  });
}
const fieldNames = (group) => config.groups[group].fields.filter((f) => !f.private).map((f) => f.name).sort();
out.views = {
  flat: fieldNames('model'),
  nested: fieldNames('model[GPTModelConfig]'),
  hybrid: fieldNames('model[HybridModelProvider]'),
  mla: fieldNames('model[MLAModelProvider]'),
};
writeFileSync(path.join(ROOT, 'src', 'mapping', 'recipes.generated.json'), `${JSON.stringify(out)}\n`);
console.log(JSON.stringify({ recipes: out.recipes.length, withShape: out.recipes.filter((r) => r.shape).length, views: Object.fromEntries(Object.entries(out.views).map(([k, v]) => [k, v.length])) }));
