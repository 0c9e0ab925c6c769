/**
 * Megatron-LM defaults that the recipe would silently change: when the script leaves a setting at
 * Megatron-LM's default, an override keeping Megatron-LM's value is pinned on the launch.
 * The list comes from src/mapping/defaults.generated.json (scripts/generate-mapping.mjs).
 */
import type { FlagOccurrence } from '../resolve/types.js';
import type { FlagTable } from './table.js';
import type { Override } from './hydra.js';

export interface DefaultPin {
  key: string;
  flag: string;
  mlmDefault: string;
  recipeValue?: unknown;
  note?: string;
}

let pinsData: DefaultPin[] = [];

export function setDefaultPins(pins: DefaultPin[]): void {
  pinsData = pins;
}

/** Pins for one launch: every listed default whose flag (or a flag writing the same key) is absent. */
export function pinnedDefaults(occurrences: FlagOccurrence[], table: FlagTable, recipe: string): Array<{ override: Override; flag: string }> {
  if (recipe !== 'vanilla_gpt_pretrain_config') return [];
  const setKeys = new Set<string>();
  const setFlags = new Set<string>();
  for (const o of occurrences) {
    const e = table.lookup(o.flag);
    setFlags.add(e?.flag ?? o.flag);
    for (const k of e?.keys ?? []) setKeys.add(k);
  }
  return pinsData
    .filter((p) => !setFlags.has(p.flag) && !setKeys.has(p.key))
    .map((p) => ({ override: { key: p.key, value: { kind: 'raw' as const, text: p.mlmDefault } }, flag: p.flag }));
}
