/**
 * The real Megatron Bridge on every fixture: each migrated launch, executed under stub launchers,
 * passes its run_recipe.py argv to Bridge's runner, recipe, Hydra parser and
 * ConfigContainer.validate() (verify/verify.py). Every launch must start, and each flag's value in
 * Bridge's config must equal what Megatron-LM's argparse made of the original argv.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ready, run } from '../helpers/core.js';
import { executeScript, splitAtEntry, type ExecOptions } from '../helpers/execute.js';
import { runVerifier, type VerifyRequest, type VerifyResult } from '../helpers/bridge.js';
import { launcherWorldSize, modelParallelWorld } from '../../src/verify/world-size.js';

const root = join(import.meta.dirname, '..', '..', 'fixtures');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

interface Case {
  name: string;
  requests: VerifyRequest[];
  skip?: string;
}

/**
 * Fixtures whose migrated launch is meant not to start, each reported as blocked by the tool (a
 * test fails when another fixture's launch does not start, or when one of these is not blocked).
 */
const MEANT_BLOCKED: Record<string, string> = {
  'template-placeholder-split': 'an unfilled <PATH TO ...> template: Megatron-LM rejected it too',
  'batch-size-does-not-divide': 'global batch 8 is not a multiple of micro batch 4 x 8 data-parallel ranks: Megatron-LM stopped at start-up too',
  'recompute-full-without-method': 'full recompute without a method: Megatron Core rejects it, in Megatron-LM too',
  'flags-from-environment': 'every flag comes from a variable bridge-migrate cannot see: no model shape, so Bridge (and Megatron-LM) stop at start-up',
};

const prepared: Case[] = [];
let results = new Map<string, VerifyResult>();

beforeAll(async () => {
  await ready();
  for (const name of cases) {
    const dir = join(root, name);
    const execFile = join(dir, 'exec.json');
    const exec: ExecOptions & { skip?: string } = existsSync(execFile) ? JSON.parse(readFileSync(execFile, 'utf8')) : {};
    if (exec.skip) {
      prepared.push({ name, requests: [], skip: exec.skip });
      continue;
    }
    const optionsFile = join(dir, 'options.json');
    const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, 'utf8')) : {};
    const input = readFileSync(join(dir, 'input.sh'), 'utf8');
    const { output, report } = run(input, options);
    const before = executeScript(input, exec).records.map((r) => splitAtEntry(r, /pretrain_(gpt|mamba|hybrid)\.py$/)).filter((x) => x !== undefined);
    const after = executeScript(output, exec).records.map((r) => splitAtEntry(r, /run_recipe\.py$/)).filter((x) => x !== undefined);
    const migrated = report.launches.filter((l) => l.migrated);
    const requests = after.map((launch, i) => {
      const original = before[i];
      const overrides = new Map(launch.args.filter((w) => w.includes('=')).map((w) => [w.slice(0, w.indexOf('=')), w.slice(w.indexOf('=') + 1)]));
      const world = (original && launcherWorldSize(original.launcher)) ?? modelParallelWorld(overrides);
      const reported = migrated[i] ? [...migrated[i].overrides, ...migrated[i].pinned] : [];
      return {
        id: `${name}#${i}`,
        argv: launch.args,
        worldSize: world.size,
        megatronArgv: original?.args ?? [],
        overrides: migrated[i] ? migrated[i].overrides.map((o) => ({ flag: o.flag, key: o.key })) : [],
        verdict: migrated[i]?.verdict,
        keys: reported.map((o) => o.key),
      };
    });
    prepared.push({ name, requests });
  }
  results = (await runVerifier(prepared.flatMap((c) => c.requests))).results;
}, 900_000);

describe('every migrated fixture launch starts under the real Megatron Bridge', () => {
  it('has launches to check', () => {
    expect(prepared.flatMap((c) => c.requests).length).toBeGreaterThan(30);
  });
  for (const name of cases) {
    it(name, (ctx) => {
      const c = prepared.find((p) => p.name === name)!;
      if (c.skip) ctx.skip();
      for (const request of c.requests) {
        const result = results.get(request.id)!;
        expect(result, request.id).toBeDefined();
        if (MEANT_BLOCKED[name]) {
          expect({ id: request.id, verdict: request.verdict }, MEANT_BLOCKED[name]).toEqual({ id: request.id, verdict: 'blocked' });
          continue;
        }
        expect({ id: request.id, starts: result.starts, stage: result.stage, error: result.error }).toEqual({ id: request.id, starts: true, stage: undefined, error: undefined });
        expect(result.mismatches ?? [], `${request.id}: values that differ from Megatron-LM's`).toEqual([]);
        expect(result.ignored ?? [], `${request.id}: settings Bridge holds but does not act on`).toEqual([]);
      }
    });
  }
});
