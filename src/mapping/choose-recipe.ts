/** Which recipe a launch uses: the default, a named one, or `auto` (matched on model shape). */
import type { FlagOccurrence } from '../resolve/types.js';
import type { FlagTable } from './table.js';
import { tokenText } from './values.js';
import { findRecipe, matchRecipe, VANILLA, type ModelView, type Shape } from './recipes.js';
import { note, warning, type Message } from '../findings.js';

export type RecipeChoice = { recipe: string; view: ModelView; vanilla: boolean; findings: Message[] } | { skip: string };

function staticInt(occurrences: FlagOccurrence[], table: FlagTable, flag: string): number | undefined {
  const hits = occurrences.filter((o) => (table.lookup(o.flag)?.flag ?? o.flag) === flag);
  if (hits.length !== 1 || hits[0].values.length !== 1) return undefined;
  const t = tokenText(hits[0].values[0]);
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/** The model shape a script fixes with literals (what Megatron-LM derives, where it derives it). */
export function scriptShape(occurrences: FlagOccurrence[], table: FlagTable): Partial<Shape> {
  const has = (f: string) => occurrences.some((o) => (table.lookup(o.flag)?.flag ?? o.flag) === f);
  const hidden = staticInt(occurrences, table, '--hidden-size');
  const heads = staticInt(occurrences, table, '--num-attention-heads');
  let ffn = staticInt(occurrences, table, '--ffn-hidden-size');
  if (ffn === undefined && hidden !== undefined) ffn = has('--swiglu') ? Math.floor((4 * hidden * 2) / 3 / 64) * 64 : 4 * hidden;
  const groups = has('--group-query-attention') ? staticInt(occurrences, table, '--num-query-groups') ?? 1 : heads;
  return {
    num_layers: staticInt(occurrences, table, '--num-layers'),
    hidden_size: hidden,
    num_attention_heads: heads,
    num_query_groups: groups,
    ffn_hidden_size: ffn,
    vocab_size: staticInt(occurrences, table, '--vocab-size'),
  };
}

export function chooseRecipe(requested: string | undefined, family: 'gpt' | 'mamba', occurrences: FlagOccurrence[], table: FlagTable): RecipeChoice {
  const shape = () => scriptShape(occurrences, table);
  const closestText = (m: ReturnType<typeof matchRecipe>) =>
    m.closest ? `closest by shape: ${m.closest.recipe.names[m.closest.recipe.names.length - 1]} (${m.closest.differences.join(', ')})` : 'no recipe of this family has a fixed shape';
  if (requested && requested !== 'auto') {
    const r = findRecipe(requested);
    if (!r) return { skip: `--recipe ${requested} is not a Megatron Bridge pretrain recipe (see src/mapping/recipes.generated.json for the names)` };
    if (family === 'mamba' && r.view !== 'hybrid') return { skip: `${requested} builds a GPT model, but this launch trains a Mamba/hybrid model: pick a hybrid recipe (nemotronh_*, nemotron_nano_*)` };
    if (family === 'gpt' && r.view === 'hybrid') return { skip: `${requested} builds a hybrid Mamba model, but this launch trains a GPT model` };
    const findings = r.view === 'unknown' ? [warning(`the shape of ${requested}'s model config is not known to bridge-migrate; model keys are written flat`)] : [];
    if (r.hfModelId || r.view === 'nested') findings.push(warning(`${requested} reads its model config from Hugging Face (${r.hfModelId ?? 'at run time'}); the script's model flags override it`));
    return { recipe: requested, view: r.view, vanilla: r.names.includes(VANILLA), findings };
  }
  if (family === 'mamba') {
    const m = matchRecipe(shape(), 'mamba');
    if (m.exact) return { recipe: m.exact.names[m.exact.names.length - 1], view: 'hybrid', vanilla: false, findings: [] };
    return { skip: `Mamba/hybrid launches need a hybrid recipe and none matches this model exactly (${closestText(m)}); pass --recipe <name>` };
  }
  if (requested === 'auto') {
    const m = matchRecipe(shape(), 'gpt');
    if (m.exact) return { recipe: m.exact.names[m.exact.names.length - 1], view: m.exact.view, vanilla: false, findings: [note(`--recipe auto: ${m.exact.names[m.exact.names.length - 1]} has exactly this model shape`)] };
    return { recipe: VANILLA, view: 'flat', vanilla: true, findings: [note(`--recipe auto: no recipe has exactly this model shape, using ${VANILLA} (${closestText(m)})`)] };
  }
  return { recipe: VANILLA, view: 'flat', vanilla: true, findings: [] };
}
