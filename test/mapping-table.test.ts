/**
 * Checks the generated mapping table (src/mapping/table.generated.json) and the default-difference
 * list (src/mapping/defaults.generated.json) against the pinned Bridge release's facts
 * (src/mapping/bridge-release.generated.json, from scripts/extract-bridge-release.py) and
 * Megatron-LM's flags and the guide carried in test/reference/ (pruned from ../shared/reference by
 * scripts/generate-reference-facts.mjs). Regenerate with `npm run generate`.
 */
import { rules } from '../src/mapping/rules/index.js';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const REF = process.env.BRIDGE_MIGRATE_REFERENCE
  ? path.resolve(process.env.BRIDGE_MIGRATE_REFERENCE)
  : fileURLToPath(new URL('./reference/', import.meta.url));
const SHARED = fileURLToPath(new URL('../../shared/reference/', import.meta.url));

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

interface Entry {
  flag: string;
  aliases?: string[];
  arity: number | string;
  valueType?: string;
  keys: string[];
  convert: string;
  rename?: Record<string, string>;
  value?: string;
  values?: Record<string, string>;
  rule?: string;
  reason?: string;
  note?: string;
  source: string;
  legacy?: boolean;
}
interface Field {
  name: string;
  type: string;
  literal_choices?: Array<string | number>;
  enum_members?: Record<string, string[]>;
}
interface Flag {
  option_strings: string[];
  effective_option_strings: string[];
  action: string;
  nargs: number | string | null;
}
interface DefaultRow {
  key: string;
  flag: string;
  mlmDefault: string;
  recipeValue: unknown;
  note: string;
}

const table: Record<string, Entry> = readJson(path.join(REPO, 'src/mapping/table.generated.json'));
const defaults: DefaultRow[] = readJson(path.join(REPO, 'src/mapping/defaults.generated.json'));
const bridge = readJson(path.join(REPO, 'src/mapping/bridge-release.generated.json'));
const flags: Flag[] = readJson(path.join(REF, 'megatron-lm-flags.json')).flags;
const guideFile = ['megatron-lm-to-megatron-bridge-guide.md', 'guide-rows.md'].map((f) => path.join(REF, f)).find((f) => existsSync(f))!;
const guide = readFileSync(guideFile, 'utf8');

const entries = Object.values(table);
const presets: string[] = bridge.mixed_precision_presets;
const RULES = rules.map((r) => r.name);
const ALT_VIEWS: Record<string, string> = {
  'model[HybridModelProvider]': 'only on HybridModelProvider',
  'model[MLAModelProvider]': 'only on MLAModelProvider',
};

function groupFields(group: string): Map<string, Field> {
  const spec = bridge.groups[group];
  return new Map((spec?.fields ?? []).map((f: Field) => [f.name, f]));
}

const topLevel = new Set<string>(bridge.top_level_fields.map((f: { name: string }) => f.name));

/** The Bridge field of a flat key, accepting the Hybrid/MLA model views only when `note` says so. */
function fieldOf(key: string, note = ''): Field | undefined {
  const dot = key.indexOf('.');
  if (dot < 0) return topLevel.has(key) ? ({ name: key, type: 'top-level' } as Field) : undefined;
  const group = key.slice(0, dot);
  const name = key.slice(dot + 1);
  const flat = groupFields(group).get(name);
  if (flat) return flat;
  if (group !== 'model') return undefined;
  for (const [view, marker] of Object.entries(ALT_VIEWS)) {
    const alt = groupFields(view).get(name);
    if (alt && note.includes(marker)) return alt;
  }
  return undefined;
}

function arityOf(flag: Flag): number | string {
  if (flag.action !== 'store') return 0;
  return flag.nargs ?? 1;
}

/** Every option string with its entry (entry keys and aliases). */
const bySpelling = new Map<string, Entry>();
for (const e of entries) for (const s of [e.flag, ...(e.aliases ?? [])]) bySpelling.set(s, e);

/** [key, value] pairs an entry emits as fixed Hydra text. */
function fixedValues(e: Entry): Array<[string, string]> {
  if (e.convert === 'const') return e.keys.map((k) => [k, e.values?.[k] ?? e.value ?? '']);
  if (e.convert === 'rename') return e.keys.flatMap((k) => Object.values(e.rename ?? {}).map((v) => [k, v] as [string, string]));
  return [];
}

