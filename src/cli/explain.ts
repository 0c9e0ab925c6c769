/**
 * `bridge-migrate explain FLAG`: how a Megatron-LM flag is migrated, from the data the migration
 * itself uses: the mapping table (arity, Bridge keys, converter, reason), the Megatron-LM facts and
 * the vanilla recipe's values (src/mapping/flag-facts.generated.json), and the pinned defaults
 * (src/mapping/defaults.generated.json). Pure: flag in, lines out (or undefined when unknown).
 */
import facts from '../mapping/flag-facts.generated.json' with { type: 'json' };
import defaults from '../mapping/defaults.generated.json' with { type: 'json' };
import type { FlagTable } from '../mapping/table.js';
import type { Arity, MappingEntry } from '../mapping/types.js';
import { VANILLA } from '../mapping/recipes.js';
import { closest } from './suggest.js';

interface FlagFact {
  action?: string;
  nargs?: number | string;
  type?: string;
  default?: string;
  choices?: unknown[];
  deprecated?: boolean;
}
interface KeyFact {
  value?: unknown;
  expr?: string;
  from: string;
}
interface DefaultRow {
  key: string;
  flag: string;
  mlmDefault: string;
  recipeValue: unknown;
  note: string;
}

const flagFacts = facts.flags as Record<string, FlagFact>;
const keyFacts = facts.vanilla as Record<string, KeyFact>;
const defaultRows = defaults as DefaultRow[];

function arityText(arity: Arity, valueType?: string): string {
  const type = valueType ? ` (${valueType})` : '';
  if (arity === 0) return 'takes no value';
  if (arity === 1) return `takes 1 value${type}`;
  if (arity === '?') return `takes an optional value${type}`;
  if (arity === '*') return `takes any number of values${type}`;
  if (arity === '+') return `takes one or more values${type}`;
  return `takes ${arity} values${type}`;
}

function valueText(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

function conversionLines(e: MappingEntry): string[] {
  const keys = e.keys.join(', ');
  switch (e.convert) {
    case 'pass':
      return [`${keys}: the value as written (Hydra-quoted where it needs to be)`];
    case 'true':
      return e.keys.map((k) => `${k}=true`);
    case 'false':
      return e.keys.map((k) => `${k}=false`);
    case 'list':
      return [`${keys}: the values as a Hydra list [a,b,...]${e.scalarIfSingle ? ' (a single value stays a scalar, as Megatron-LM reads it)' : ''}`];
    case 'rename':
      return [`${keys}: the value renamed ${Object.entries(e.rename ?? {}).map(([from, to]) => `${from} -> ${to}`).join(', ')}; other values as written`];
    case 'const':
      return e.keys.map((k) => `${k}=${e.values?.[k] ?? e.value}`);
    case 'rule':
      return [`${keys}: set by the ${e.rule} rule (src/mapping/rules/), together with the flags it depends on`];
    case 'drop':
      return [`no counterpart: ${e.reason}`, `removed from the launch, reported as ${e.severity === 'error' ? 'an error (the launch is blocked)' : e.severity === 'note' ? 'a note (nothing changes)' : 'a warning'} and recorded in a # bridge-migrate: comment above the statement`];
    case 'launcher':
      return [`none: ${e.reason}`, 'removed from the launch (the launcher handles it), recorded in the report as a note'];
  }
}

/** The lines of `explain`, or undefined when the flag is unknown. */
export function explainFlag(asked: string, table: FlagTable): string[] | undefined {
  const spelled = asked.startsWith('-') ? asked.split('=')[0] : `--${asked}`;
  const entry = table.lookup(spelled);
  if (!entry) return undefined;
  const fact = flagFacts[entry.flag] ?? flagFacts[spelled];
  const lines: string[] = [];
  const also = [entry.flag, ...(entry.aliases ?? [])].filter((s) => s !== spelled);
  lines.push(`${spelled}${also.length ? ` (also ${also.join(', ')})` : ''}${entry.legacy ? ': a flag of older Megatron-LM or Megatron-DeepSpeed releases' : ''}${fact?.deprecated ? ': deprecated in Megatron-LM' : ''}`);
  const mlm = [arityText(entry.arity, entry.valueType)];
  if (fact?.default !== undefined && entry.arity !== 0) mlm.push(`default ${fact.default}`);
  if (fact?.choices?.length) mlm.push(`choices ${fact.choices.map(valueText).join(', ')}`);
  lines.push(`  Megatron-LM:  ${mlm.join('; ')}`);
  const conversion = conversionLines(entry);
  lines.push(`  Bridge:       ${conversion[0]}`, ...conversion.slice(1).map((l) => `                ${l}`));
  const recipeLines: string[] = [];
  for (const key of entry.keys) {
    const k = keyFacts[key];
    if (!k) continue;
    const v = k.expr !== undefined ? `${k.expr} (computed)` : valueText(k.value);
    recipeLines.push(`${key} = ${v} (${k.from})`);
  }
  if (recipeLines.length) lines.push(`  ${VANILLA}:`, ...recipeLines.map((l) => `                ${l}`));
  for (const row of defaultRows.filter((r) => r.flag === entry.flag)) {
    lines.push(`  Pinned:       without ${entry.flag}, Megatron-LM uses ${row.key}=${row.mlmDefault} and ${VANILLA} ${valueText(row.recipeValue)}: bridge-migrate pins ${row.mlmDefault} (--no-pin-defaults: take the recipe's value)`);
  }
  if (entry.note) lines.push(`  Note:         ${entry.note}`);
  return lines;
}

/** Close spellings for an unknown flag. */
export function similarFlags(asked: string, table: FlagTable): string[] {
  const spelled = asked.startsWith('-') ? asked.split('=')[0] : `--${asked}`;
  const names = table.entries().flatMap((e) => [e.flag, ...(e.aliases ?? [])]);
  return closest(spelled, names);
}
