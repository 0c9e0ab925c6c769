/**
 * Checks that Megatron-LM and Bridge both make at start-up (Megatron Core's own validation), made
 * here when the launch fixes the values, so that a launch that would stop is blocked before it runs:
 * - batch arithmetic: the global batch must be a multiple of micro batch x data-parallel size, and
 *   the world must divide into TP x PP x CP (when the launcher says how many processes);
 * - full activation recompute needs a method (TransformerConfig.__post_init__; the layer count's old
 *   default is written out by the recompute-layers rule).
 */
import type { FlagOccurrence } from '../resolve/types.js';
import type { FlagTable } from './table.js';
import { error, type Message } from '../findings.js';
import { recomputeLack } from './recompute-layers.js';

type World = { size: number; from: string } | undefined;

export function startFindings(occurrences: FlagOccurrence[], table: FlagTable, worldSize: () => World): Message[] {
  return [...batchFindings(occurrences, table, worldSize), ...recomputeFindings(occurrences, table)];
}

/** Full recompute that Megatron Core would stop on and the recompute-layers rule does not fix. */
function recomputeFindings(occurrences: FlagOccurrence[], table: FlagTable): Message[] {
  const lack = recomputeLack(occurrences, (occurrence) => table.lookup(occurrence.flag)?.flag ?? occurrence.flag);
  if (lack === 'method') return [error('--recompute-granularity full without --recompute-method: Megatron Core (Megatron-LM, and Bridge) stops at start-up ("Using recompute_granularity: full so recompute_method must be \"block\" or \"uniform\""); add --recompute-method uniform (and --recompute-num-layers) as the run had them')];
  if (lack === 'conditional-count') return [error('--recompute-granularity full with --recompute-num-layers only under a condition: when it is not given, Megatron Core (current Megatron-LM, and Bridge) stops at start-up ("recompute_num_layers must be between 1 and num_layers_per_pipeline_rank"); give the layer count unconditionally')];
  return [];
}

/**
 * The last literal integer the launch gives a flag (conditional occurrences, `${X:+--flag N}`, left
 * out): `fallback` when the flag is absent, undefined when its value is not a literal integer.
 */
export function literalIntegers(occurrences: FlagOccurrence[], table: FlagTable): (flag: string, fallback?: number) => number | undefined {
  const texts = new Map<string, string[]>();
  for (const occurrence of occurrences) {
    if (occurrence.condition) continue;
    const flag = table.lookup(occurrence.flag)?.flag ?? occurrence.flag;
    texts.set(flag, occurrence.values.map((value) => value.parts.map((part) => (part.kind === 'lit' ? part.text : '$')).join('')));
  }
  return (flag, fallback) => {
    const given = texts.get(flag);
    if (!given) return fallback;
    return given.length === 1 && /^\d+$/.test(given[0]) ? Number(given[0]) : undefined;
  };
}

function batchFindings(occurrences: FlagOccurrence[], table: FlagTable, worldSize: () => World): Message[] {
  const integer = literalIntegers(occurrences, table);
  const global = integer('--global-batch-size');
  const micro = integer('--micro-batch-size') ?? integer('--batch-size');
  const parallel = [integer('--tensor-model-parallel-size', 1), integer('--pipeline-model-parallel-size', 1), integer('--context-parallel-size', 1)];
  if (global === undefined || micro === undefined || parallel.some((size) => size === undefined)) return [];
  const [tp, pp, cp] = parallel as number[];
  const world = worldSize();
  if (!world || micro === 0 || tp * pp * cp === 0) return [];
  if (world.size % (tp * pp * cp) !== 0) {
    return [error(`${world.size} processes (${world.from}) do not divide into TP ${tp} x PP ${pp} x CP ${cp} = ${tp * pp * cp}: Megatron-LM and Bridge both stop at start-up; fix the process count or the parallel sizes`)];
  }
  const dataParallel = world.size / (tp * pp * cp);
  if (global % (micro * dataParallel) !== 0) {
    return [error(`--global-batch-size ${global} is not a multiple of micro batch ${micro} x data-parallel size ${dataParallel} (${world.from}, TP ${tp} x PP ${pp} x CP ${cp}): Megatron-LM and Bridge both stop at start-up; fix the batch sizes or the process count`)];
  }
  return [];
}