function guideFlags(markdown: string): string[] {
  return markdown
    .split('\n')
    .map((line) => /^\|\s*`(--[^`]+)`\s*\|/.exec(line)?.[1])
    .filter((f): f is string => f !== undefined);
}

describe('mapping table', () => {
  it('has entries keyed by their flag, sorted, one per spelling', () => {
    const names = Object.keys(table);
    expect(names.filter((n) => table[n].flag !== n), 'entries whose key is not their flag').toEqual([]);
    expect(names, 'table keys are not sorted').toEqual([...names].sort());
    const spellings = entries.flatMap((e) => [e.flag, ...(e.aliases ?? [])]);
    const dup = spellings.filter((s, i) => spellings.indexOf(s) !== i);
    expect(dup, 'spellings claimed by two entries').toEqual([]);
  });

  it('(a) emits only keys that are Bridge fields', () => {
    const offenders = entries.flatMap((e) => e.keys.filter((k) => !fieldOf(k, e.note)).map((k) => `${e.flag} -> ${k}`));
    expect(offenders, `keys that are not Bridge fields (or lack the "only on ..." note): ${offenders.join(', ')}`).toEqual([]);
  });

  it('(b) renames and constants for Literal/enum fields are allowed values', () => {
    const offenders: string[] = [];
    for (const e of entries) {
      for (const [key, value] of fixedValues(e)) {
        const field = fieldOf(key, e.note);
        if (!field) continue;
        const choices = field.literal_choices?.map(String) ?? Object.values(field.enum_members ?? {}).flat();
        if (value === 'null') {
          if (!/Optional|None|\bnull\b/.test(field.type)) offenders.push(`${e.flag}: ${key}=null but ${field.type} is not optional`);
          continue;
        }
        if (choices.length && !choices.includes(value)) offenders.push(`${e.flag}: ${key}=${value} not in [${choices.join(', ')}]`);
      }
    }
    expect(offenders, offenders.join('; ')).toEqual([]);
  });

  it('(c) uses only registered mixed precision presets', () => {
    const used = new Set<string>();
    for (const e of entries) {
      for (const [key, value] of fixedValues(e)) if (key === 'mixed_precision' && value !== 'null') used.add(value);
      for (const text of [e.note, e.reason]) for (const m of (text ?? '').matchAll(/\b([a-z][a-z0-9_]*_mixed[a-z0-9_]*)\b/g)) used.add(m[1]);
    }
    for (const row of defaults) {
      if (row.key === 'mixed_precision') {
        if (row.mlmDefault !== 'null') used.add(row.mlmDefault);
        if (typeof row.recipeValue === 'string') used.add(row.recipeValue);
      }
      for (const m of row.note.matchAll(/\b([a-z][a-z0-9_]*_mixed[a-z0-9_]*)\b/g)) used.add(m[1]);
    }
    const unknown = [...used].filter((p) => !presets.includes(p));
    expect(used.size, 'no preset name found at all').toBeGreaterThan(0);
    expect(unknown, `unknown presets: ${unknown.join(', ')}`).toEqual([]);
  });

  it('(d) covers every current Megatron-LM option string', () => {
    const missing = flags.flatMap((f) => f.effective_option_strings).filter((s) => !bySpelling.has(s));
    expect(flags.length).toBe(862);
    expect(missing, `option strings without an entry: ${missing.join(', ')}`).toEqual([]);
    const legacyCurrent = flags.flatMap((f) => f.effective_option_strings).filter((s) => bySpelling.get(s)?.legacy);
    expect(legacyCurrent, `current flags marked legacy: ${legacyCurrent.join(', ')}`).toEqual([]);
  });

  it('(e) has an entry, marked guide, for every row of the guide', () => {
    const rows = guideFlags(guide);
    expect(rows.length).toBeGreaterThan(150);
    const missing = rows.filter((f) => !bySpelling.has(f));
    expect(missing, `guide rows without an entry: ${missing.join(', ')}`).toEqual([]);
    const unmarked = rows.filter((f) => bySpelling.get(f) && bySpelling.get(f)!.source !== 'guide');
    expect(unmarked, `guide rows whose entry is not source "guide": ${unmarked.join(', ')}`).toEqual([]);
    const notGuide = entries.filter((e) => e.source === 'guide' && !rows.includes(e.flag) && !(e.aliases ?? []).some((a) => rows.includes(a)));
    expect(notGuide.map((e) => e.flag), 'entries marked guide that are not guide rows').toEqual([]);
  });

  it('(f) gives every current flag the arity of its argparse definition', () => {
    const offenders: string[] = [];
    for (const flag of flags) {
      for (const s of flag.effective_option_strings) {
        const e = bySpelling.get(s);
        if (e && e.arity !== arityOf(flag)) offenders.push(`${s}: ${e.arity} != ${arityOf(flag)}`);
      }
    }
    expect(offenders, offenders.join('; ')).toEqual([]);
    const noType = entries.filter((e) => e.arity !== 0 && !['drop', 'launcher'].includes(e.convert) && !e.valueType);
    expect(noType.map((e) => e.flag), 'entries taking values without a valueType').toEqual([]);
  });

  it('uses known conversions, rule names and reasons', () => {
    const bad: string[] = [];
    for (const e of entries) {
      if (e.convert === 'rule' && !RULES.includes(e.rule ?? '')) bad.push(`${e.flag}: unknown rule ${e.rule}`);
      if (['drop', 'launcher'].includes(e.convert) && (!e.reason || e.keys.length)) bad.push(`${e.flag}: ${e.convert} needs a reason and no keys`);
      if (!['drop', 'launcher'].includes(e.convert) && e.keys.length === 0) bad.push(`${e.flag}: no keys`);
      if (e.convert === 'const' && e.value === undefined && !e.values) bad.push(`${e.flag}: const without value`);
      if (e.convert === 'const' && e.values && e.keys.some((k) => !(k in e.values!))) bad.push(`${e.flag}: values misses a key`);
      if (['true', 'false'].includes(e.convert) && e.arity !== 0) bad.push(`${e.flag}: ${e.convert} with arity ${e.arity}`);
      if (e.convert === 'pass' && e.arity !== 1) bad.push(`${e.flag}: pass with arity ${e.arity}`);
      if (!['guide', 'schema', 'legacy', 'manual'].includes(e.source)) bad.push(`${e.flag}: source ${e.source}`);
      if (e.legacy && e.source !== 'legacy') bad.push(`${e.flag}: legacy entry with source ${e.source}`);
    }
    expect(bad, bad.join('; ')).toEqual([]);
  });

  it('maps the flags the rewriter and the notes single out as documented', () => {
    const pick = (f: string) => {
      const e = bySpelling.get(f)!;
      return { keys: e.keys, convert: e.convert, value: e.value, rename: e.rename, rule: e.rule };
    };
    expect(pick('--rerun-mode')).toMatchObject({ keys: ['rerun_state_machine.rerun_mode'], rename: { report_stats: 'report_determinism_stats' } });
    expect(pick('--use-flash-attn')).toMatchObject({ keys: ['model.attention_backend'], convert: 'const', value: 'flash' });
    expect(pick('--eval-iters')).toMatchObject({ keys: ['validation.eval_iters'], convert: 'pass' });
    expect(pick('--profile')).toMatchObject({ keys: ['profiling.use_nsys_profiler', 'profiling.use_pytorch_profiler'], convert: 'rule', rule: 'profiling' });
    expect(pick('--no-load-optim')).toMatchObject({ keys: ['checkpoint.load_optim'], convert: 'false' });
    expect(pick('--untie-embeddings-and-output-weights')).toMatchObject({ keys: ['model.share_embeddings_and_output_weights'], convert: 'false' });
    expect(pick('--disable-bias-linear')).toMatchObject({ keys: ['model.add_bias_linear'], convert: 'false' });
    expect(pick('--norm-epsilon')).toMatchObject({ keys: ['model.layernorm_epsilon'], convert: 'pass' });
    expect(pick('--no-check-for-nan-in-loss-and-grad').keys.sort()).toEqual(['ddp.check_for_nan_in_grad', 'rerun_state_machine.check_for_nan_in_loss']);
    expect(pick('--no-create-attention-mask-in-dataloader')).toMatchObject({ keys: ['dataset.create_attention_mask'], convert: 'false' });
    expect(pick('--padded-vocab-size')).toMatchObject({ keys: ['model.vocab_size'] });
    expect(pick('--vocab-size')).toMatchObject({ keys: ['tokenizer.vocab_size'] });
    expect(pick('--data-cache-path')).toMatchObject({ keys: ['dataset.path_to_cache'] });
    expect(bySpelling.get('--split')).toMatchObject({ keys: ['dataset.split'], valueType: 'str' });
    expect(pick('--recompute-activations')).toMatchObject({ keys: ['model.recompute_granularity'], convert: 'const', value: 'selective' });
    expect(pick('--accumulate-allreduce-grads-in-fp32')).toMatchObject({ keys: ['ddp.grad_reduce_in_fp32'] });
    expect(pick('--local-rank').convert).toBe('launcher');
    expect(pick('--use-mcore-models').convert).toBe('drop');
    for (const [flag, rule] of Object.entries({
      '--bf16': 'precision', '--fp16': 'precision', '--fp8-format': 'precision', '--fp8-recipe': 'precision',
      '--fp4-format': 'precision', '--fp4-recipe': 'precision', '--seq-length': 'seq-length',
      '--max-position-embeddings': 'seq-length', '--num-layers-per-virtual-pipeline-stage': 'vpp',
      '--num-virtual-stages-per-pipeline-rank': 'vpp', '--group-query-attention': 'gqa', '--num-query-groups': 'gqa',
      '--data-path': 'data-path', '--train-data-path': 'blend-per-split', '--valid-data-path': 'blend-per-split',
      '--test-data-path': 'blend-per-split', '--use-distributed-optimizer': 'distributed-optimizer',
      '--swiglu': 'swiglu', '--mock-data': 'mock-data',
    })) {
      expect(pick(flag), flag).toMatchObject({ convert: 'rule', rule });
    }
  });
});

/** True when the Hydra text of Megatron-LM's default denotes the recipe's value. */
function sameSides(row: DefaultRow): boolean {
  const v = row.recipeValue;
  const text = row.mlmDefault;
  if (v === null) return text === 'null';
  if (typeof v === 'number') return text !== '' && !Number.isNaN(Number(text)) && Number(text) === v;
  if (typeof v === 'boolean') return text === String(v);
  if (typeof v === 'string') return text === v || text === `'${v}'`;
  if (Array.isArray(v)) return text === `[${v.join(',')}]`;
  return false; // {expr: ...}: not a literal, so never equal
}

describe('defaults.generated.json', () => {
  it('(g) lists Bridge keys, mapped flags and real differences', () => {
    expect(defaults.length).toBeGreaterThan(10);
    const badKeys = defaults.filter((r) => !fieldOf(r.key)).map((r) => r.key);
    expect(badKeys, `keys that are not Bridge fields: ${badKeys.join(', ')}`).toEqual([]);
    const badFlags = defaults.filter((r) => !bySpelling.get(r.flag)?.keys.includes(r.key)).map((r) => `${r.key} <- ${r.flag}`);
    expect(badFlags, `rows whose flag does not map to the key: ${badFlags.join(', ')}`).toEqual([]);
    const keys = defaults.map((r) => r.key);
    expect(keys.filter((k, i) => keys.indexOf(k) !== i), 'duplicate keys').toEqual([]);
    expect(keys, 'rows are not sorted by key').toEqual([...keys].sort());
    const same = defaults.filter(sameSides).map((r) => r.key);
    expect(same, 'rows whose two sides are equal').toEqual([]);
    const mp = defaults.find((r) => r.key === 'mixed_precision');
    expect(mp).toMatchObject({ mlmDefault: 'null', recipeValue: 'bf16_mixed' });
    expect(defaults.find((r) => r.key === 'optimizer.weight_decay')).toMatchObject({ flag: '--weight-decay', mlmDefault: '0.01', recipeValue: 0.1 });
  });
});

describe('test/reference (the reference facts carried in the project)', () => {
  it.runIf(existsSync(path.join(SHARED, 'bridge-config.json')))('is what scripts/generate-reference-facts.mjs makes from ../shared/reference', async () => {
    const { referenceFacts } = await import('../scripts/generate-reference-facts.mjs');
    const stale = Object.entries(referenceFacts(SHARED) as Record<string, string>)
      .filter(([file, text]) => !existsSync(file) || readFileSync(file, 'utf8') !== text)
      .map(([file]) => path.relative(REPO, file));
    expect(stale, 'stale files: run `npm run generate` and commit them').toEqual([]);
  });
});
