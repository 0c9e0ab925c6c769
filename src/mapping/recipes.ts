/**
 * Bridge recipes (src/mapping/recipes.generated.json, from scripts/generate-recipes.mjs): names
 * run_recipe.py accepts, the shape of each recipe's model config (which decides how model keys are
 * spelled and which exist), and `--recipe auto` matching by model shape.
 */
import data from './recipes.generated.json' with { type: 'json' };

export type ModelView = 'flat' | 'nested' | 'hybrid' | 'mla' | 'unknown';

export interface Shape {
  num_layers: number | null;
  hidden_size: number | null;
  num_attention_heads: number | null;
  num_query_groups: number | null;
  ffn_hidden_size: number | null;
  vocab_size: number | null;
}

export interface RecipeInfo {
  names: string[];
  module: string;
  view: ModelView;
  providerClass: string | null;
  hfModelId: string | null;
  shape: Shape | null;
}

const recipes = data.recipes as RecipeInfo[];
const views = data.views as Record<'flat' | 'nested' | 'hybrid' | 'mla', string[]>;
const viewSets = Object.fromEntries(Object.entries(views).map(([k, v]) => [k, new Set(v)])) as Record<string, Set<string>>;
const nestedTop = new Set(views.nested.filter((f) => !f.startsWith('transformer.')));

export const VANILLA = 'vanilla_gpt_pretrain_config';

export function findRecipe(name: string): RecipeInfo | undefined {
  return recipes.find((r) => r.names.includes(name));
}

export function allRecipeNames(): string[] {
  return recipes.map((r) => r.names[r.names.length - 1]);
}

/** The key as the recipe's model config spells it (model.x -> model.transformer.x when nested). */
export function keyForView(view: ModelView, key: string): string {
  if (view !== 'nested' || !key.startsWith('model.')) return key;
  const field = key.slice('model.'.length);
  return nestedTop.has(field) ? key : `model.transformer.${field}`;
}

/** Undefined when the (already spelled) key exists on the recipe's model; else why not. */
export function modelKeyProblem(view: ModelView, key: string, recipe: string): string | undefined {
  if (!key.startsWith('model.')) return undefined;
  const set = viewSets[view === 'unknown' ? 'flat' : view];
  if (set.has(key.slice('model.'.length))) return undefined;
  const where = ['hybrid', 'mla', 'flat'].filter((v) => v !== view && viewSets[v].has(key.slice('model.'.length)));
  const cls = view === 'hybrid' ? 'HybridModelProvider' : view === 'nested' ? 'GPTModelConfig' : view === 'mla' ? 'MLAModelProvider' : 'GPTModelProvider';
  return `${key} does not exist on ${cls}, the model config of ${recipe}${where.length ? ` (it exists on ${where.map((w) => (w === 'hybrid' ? 'HybridModelProvider' : w === 'mla' ? 'MLAModelProvider' : 'GPTModelProvider')).join(', ')}: pick such a recipe with --recipe)` : ''}`;
}

const SHAPE_FIELDS: Array<keyof Shape> = ['num_layers', 'hidden_size', 'num_attention_heads', 'num_query_groups', 'ffn_hidden_size', 'vocab_size'];

/**
 * The recipe whose literal model shape equals the script's (every field the script fixes), among
 * recipes of the right family; otherwise the closest one, for the report.
 */
export function matchRecipe(script: Partial<Shape>, family: 'gpt' | 'mamba'): { exact?: RecipeInfo; closest?: { recipe: RecipeInfo; differences: string[] } } {
  const candidates = recipes.filter((r) => r.shape && (family === 'mamba' ? r.view === 'hybrid' : r.view !== 'hybrid') && !r.names.includes(VANILLA));
  let best: { recipe: RecipeInfo; differences: string[]; score: number } | undefined;
  for (const r of candidates) {
    const differences: string[] = [];
    let score = 0;
    for (const f of SHAPE_FIELDS) {
      const want = script[f];
      const have = r.shape![f];
      if (want === undefined || want === null || have === null) continue;
      if (want !== have) {
        differences.push(`${f} ${want} vs ${have}`);
        score += Math.abs(Math.log((want || 1) / (have || 1)));
      }
    }
    if (differences.length === 0 && script.num_layers && script.hidden_size) return { exact: r };
    if (!best || score < best.score) best = { recipe: r, differences, score };
  }
  return best ? { closest: { recipe: best.recipe, differences: best.differences } } : {};
}
