/**
 * Runs verify/verify.py (Python, in the user's Megatron Bridge environment) once for a batch of
 * launches: one process, one JSON line per launch each way.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface VerifierRequest {
  id: string;
  argv: string[];
  worldSize: number;
}

export interface VerifierResult {
  id: string;
  starts: boolean;
  stage?: string;
  error?: string;
  ignored?: string[];
  assumedPaths?: string[];
}

export class VerifierUnavailable extends Error {}

/** verify/verify.py beside the built code (dist/src/verify/ or dist/bundle/). */
export function verifierScript(): string {
  for (const rel of ['../../../verify/verify.py', '../../verify/verify.py']) {
    const path = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new VerifierUnavailable('verify/verify.py is missing from this installation of bridge-migrate');
}

export function runVerifier(pythonAsGiven: string, requests: VerifierRequest[]): { bridge: string; results: Map<string, VerifierResult> } {
  // A path relative to where the user is (the verifier runs elsewhere); a bare name goes by PATH.
  const python = pythonAsGiven.includes('/') ? resolve(pythonAsGiven) : pythonAsGiven;
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // Run outside any checkout: Bridge stamps its version with the git commit of the working directory.
  const run = spawnSync(python, [verifierScript()], { input, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, cwd: tmpdir() });
  if (run.error) {
    const why = (run.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such program' : run.error.message;
    throw new VerifierUnavailable(`cannot run ${python} (${why})`);
  }
  const lines = run.stdout.split('\n').filter(Boolean);
  let header: { ready?: boolean; error?: string; bridge?: string; core?: string };
  try {
    header = JSON.parse(lines[0] ?? '{}');
  } catch {
    header = { ready: false, error: (run.stderr || run.stdout).trim().split('\n').pop() };
  }
  if (!header.ready) throw new VerifierUnavailable(`Megatron Bridge cannot be imported by ${python}: ${header.error ?? `exit ${run.status}`}`);
  const results = new Map<string, VerifierResult>();
  for (const line of lines.slice(1)) {
    const result = JSON.parse(line) as VerifierResult;
    results.set(result.id, result);
  }
  return { bridge: `Megatron Bridge ${header.bridge}, Megatron Core ${header.core}`, results };
}
