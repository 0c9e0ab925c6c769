/** The shape of a multi-flag rule: several Megatron-LM flags that become Bridge settings together. */
import type { FlagOccurrence } from '../../resolve/types.js';
import type { MappingEntry } from '../types.js';
import type { Conversion } from '../convert.js';
import { tokenText } from '../values.js';
import type { Message } from '../../findings.js';

export interface RuleContext {
  /** The flags a rule converts: unconditional ones (and conditional ones for self-contained rules). */
  occurrences: FlagOccurrence[];
  /** Every flag of the launch, `${X:+...}` ones included: for a rule that must know a flag is given only under a condition. */
  allOccurrences: FlagOccurrence[];
  entryOf(occ: FlagOccurrence): MappingEntry | undefined;
  /** A value word's text with the values the script fixes put in (`$EP_SIZE` with EP_SIZE=1), when known. */
  valueText?(token: FlagOccurrence['values'][number]): string | undefined;
}

export interface RuleResult {
  /** Conversions for the occurrences the rule owns (they replace single-flag conversions). */
  conversions: Conversion[];
  /** Dataset kind for run_recipe.py's --dataset, when the rule decides it. */
  dataset?: 'mock' | 'megatron-indexed';
  findings: Message[];
}

export interface Rule {
  name: string;
  description: string;
  apply(ctx: RuleContext): RuleResult;
}

/** Occurrences whose canonical flag is one of `flags`. */
export function occurrencesOf(ctx: RuleContext, ...flags: string[]): FlagOccurrence[] {
  return ctx.occurrences.filter((o) => {
    const e = ctx.entryOf(o);
    return flags.includes(e?.flag ?? o.flag);
  });
}

/** The single static value of a flag, when it is written once, unconditionally enough, with a literal. */
export function staticValue(ctx: RuleContext, flag: string): string | undefined {
  const occ = occurrencesOf(ctx, flag);
  if (occ.length !== 1 || occ[0].values.length !== 1) return undefined;
  return tokenText(occ[0].values[0]);
}

/** True when all occurrences sit in the same branch (so they always apply together). */
export function sameBranch(occs: FlagOccurrence[]): boolean {
  return occs.every((o) => o.segment.branchPath === occs[0].segment.branchPath);
}

export function lineList(occs: FlagOccurrence[]): string {
  return occs.map((o) => `${o.flag} (line ${o.line})`).join(', ');
}
