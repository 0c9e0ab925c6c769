/** Runs verify/verify.py (the real Megatron Bridge) on a batch of launches, in one Python process. */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');

export interface VerifyRequest {
  id: string;
  argv: string[];
  worldSize: number;
  megatronArgv?: string[];
  overrides?: Array<{ flag: string; key: string }>;
  keys?: string[];
}

export interface VerifyResult {
  id: string;
  starts: boolean;
  stage?: string;
  error?: string;
  recipe?: string;
  values: Record<string, { applied?: unknown; final?: unknown }>;
  mismatches?: Array<{ flag: string; key: string; megatron: unknown; bridge: unknown }>;
  /** Settings the config holds that Bridge's run does not act on. */
  ignored?: string[];
  assumedPaths?: string[];
}

export function bridgePython(): string {
  const python = process.env.BRIDGE_PYTHON ?? join(root, '.venv-bridge', 'bin', 'python');
  if (!process.env.BRIDGE_PYTHON && !existsSync(python)) {
    throw new Error(`${python} is missing: the real-Bridge tests need the pinned Megatron Bridge stack. Create it with \`bash scripts/setup-bridge.sh\` (or set BRIDGE_PYTHON).`);
  }
  return python;
}

export function runVerifier(requests: VerifyRequest[]): { header: Record<string, unknown>; results: Map<string, VerifyResult> } {
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // BRIDGE_REQUESTS_OUT=file keeps the batch, to rerun verify.py on it by hand.
  if (process.env.BRIDGE_REQUESTS_OUT) writeFileSync(process.env.BRIDGE_REQUESTS_OUT, input);
  const run = spawnSync(bridgePython(), [join(root, 'verify', 'verify.py'), '--hf-configs', join(root, 'verify', 'hf-configs')], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  if (run.status !== 0) throw new Error(`verify.py exited ${run.status}: ${run.stdout.slice(0, 2000)}\n${run.stderr.slice(-4000)}`);
  const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const [header, ...rest] = lines;
  if (!header.ready) throw new Error(`Megatron Bridge is not importable: ${header.error}`);
  return { header, results: new Map(rest.map((r: VerifyResult) => [r.id, r])) };
}
