/** `--verify`: every migrated launch through the real Megatron Bridge, one line per launch. */
import type { FileOutcome } from '../files/process-file.js';
import { runVerifier, VerifierUnavailable } from '../verify/run-verifier.js';

export interface VerifyOutcome {
  lines: string[];
  /** Launches that would not start. */
  failed: number;
  /** Set when the verifier could not run at all (exit 2). */
  problem?: string;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function verifyOutcomes(outcomes: FileOutcome[], python: string): VerifyOutcome {
  const requests = outcomes.flatMap((o) => (o.verification ?? []).map((v) => ({ id: `${o.path}:${v.line}`, argv: v.argv, worldSize: v.worldSize, input: v })));
  if (requests.length === 0) return { lines: ['bridge-migrate: --verify: no migrated launch to verify'], failed: 0 };
  let answer;
  try {
    answer = runVerifier(python, requests.map(({ id, argv, worldSize }) => ({ id, argv, worldSize })));
  } catch (e) {
    if (!(e instanceof VerifierUnavailable)) throw e;
    return { lines: [], failed: 0, problem: `--verify: ${e.message}. Point --python (or BRIDGE_PYTHON) at the Python of an environment where Megatron Bridge is installed` };
  }
  const lines: string[] = [];
  let failed = 0;
  for (const r of requests) {
    const result = answer.results.get(r.id);
    const assumed = r.input.assumed.length ? `; assumed ${r.input.assumed.join(', ')}` : '';
    const world = `world size ${r.worldSize}`;
    if (result?.starts) {
      const ignored = result.ignored?.length ? `; Bridge ignores ${result.ignored.map(oneLine).join('; ')}` : '';
      lines.push(`${r.id}: starts (${world}${assumed})${ignored}`);
    } else {
      failed++;
      lines.push(`${r.id}: would not start: ${oneLine(result?.error ?? 'no answer from the verifier')}${result?.stage ? ` [${result.stage}]` : ''} (${world}${assumed})`);
    }
  }
  lines.push(`bridge-migrate: --verify: ${requests.length - failed} of ${requests.length} launch${requests.length === 1 ? '' : 'es'} start under ${answer.bridge}`);
  return { lines, failed };
}
