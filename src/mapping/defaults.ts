/**
 * Megatron-LM defaults that the recipe would silently change. When the script leaves a setting at
 * Megatron-LM's default, an override keeping Megatron-LM's value is pinned on the launch
 * (src/mapping/defaults.generated.json, from scripts/generate-mapping.mjs), plus a few pins that
 * depend on what the script does set. Values Megatron-LM computes from the run (global batch size
 * from the data-parallel size) cannot be pinned: they become warnings.
 */
import generated from './defaults.generated.json' with { type: 'json' };
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

const rows = generated as DefaultPin[];

export interface Pin {
  override: Override;
  flag: string;
  note?: string;
}

/** Pins and warnings for one launch. */
export function pinnedDefaults(occurrences: FlagOccurrence[], table: FlagTable): { pins: Pin[]; warnings: string[] } {
  const warnings: string[] = [];
  const setKeys = new Set<string>();
  const setFlags = new Set<string>();
  for (const o of occurrences) {
    const e = table.lookup(o.flag);
    setFlags.add(e?.flag ?? o.flag);
    for (const k of e?.keys ?? []) setKeys.add(k);
  }
  const pins: Pin[] = rows
    .filter((p) => !setFlags.has(p.flag) && !setKeys.has(p.key))
    .map((p) => ({ override: { key: p.key, value: { kind: 'raw' as const, text: p.mlmDefault } }, flag: p.flag, note: p.note }));
  const raw = (key: string, text: string, flag: string, note: string) => pins.push({ override: { key, value: { kind: 'raw', text } }, flag, note });
  // Sample-based training: the recipe's train_iters would conflict (Bridge wants exactly one).
  if (setFlags.has('--train-samples') && !setFlags.has('--train-iters')) raw('train.train_iters', 'null', '--train-samples', 'training length is given in samples');
  if (!setFlags.has('--global-batch-size') && !setFlags.has('--batch-size')) {
    warnings.push('no --global-batch-size: Megatron-LM used micro-batch-size x data-parallel size; the recipe uses 32. Set train.global_batch_size to the value your run had');
  }
  if (!setFlags.has('--micro-batch-size') && !setFlags.has('--batch-size')) {
    warnings.push('no --micro-batch-size found: the recipe uses 2; set train.micro_batch_size');
  }
  if (!setFlags.has('--train-iters') && !setFlags.has('--train-samples')) {
    warnings.push('no --train-iters or --train-samples found: the recipe trains for 300000 iterations; set train.train_iters');
  }
  return { pins, warnings };
}
