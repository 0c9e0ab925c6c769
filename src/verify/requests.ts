/**
 * What the verifier is asked for one migrated launch: the argv run_recipe.py gets (its options,
 * the pinned defaults, the overrides, in the order the launch passes them), the world size, and
 * which shell values had to be assumed because the script does not fix them.
 */
import type { LaunchReport } from '../types.js';
import { launcherWorldSize, modelParallelWorld, type WorldSize } from './world-size.js';

export interface VerificationInput {
  /** Arguments after run_recipe.py. */
  argv: string[];
  worldSize: number;
  worldSizeFrom: string;
  /** `$NAME -> value` for each expansion the script does not fix (placeholders). */
  assumed: string[];
}

const EXPANSION = /\$\{([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?(?::?[-=]([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*|[0-9@*#])/g;

/** Replaces shell expansions in Hydra text with the script's static values, else placeholders. */
export function substitute(text: string, values: Map<string, string>, assumed: Set<string>, unknown?: string): string {
  let quoted = false;
  let out = '';
  let at = 0;
  for (const m of text.matchAll(EXPANSION)) {
    const before = text.slice(at, m.index);
    for (const ch of before) if (ch === "'") quoted = !quoted;
    out += before;
    const name = m[1] ?? m[4];
    const known = values.get(name) ?? m[3];
    if (known !== undefined) out += known;
    else {
      // Inside a Hydra string: any text will do; a bare value is a number.
      const placeholder = unknown ?? (quoted ? `PLACEHOLDER_${name}` : '1');
      assumed.add(`$${name} -> ${placeholder}`);
      out += placeholder;
    }
    at = m.index + m[0].length;
  }
  return out + text.slice(at);
}

/** The process count the launcher words fix (with the script's static values), if they do. */
export function launchWorldSize(description: string, launcherWords: string[], values: Map<string, string>): WorldSize | undefined {
  const outer = description.split(/[\s:]+/).filter((w) => !launcherWords.some((l) => l.endsWith(w)));
  // A count the script does not fix (`--nnodes $NNODES` from the environment) leaves the size unknown.
  const launcher = [...outer, ...launcherWords.flatMap((w) => substitute(w, values, new Set(), 'UNKNOWN').split(/\s+/))].filter(Boolean);
  return launcherWorldSize(launcher, values.get('SLURM_NTASKS'));
}

export function verificationInput(report: LaunchReport, launcherWords: string[], values: Map<string, string>): VerificationInput {
  const assumed = new Set<string>();
  const argv = ['--recipe', report.recipe ?? '', '--dataset', report.dataset ?? 'mock'];
  for (const o of [...report.pinned, ...report.overrides]) argv.push(substitute(`${o.key}=${o.value}`, values, assumed));
  const flat = new Map(argv.filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
  // An outer launcher of a `bash -c` body is named in the description (`srun: python`).
  const world = launchWorldSize(report.launcher, launcherWords, values) ?? modelParallelWorld(flat);
  return { argv, worldSize: world.size, worldSizeFrom: world.from, assumed: [...assumed] };
}
