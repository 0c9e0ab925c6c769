/**
 * Converts one flag occurrence by its table entry (single-flag conversions). Multi-flag rules
 * (src/mapping/rules) run after this and replace the results of the flags they own.
 */
import type { FlagOccurrence } from '../resolve/types.js';
import type { MappingEntry } from './types.js';
import type { HydraValue, Override } from './hydra.js';
import { typedValue, tokenText, ValueError } from './values.js';
import { warning, type Message, type Severity } from '../findings.js';

export interface Conversion {
  occurrence: FlagOccurrence;
  entry?: MappingEntry;
  /** Overrides written where the flag was. */
  overrides: Override[];
  /** Set when the flag is removed: why (shown in the comment and the report), and what it costs. */
  removed?: { reason: string; kind: RemovalKind; severity: Severity };
  /** Findings about this flag's conversion (the flag is still converted). */
  notes: Message[];
  /** A check written above the statement that holds the flag, which stops the run where the conversion would not hold. */
  guard?: RunTimeGuard;
}

/**
 * `if CONDITION; then echo "bridge-migrate: MESSAGE" >&2; exit 1; fi`, above the statement that
 * holds the flag (its words expand there): for a conversion that is exact only while values the
 * script takes from its environment agree (`--max-position-embeddings $MAX_POS` folded into
 * `--seq-length $SEQ`). Where it cannot be placed the flag is removed as an error instead.
 */
export interface RunTimeGuard {
  /** Shell test, true when the run must stop: `[ "${MAX_POS}" != "${SEQ}" ]`. */
  condition: string;
  /** One line for the comment above the check. */
  comment: string;
  /** What the stopped run prints (no `"`, `$`, backquote or backslash of its own beyond the expansions it names). */
  message: string;
}

export type RemovalKind = 'unmapped' | 'folded' | 'launcher' | 'error';

/** What a removal costs, unless the caller says: a lost value is an error, folding and launcher flags cost nothing. */
function removalSeverity(kind: RemovalKind, entry?: MappingEntry): Severity {
  if (kind === 'error') return 'error';
  if (kind === 'folded' || kind === 'launcher') return 'note';
  return entry?.severity ?? 'warning';
}

function overridesFor(keys: string[], value: HydraValue): Override[] {
  return keys.map((key) => ({ key, value }));
}

export function removed(occ: FlagOccurrence, reason: string, kind: RemovalKind = 'unmapped', entry?: MappingEntry, severity?: Severity): Conversion {
  return { occurrence: occ, entry, overrides: [], removed: { reason, kind, severity: severity ?? removalSeverity(kind, entry) }, notes: [] };
}

export function convertOccurrence(occ: FlagOccurrence, entry: MappingEntry | undefined): Conversion {
  if (!entry) return removed(occ, 'not a Megatron-LM flag that bridge-migrate knows; no Bridge override is known for it');
  if (occ.problems.length) return removed(occ, occ.problems.join('; '), 'error', entry);
  const outside = valueOutsideChoices(occ, entry);
  if (outside !== undefined) {
    return removed(
      occ,
      `${outside} is not one of Megatron-LM's choices (${entry.choices!.join(', ')}): Megatron-LM itself refuses it ("invalid choice"), so it belongs to a fork or another trainer, and no Bridge setting is known to mean it; pick one of the choices by hand, or keep this launch on the trainer that knows the value`,
      'error',
      entry,
    );
  }
  const notes: Message[] = [];
  const written = occ.values.length === 1 ? tokenText(occ.values[0]) : undefined;
  const about = written !== undefined ? entry.valueFindings?.[written] : undefined;
  if (about) notes.push({ severity: about.severity, message: `${occ.flag} ${written}: ${about.message}` });
  try {
    switch (entry.convert) {
      case 'pass': {
        if (occ.values.length !== 1) {
          if (occ.values.length === 0) return removed(occ, `${occ.flag} has no value`, 'error', entry);
          return removed(occ, `${occ.flag} takes one value but got ${occ.values.length}`, 'error', entry);
        }
        return { occurrence: occ, entry, overrides: overridesFor(entry.keys, typedValue(occ.values[0], entry.valueType, occ.flag)), notes };
      }
      case 'true':
      case 'false':
        return { occurrence: occ, entry, overrides: overridesFor(entry.keys, { kind: 'raw', text: entry.convert }), notes };
      case 'const':
        return {
          occurrence: occ,
          entry,
          overrides: entry.keys.map((key) => ({ key, value: { kind: 'raw' as const, text: entry.values?.[key] ?? entry.value ?? 'null' } })),
          notes,
        };
      case 'list': {
        if (occ.values.some((v) => v.splat && !occ.inlineValue) && occ.values.length < (typeof entry.arity === 'number' ? entry.arity : 1)) {
          return removed(occ, `${occ.flag} takes its values from an expansion that is split at run time; write the values out`, 'error', entry);
        }
        const items = occ.values.map((v) => typedValue(v, entry.valueType, occ.flag));
        if (entry.scalarIfSingle && items.length === 1 && !occ.values[0].splat) return { occurrence: occ, entry, overrides: overridesFor(entry.keys, items[0]), notes };
        return { occurrence: occ, entry, overrides: overridesFor(entry.keys, { kind: 'list', items }), notes };
      }
      case 'rename': {
        if (occ.values.length !== 1) return removed(occ, `${occ.flag} takes one value`, 'error', entry);
        const text = tokenText(occ.values[0]);
        if (text === undefined) {
          notes.push(warning(`${occ.flag} takes its value from a variable; Bridge spells some values differently (${Object.entries(entry.rename ?? {}).map(([a, b]) => `${a} -> ${b}`).join(', ')}): check the value it gets`));
          return { occurrence: occ, entry, overrides: overridesFor(entry.keys, { kind: 'str', parts: occ.values[0].parts }), notes };
        }
        const renamed = entry.rename?.[text] ?? text;
        return { occurrence: occ, entry, overrides: overridesFor(entry.keys, { kind: 'str', parts: [{ kind: 'lit', text: renamed }] }), notes };
      }
      case 'launcher':
        return removed(occ, entry.reason ?? 'set by the launcher, not by the training script', 'launcher', entry);
      case 'drop':
        return removed(occ, entry.reason ?? 'no Megatron Bridge counterpart', 'unmapped', entry);
      case 'rule':
        // Rules replace this; reaching here means the rule left the flag alone.
        return removed(occ, `${occ.flag} is handled with other flags and could not be converted here`, 'error', entry);
    }
  } catch (e) {
    if (e instanceof ValueError) return removed(occ, e.message, 'error', entry);
    throw e;
  }
}

/**
 * The first literal value argparse would refuse (`choices`), unless the entry renames it (a value an
 * older release or a fork spelled differently, with the same meaning). Values from expansions are
 * not known here.
 */
function valueOutsideChoices(occ: FlagOccurrence, entry: MappingEntry): string | undefined {
  if (!entry.choices || !['pass', 'rename', 'list'].includes(entry.convert)) return undefined;
  const accepted = new Set([...entry.choices, ...Object.keys(entry.rename ?? {})]);
  return occ.values.map(tokenText).find((text) => text !== undefined && !accepted.has(text));
}
