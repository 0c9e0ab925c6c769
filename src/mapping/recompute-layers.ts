/**
 * What full activation recompute lacks at start-up, decided once for the rule that writes the old
 * default layer count out and for the start check that blocks what it cannot fix (Megatron Core's
 * TransformerConfig: full recompute needs a method, then a layer count).
 *
 * Megatron-LM before 2023-09 (commit 2e193ae) and the Megatron-DeepSpeed and BigCode forks defaulted
 * `--recompute-num-layers` to 1; since then it is None and Megatron Core stops without one, in
 * Megatron-LM and in Bridge alike, so 1 is the only count under which such a launch ever trained.
 */
import type { FlagOccurrence } from '../resolve/types.js';
import { tokenText } from './values.js';

export const LAYER_COUNT_FLAGS = ['--recompute-num-layers', '--checkpoint-num-layers', '--activations-checkpoint-num-layers'];

export type RecomputeLack =
  /** not full recompute (as far as literal, unconditional words say), or nothing lacking */
  | 'nothing'
  /** full, with a method, no layer count anywhere: write model.recompute_num_layers=1 */
  | 'old-default-count'
  /** full without an unconditional method: Megatron Core stops */
  | 'method'
  /** full with a method, the layer count only under a condition (`${N:+--recompute-num-layers $N}`) */
  | 'conditional-count';

/** `flagOf`: the canonical flag an occurrence stands for (legacy spellings mapped). */
export function recomputeLack(occurrences: FlagOccurrence[], flagOf: (occurrence: FlagOccurrence) => string): RecomputeLack {
  const of = (...flags: string[]) => occurrences.filter((occurrence) => flags.includes(flagOf(occurrence)));
  const granularity = of('--recompute-granularity').filter((occurrence) => !occurrence.condition).at(-1);
  if (!granularity || granularity.values.length !== 1 || tokenText(granularity.values[0]) !== 'full') return 'nothing';
  if (!of('--recompute-method').some((occurrence) => !occurrence.condition)) return 'method';
  const counts = of(...LAYER_COUNT_FLAGS);
  if (counts.some((occurrence) => !occurrence.condition)) return 'nothing';
  return counts.length ? 'conditional-count' : 'old-default-count';
}
