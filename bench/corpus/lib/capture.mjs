// Executing scripts under ../shared/tools/capture.py (bubblewrap sandbox, recording stub launchers), through
// capture_batch.py (one Python process, capture.py imported from its own folder), with a cache keyed by the
// script's content, capture.py's content and the timeout, so a script is not executed twice.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

const batchScript = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'capture_batch.py');

export function captureRunner({ capturePy, cacheDir, timeoutSeconds, jobs, onProgress }) {
  const toolHash = createHash('sha256').update(readFileSync(capturePy)).digest('hex').slice(0, 16);
  mkdirSync(cacheDir, { recursive: true });
  const stats = { hits: 0, runs: 0 };
  const keyOf = (file) => createHash('sha256').update(toolHash).update(String(timeoutSeconds))
    .update(readFileSync(file)).digest('hex');

  /** files -> Map(file -> capture result). */
  async function captureAll(files) {
    const results = new Map();
    const pending = new Map();
    for (const file of new Set(files)) {
      const key = keyOf(file);
      const cached = path.join(cacheDir, `${key}.json`);
      if (existsSync(cached)) {
        results.set(file, JSON.parse(readFileSync(cached, 'utf8')));
        stats.hits += 1;
      } else if ([...pending.values()].some((entry) => entry.key === key)) {
        pending.set(file, { key, duplicate: true });
      } else pending.set(file, { key });
    }
    const toRun = [...pending].filter(([, entry]) => !entry.duplicate).map(([file]) => path.resolve(file));
    const byResolved = new Map([...pending.keys()].map((file) => [path.resolve(file), file]));
    const byKey = new Map();
    if (toRun.length) {
      await new Promise((resolve, reject) => {
        const child = spawn('python3', [batchScript, '--tools', path.dirname(capturePy), '--jobs', String(jobs),
          '--timeout', String(timeoutSeconds)], { stdio: ['pipe', 'pipe', 'inherit'] });
        let buffer = '';
        child.stdout.on('data', (chunk) => {
          buffer += chunk;
          let newline;
          while ((newline = buffer.indexOf('\n')) >= 0) {
            const line = buffer.slice(0, newline);
            buffer = buffer.slice(newline + 1);
            const { file, result } = JSON.parse(line);
            const { key } = pending.get(byResolved.get(file) ?? file);
            byKey.set(key, result);
            if (!result.failed) writeFileSync(path.join(cacheDir, `${key}.json`), JSON.stringify(result));
            stats.runs += 1;
            onProgress?.(stats.runs, toRun.length);
          }
        });
        child.on('error', reject);
        child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`capture_batch.py exited ${code}`))));
        child.stdin.end(toRun.join('\n') + '\n');
      });
    }
    for (const [file, entry] of pending) {
      results.set(file, byKey.get(entry.key) ?? { calls: [], rc: -1, stderr: 'no capture result', failed: true });
    }
    return results;
  }
  return { captureAll, stats: () => ({ ...stats }) };
}
