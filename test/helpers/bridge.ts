/** Runs verify/verify.py (the real Megatron Bridge) on a batch of launches, in one Python process. */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const root = join(import.meta.dirname, '..', '..');

export interface VerifyRequest {
  id: string;
  argv: string[];
  worldSize: number;
  megatronArgv?: string[];
  overrides?: Array<{ flag: string; key: string }>;
  keys?: string[];
  /** The tool's verdict on the launch (not sent to the verifier's logic). */
  verdict?: string;
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

/** Runs a command without blocking the test worker (vitest's RPC times out on long sync calls). */
export function runAsync(command: string, args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export async function runVerifier(requests: VerifyRequest[]): Promise<{ header: Record<string, unknown>; results: Map<string, VerifyResult> }> {
  const input = requests.map((r) => JSON.stringify(r)).join('\n') + '\n';
  // BRIDGE_REQUESTS_OUT=file keeps the batch, to rerun verify.py on it by hand.
  if (process.env.BRIDGE_REQUESTS_OUT) writeFileSync(process.env.BRIDGE_REQUESTS_OUT, input);
  const run = await runAsync(bridgePython(), [join(root, 'verify', 'verify.py'), '--hf-configs', join(root, 'verify', 'hf-configs')], { input, cwd: tmpdir() });
  if (run.status !== 0) throw new Error(`verify.py exited ${run.status}: ${run.stdout.slice(0, 2000)}\n${run.stderr.slice(-4000)}`);
  const lines = run.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const [header, ...rest] = lines;
  if (!header.ready) throw new Error(`Megatron Bridge is not importable: ${header.error}`);
  return { header, results: new Map(rest.map((r: VerifyResult) => [r.id, r])) };
}
