/**
 * Companion settings (the table's `companions`): what a flag needs beside it for Bridge to start,
 * added to the flag's overrides unless some flag of the launch sets that key itself.
 */
import type { Conversion } from './convert.js';

export function addCompanions(conversions: Conversion[]): Conversion[] {
  // A key set only under a `${X:+...}` condition is not set when the condition fails.
  const setKeys = new Set(conversions.filter((c) => !c.occurrence.condition).flatMap((c) => c.overrides.map((o) => o.key)));
  return conversions.map((c) => {
    const wanted = Object.entries(c.removed ? {} : c.entry?.companions ?? {}).filter(([key]) => !setKeys.has(key));
    if (wanted.length === 0) return c;
    for (const [key] of wanted) setKeys.add(key);
    return { ...c, overrides: [...c.overrides, ...wanted.map(([key, text]) => ({ key, value: { kind: 'raw' as const, text } }))] };
  });
}
