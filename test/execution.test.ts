/**
 * The strongest test: run each fixture's input and migrated output under bash with stub launchers
 * that record their argv, then check that every Megatron-LM flag's value arrives at the right
 * Bridge key (parsed as Hydra would), or that the flag is reported as removed, and that nothing
 * starting with `-` reaches run_recipe.py after its own options.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ready, run } from './helpers/core.js';
import { executeScript, splitAtEntry, type ExecOptions } from './helpers/execute.js';
import { parseOverride, HFloat, type HydraJs } from './helpers/hydra-parse.js';
import { checkFlag, readMegatronArgs } from './helpers/expectations.js';
import { findRecipe, keyForView } from '../src/mapping/recipes.js';

const root = join(import.meta.dirname, '..', 'fixtures');
const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();

beforeAll(ready);

describe('execution under stub launchers', () => {
  for (const name of cases) {
    const dir = join(root, name);
    const execFile = join(dir, 'exec.json');
    // exec.json: args/env/files for the run; `original` and `migrated`: the exact argv every
    // launcher stub must record (name first), before and after migration.
    const exec: ExecOptions & { skip?: string; original?: string[][]; migrated?: string[][] } = existsSync(execFile) ? JSON.parse(readFileSync(execFile, 'utf8')) : {};
    const test = exec.skip ? it.skip : it;
    test(name, () => {
      const input = readFileSync(join(dir, 'input.sh'), 'utf8');
      const optionsFile = join(dir, 'options.json');
      const options = existsSync(optionsFile) ? JSON.parse(readFileSync(optionsFile, 'utf8')) : {};
      const { output, report } = run(input, options);
      const before = executeScript(input, exec);
      const after = executeScript(output, exec);
      expect(after.status, after.stderr).toBe(before.status);
      if (exec.original) expect(before.records, 'what the original script starts').toEqual(exec.original);
      // UPDATE_FIXTURES=1 rewrites the migrated argv of exec.json (the original's stays: it is what bash does).
      if (exec.migrated && process.env.UPDATE_FIXTURES === '1') writeFileSync(execFile, `${JSON.stringify({ ...exec, migrated: after.records }, null, 2)}\n`);
      else if (exec.migrated) expect(after.records, 'what the migrated script starts').toEqual(exec.migrated);
      const mlm = before.records.map((r) => splitAtEntry(r, /pretrain_[A-Za-z0-9_]+\.py$/)).filter((x) => x !== undefined);
      const unsupported = mlm.filter((m) => !/pretrain_(gpt|mamba|hybrid)/.test(m.entry));
      const gpt = mlm.filter((m) => /pretrain_(gpt|mamba|hybrid)/.test(m.entry));
      const bridge = after.records.map((r) => splitAtEntry(r, /run_recipe\.py$/)).filter((x) => x !== undefined);
      if (!report.launches.some((l) => l.migrated)) {
        // Nothing migrated (reported instead): the script must run exactly as before.
        expect(after.records).toEqual(before.records);
        return;
      }
      expect(bridge.length, 'one run_recipe.py start per Megatron-LM start').toBe(gpt.length);
      expect(after.records.length).toBe(before.records.length - 0);
      // Flags the report accounts for: removed with a reason, or (a DeepSpeed config the script
      // writes, read as the settings it holds) carried as overrides whose values come from a file.
      const removedFlags = new Set([...report.launches.flatMap((l) => l.removed.map((u) => u.flag)), ...report.launches.flatMap((l) => l.overrides.filter((o) => o.flag === '--deepspeed_config').map((o) => o.flag))]);
      gpt.forEach((m, i) => {
        const b = bridge[i];
        // Launcher words stay, except torch.distributed.launch -> run, and deepspeed (which
        // passes --local_rank): torchrun with as many processes per node, or --no_local_rank.
        const launcherBefore = m.launcher.map((w) => (w === 'torch.distributed.launch' ? 'torch.distributed.run' : w)).filter((w) => w !== '--use_env' && w !== '--use-env');
        const ds = launcherBefore.indexOf('deepspeed');
        const dsBlocked = report.launches.filter((l) => l.migrated)[i]?.findings.some((w) => w.severity === 'error' && w.message.startsWith('deepspeed '));
        if (ds === -1 || launcherBefore.includes('--no_local_rank') || dsBlocked) expect(b.launcher).toEqual(launcherBefore);
        else if (b.launcher[ds] === 'deepspeed') expect(b.launcher).toEqual([...launcherBefore.slice(0, ds + 1), '--no_local_rank', ...launcherBefore.slice(ds + 1)]);
        else {
          expect(b.launcher.slice(0, ds + 1)).toEqual([...launcherBefore.slice(0, ds), 'torchrun']);
          const option = (argv: string[], names: string[]) => {
            const i = argv.findIndex((w) => names.includes(w.split('=')[0]));
            return i === -1 ? undefined : argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
          };
          expect(option(b.launcher, ['--nproc_per_node', '--nproc-per-node'])).toBe(option(launcherBefore, ['--num_gpus', '--num_accelerators']) ?? 'gpu');
          const nodes = option(launcherBefore, ['--num_nodes']);
          if (nodes !== undefined && nodes !== '1') expect(option(b.launcher, ['--nnodes'])).toBe(nodes);
        }
        const migrated = report.launches.filter((l) => l.migrated);
        const recipe = migrated[i]?.recipe ?? 'vanilla_gpt_pretrain_config';
        expect(b.args.slice(0, 2)).toEqual(['--recipe', recipe]);
        const view = findRecipe(recipe)?.view ?? 'flat';
        expect(b.args[2]).toBe('--dataset');
        // An unfilled template placeholder with blanks (`<PATH TO x>`) stays a template: its words
        // reach run_recipe.py as they reached Megatron-LM, until someone fills it in.
        const launchReport = report.launches.filter((l) => l.migrated)[i];
        const placeholders = (launchReport?.overrides ?? []).filter((o) => /^<[^>]*\s[^>]*>$/.test(o.value));
        const placeholderWords = new Set(placeholders.flatMap((o) => o.value.split(/\s+/).slice(1)));
        const rest = b.args.slice(4).filter((w) => !placeholderWords.has(w));
        for (const w of rest) expect(w.startsWith('-'), `argument ${JSON.stringify(w)} reaches run_recipe.py`).toBe(false);
        const overrides = new Map<string, HydraJs>();
        for (const w of rest) {
          const o = parseOverride(w);
          overrides.set(o.key, o.value);
          // ++section={_target_:...,field:value}: a whole section; check its fields as section.field.
          if (o.key.startsWith('++') && o.value && typeof o.value === 'object' && !Array.isArray(o.value) && !(o.value instanceof HFloat)) {
            for (const [k, v] of Object.entries(o.value)) if (k !== '_target_') overrides.set(`${o.key.slice(2)}.${k}`, v);
          }
          // Checks below speak the flat view; a nested recipe spells model keys model.transformer.*.
          if (o.key.startsWith('model.transformer.')) overrides.set(`model.${o.key.slice('model.transformer.'.length)}`, o.value);
        }
        for (const k of overrides.keys()) {
          if (k.startsWith('model.') && !k.startsWith('model.transformer.')) {
            const spelled = keyForView(view, k);
            if (spelled !== k) expect(overrides.has(spelled), `${k} must be spelled ${spelled} for ${recipe}`).toBe(true);
          }
        }
        const flags = readMegatronArgs(m.args);
        for (const f of flags) {
          if (f.stray && placeholderWords.has(f.flag)) continue;
          if (f.stray) {
            // Megatron-LM rejected it; the launch must report an error and not pass it on.
            expect(migrated[i].removed.some((u) => u.kind === 'error'), `${name}: stray word ${f.flag} is not reported`).toBe(true);
            expect(rest, `${name}: stray word ${f.flag} reaches run_recipe.py`).not.toContain(f.flag);
            continue;
          }
          // Megatron-LM flags that DeepSpeed's engine did not use (its config's settings trained instead).
          if (migrated[i]?.removed.some((u) => u.flag === f.flag && u.reason.startsWith('under DeepSpeed'))) continue;
          const problem = checkFlag(f, flags, overrides, removedFlags, b.args[3]);
          expect(problem, `${name}: ${f.flag} ${f.values.join(' ')}`).toBeUndefined();
        }
      });
      expect(unsupported.length).toBe(after.records.filter((r) => splitAtEntry(r, /pretrain_[A-Za-z0-9_]+\.py$/)).length);
    });
  }
});
