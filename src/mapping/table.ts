/** The mapping table: generated entries (scripts/generate-mapping.mjs) indexed by every spelling. */
import generated from './table.generated.json' with { type: 'json' };
import type { MappingEntry, MappingTable } from './types.js';

export interface FlagTable {
  lookup(flag: string): MappingEntry | undefined;
  entries(): MappingEntry[];
}

export function buildTable(base: MappingTable, extra: MappingTable = {}): FlagTable {
  const bySpelling = new Map<string, MappingEntry>();
  // Base aliases never shadow a canonical spelling; extra (config) entries win over everything.
  const add = (e: MappingEntry, override: boolean) => {
    bySpelling.set(e.flag, e);
    for (const a of e.aliases ?? []) if (override || !bySpelling.has(a)) bySpelling.set(a, e);
  };
  for (const e of Object.values(base)) add(e, false);
  for (const [flag, e] of Object.entries(extra)) add({ ...e, flag: e.flag ?? flag }, true);
  return {
    lookup(flag) {
      const hit = bySpelling.get(flag);
      if (hit) return hit;
      // argparse accepts `--flag_name` only when it was declared so; Megatron-LM declares dashes,
      // but DeepSpeed-era scripts use underscores for their own flags. Try the dashed spelling.
      if (flag.includes('_')) return bySpelling.get(flag.replace(/_/g, '-'));
      return undefined;
    },
    entries() {
      return [...new Set(bySpelling.values())];
    },
  };
}

export const defaultTable: FlagTable = buildTable(generated as unknown as MappingTable);
