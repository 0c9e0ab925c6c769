/**
 * --bf16 / --fp16 with --fp8-format / --fp8-recipe / --fp4-format pick one Bridge mixed-precision
 * preset (bridge-notes.md section c). A combination without a preset is reported, never guessed.
 */
import { note, warning, type Message } from '../../findings.js';
import type { FlagOccurrence } from '../../resolve/types.js';
import { removed, type Conversion } from '../convert.js';
import { tokenText } from '../values.js';
import { lineList, occurrencesOf, sameBranch, type Rule } from './rule.js';
import { FP32_BASE, isWrittenOutOnly, KNOBS, knobValue, presetFieldValue, presetFields, presetValue, type Knob, type KnobValue, type PresetInfo } from './precision-knobs.js';
import { branchWithin } from '../../resolve/script-index.js';

const FLAGS = ['--bf16', '--fp16', '--fp8-format', '--fp8-recipe', '--fp4-format', '--fp4-recipe', '--fp8-e4m3', '--fp8-hybrid'];

/** (fp8 format, fp8 recipe) -> preset stem; `{base}` is bf16 or fp16. */
const FP8_PRESETS: Record<string, string> = {
  'hybrid/delayed': '{base}_with_fp8_delayed_scaling_mixed',
  'hybrid/tensorwise': '{base}_with_fp8_current_scaling_mixed',
  'e4m3/mxfp8': '{base}_with_mxfp8_mixed',
  'hybrid/blockwise': '{base}_with_fp8_subchannel_scaling_mixed',
};
const FP4_PRESETS: Record<string, string> = {
  'bf16/e2m1/nvfp4': 'bf16_with_nvfp4_mixed',
};

function valueOf(occs: FlagOccurrence[]): string | undefined | null {
  if (occs.length === 0) return null;
  const vals = new Set(occs.map((o) => (o.values.length === 1 ? tokenText(o.values[0]) : undefined)));
  if (vals.size !== 1) return undefined;
  return [...vals][0];
}

export function choosePreset(base: 'bf16' | 'fp16' | null, fp8Format: string | null, fp8Recipe: string | null, fp4Format: string | null, fp4Recipe: string | null): { preset?: string; why?: string } {
  if (fp4Format) {
    const key = `${base}/${fp4Format}/${fp4Recipe ?? 'nvfp4'}`;
    const preset = FP4_PRESETS[key];
    return preset ? { preset } : { why: `no Bridge preset for --fp4-format ${fp4Format}${fp4Recipe ? ` --fp4-recipe ${fp4Recipe}` : ''} with ${base ?? 'fp32'}` };
  }
  if (fp8Format || fp8Recipe) {
    // Megatron-LM's --fp8-recipe defaults to delayed; --fp8-format has no default (fp8 off).
    if (!fp8Format) return { why: '--fp8-recipe without --fp8-format leaves FP8 off in Megatron-LM; remove it' };
    const key = `${fp8Format}/${fp8Recipe ?? 'delayed'}`;
    const stem = FP8_PRESETS[key];
    if (!stem) return { why: `no Bridge preset for --fp8-format ${fp8Format} --fp8-recipe ${fp8Recipe ?? 'delayed'}` };
    // FP8 on fp32 parameters: the bf16 preset's FP8 fields, always written out (precision-knobs.ts).
    return { preset: base ? stem.replace('{base}', base) : stem.replace('{base}_with_', FP32_BASE) };
  }
  if (base) return { preset: `${base}_mixed` };
  return {};
}

export const precisionRule: Rule = {
  name: 'precision',
  description: 'precision flags -> one mixed_precision preset; knobs checked against the preset',
  apply(ctx) {
    const result = choosePrecision(ctx);
    const presets = new Set(result.conversions.flatMap((c) => c.overrides.filter((o) => o.key === 'mixed_precision').map((o) => (o.value.kind === 'raw' ? o.value.text : ''))));
    const failed = result.conversions.some((c) => c.removed?.kind === 'error');
    const custom: Custom = new Map();
    const sites: PresetSite[] = result.conversions.flatMap((c) => c.overrides.filter((o) => o.key === 'mixed_precision' && o.value.kind === 'raw').map((o) => ({ preset: o.value.kind === 'raw' ? o.value.text : '', branch: c.occurrence.segment.branchPath })));
    result.conversions.push(...knobConversions(ctx, failed ? [] : [...presets], sites, result.findings, custom));
    dynamicScalingChecks(ctx, result.conversions, result.findings);
    const rewritten = writeOut(result.conversions, custom, stacked(sites.map((site) => site.branch)));
    const knobList = [...custom].map(([field, { value }]) => `${field}=${show(value)}`).join(', ');
    const named = rewritten.filter((preset) => !isWrittenOutOnly(preset));
    if (named.length && custom.size) {
      result.findings.push(note(`mixed_precision is written out in full: the ${named.join(' / ')} preset${named.length === 1 ? '' : 's'} with ${knobList} (a preset given by name fixes these fields; Bridge instantiates the written-out MixedPrecisionConfig, whose whole configuration matches the preset's apart from these fields)`));
    }
    for (const preset of rewritten.filter(isWrittenOutOnly)) {
      result.findings.push(note(`FP8 without --bf16 or --fp16 trains fp32 parameters with FP8 compute in Megatron-LM; Bridge has no preset for that, so mixed_precision is written out as a MixedPrecisionConfig with the FP8 fields of bf16_with_${preset.slice(FP32_BASE.length)} (bf16 and fp16 off${custom.size ? `; ${knobList}` : ''})`));
    }
    return result;
  },
};

function presetInfo(name: string): PresetInfo {
  const base = name.startsWith('fp16') ? 'fp16' : isWrittenOutOnly(name) ? 'fp32' : 'bf16';
  const fp8 = /delayed/.test(name) ? 'delayed' : /mxfp8/.test(name) ? 'mxfp8' : /current/.test(name) ? 'tensorwise' : /subchannel/.test(name) ? 'blockwise' : undefined;
  return { name, base, fp8, fp4: /nvfp4/.test(name) ? 'nvfp4' : undefined };
}

/** A preset's name in a message; FP8 on fp32 is named by what it is (it has no Bridge name). */
function display(preset: string): string {
  return isWrittenOutOnly(preset) ? `fp32 with the FP8 fields of bf16_with_${preset.slice(FP32_BASE.length)}` : preset;
}

/** `the bf16_mixed preset`, `the A / B presets`, or what a written-out-only configuration is. */
function presetPhrase(presets: string[]): string {
  if (presets.some(isWrittenOutOnly)) return presets.map(display).join(' / ');
  return `the ${presets.join(' / ')} preset${presets.length === 1 ? '' : 's'}`;
}

function show(v: unknown): string {
  return v === null ? 'None' : String(v);
}

/**
 * Megatron-LM turns its NaN/Inf checks of loss and gradients off for fp16 with dynamic loss scaling
 * (megatron/training/arguments.py: "NaNs in grads / loss are signal to the loss scaler"); Bridge
 * keeps them on, and its DDP check then stops the run at the first overflow (seen on the GPU bench:
 * "found Inf in local grad norm", then a checkpoint save into checkpoint.save=None). So every fp16
 * preset without a --loss-scale gets both checks off, as in Megatron-LM.
 */
function dynamicScalingChecks(ctx: Parameters<Rule['apply']>[0], conversions: Conversion[], findings: Message[]): void {
  const staticScale = occurrencesOf(ctx, '--loss-scale').some((o) => o.values.length === 1 && Number(tokenText(o.values[0]) ?? ctx.valueText?.(o.values[0])) > 0);
  // The launch turns both checks off itself.
  if (staticScale || occurrencesOf(ctx, '--no-check-for-nan-in-loss-and-grad').length) return;
  let added = false;
  for (const conversion of conversions) {
    const fp16 = conversion.overrides.some((o) => o.key === 'mixed_precision' && o.value.kind === 'raw' && o.value.text.startsWith('fp16'));
    if (!fp16) continue;
    conversion.overrides.push({ key: 'rerun_state_machine.check_for_nan_in_loss', value: { kind: 'raw', text: 'false' } }, { key: 'ddp.check_for_nan_in_grad', value: { kind: 'raw', text: 'false' } });
    added = true;
  }
  if (added) findings.push(note('fp16 with dynamic loss scaling: Megatron-LM turns its NaN/Inf checks of loss and gradients off (overflows are the loss scaler\'s signal), so rerun_state_machine.check_for_nan_in_loss=false and ddp.check_for_nan_in_grad=false are set with the preset'));
}

/**
 * Each preset's MixedPrecisionConfig fields that differ from MixedPrecisionConfig()'s, as the pinned
 * release's factories return them (presets.generated.json, from scripts/extract-bridge-release.py):
 * a preset is written out as a MixedPrecisionConfig (`_target_`) with these fields, then the knobs.
 * Dtypes are written as `{_target_:torch.X,_call_:false}`: a dtype given as a string would stay a string.
 */

/** Fields a launch's presets are written out with: Megatron-LM's value, for the presets the knob acts in. */
type Custom = Map<string, { value: KnobValue; knob: Knob }>;

/** The `_param` twin Bridge keeps equal to a `_param_gather` field (MixedPrecisionConfig.__setattr__). */
const PARAM_TWINS: Record<string, string> = { fp8_param_gather: 'fp8_param', fp4_param_gather: 'fp4_param' };

function hydraKnob(field: string, value: KnobValue): string {
  const knob = KNOBS.find((k) => k.field === field);
  if (typeof value === 'number' && knob?.set === 'float' && Number.isInteger(value)) return `${value}.0`;
  return value === null ? 'null' : String(value);
}

/** A mixed_precision preset the launch sets, and the branch it is set in. */
interface PresetSite {
  preset: string;
  branch: string;
}

/** Can two of the presets both be set in one run (a shared one and a branch's, which Bridge applies in turn)? */
function stacked(presetBranches: string[]): boolean {
  return presetBranches.some((outer, index) => presetBranches.some((inner, other) => other !== index && branchWithin(inner, outer)));
}

/** Does a knob of `custom` give `preset` a value it does not have? */
function changes(preset: string, custom: Custom): boolean {
  const info = presetInfo(preset);
  return [...custom].some(([field, { value, knob }]) => knob.when(info) && presetValue(preset, field) !== value);
}

/**
 * Writes out each mixed_precision preset that a knob changes; where presets stack, every one of
 * them, with the same fields (Hydra merges a later dict into an earlier one and refuses a key the
 * earlier one lacks). Returns the presets written out.
 */
function writeOut(conversions: Conversion[], custom: Custom, stackedPresets: boolean): string[] {
  const overrides = conversions.flatMap((conversion) => conversion.overrides).filter((override) => override.key === 'mixed_precision' && override.value.kind === 'raw');
  const presetOf = (override: (typeof overrides)[number]) => (override.value.kind === 'raw' ? override.value.text : '');
  const chosen = overrides.filter((override) => isWrittenOutOnly(presetOf(override)) || changes(presetOf(override), custom));
  if (chosen.length === 0) return [];
  const targets = stackedPresets ? overrides : chosen;
  const shared = new Set([...targets.flatMap((override) => Object.keys(presetFields(presetOf(override))!)), ...custom.keys()]);
  const names = [...new Set(targets.map(presetOf))];
  for (const override of targets) {
    const preset = presetOf(override);
    const fields = stackedPresets ? shared : new Set([...Object.keys(presetFields(preset)!), ...[...custom].filter(([, { knob }]) => knob.when(presetInfo(preset))).map(([field]) => field)]);
    override.value = { kind: 'raw', text: writtenOut(preset, custom, fields) };
  }
  return names;
}

/**
 * `mixed_precision={_target_:...MixedPrecisionConfig,...}`: each of `fields` with the preset's value
 * (MixedPrecisionConfig()'s where the preset leaves it), then the knobs that act in this preset.
 */
function writtenOut(preset: string, custom: Custom, fields: Set<string>): string {
  const hydraValue = (value: unknown) => (value === null || value === undefined ? 'null' : typeof value === 'object' && 'dtype' in value ? `{_target_:torch.${(value as { dtype: string }).dtype},_call_:false}` : String(value));
  const written = new Map<string, string>([...fields].map((field) => [field, hydraValue(presetFieldValue(preset, field))]));
  const info = presetInfo(preset);
  for (const [field, { value, knob }] of custom) {
    if (!knob.when(info)) continue;
    written.set(field, hydraKnob(field, value));
    const twin = PARAM_TWINS[field];
    if (twin && written.has(twin)) written.set(twin, hydraKnob(field, value));
  }
  return `{_target_:megatron.bridge.training.mixed_precision.MixedPrecisionConfig,${[...written].map(([field, value]) => `${field}:${value}`).join(',')}}`;
}

/**
 * `custom` receives the fields the launch's presets must be written out with: a knob the launch
 * gives, or Megatron-LM's default of one it leaves out where a preset would change it.
 */
function knobConversions(ctx: Parameters<Rule['apply']>[0], presets: string[], sites: PresetSite[], findings: Message[], custom: Custom): Conversion[] {
  // A knob is written into the presets it acts in (an fp16 loss-scale knob: the fp16 ones), so each
  // of them must be set only in runs that give the knob: where the knob is given, or inside that
  // branch (a knob inside one branch would otherwise change the runs of another).
  const coversActing = (knob: Knob, occurrence: FlagOccurrence) => sites.filter((site) => knob.when(presetInfo(site.preset))).every((site) => branchWithin(site.branch, occurrence.segment.branchPath));
  const out: Conversion[] = [];
  const infos = presets.map(presetInfo);
  const writable = presets.length > 0 && presets.every((preset) => presetFields(preset));
  for (const k of KNOBS) {
    const occs = occurrencesOf(ctx, k.flag);
    // A value from a variable the script fixes (`--loss-scale $SP` with SP=15) counts as written.
    const textOf = (occurrence: FlagOccurrence) => (occurrence.values.length === 1 ? (tokenText(occurrence.values[0]) ?? ctx.valueText?.(occurrence.values[0])) : undefined);
    // Given in several branches: written out only when every occurrence says the same (in one
    // argv the last one counts, as in argparse).
    const sameValue = sameBranch(occs) || new Set(occs.map(textOf)).size <= 1;
    const given = occs.length ? knobValue(k, textOf(occs[occs.length - 1]) ?? undefined) : k.mlmDefault;
    for (const info of infos) {
      if (!k.when(info) || occs.length) continue;
      const pv = presetValue(info.name, k.field);
      if (given === pv) continue;
      if (writable) {
        custom.set(k.field, { value: k.mlmDefault, knob: k });
        findings.push(note(`${display(info.name)} sets ${k.field}=${show(pv)}; written out with Megatron-LM's default ${show(given)} (${k.flag} not given)`));
      } else findings.push(warning(`${display(info.name)} sets ${k.field}=${show(pv)}; Megatron-LM's default was ${show(given)}`));
    }
    for (const o of occs) {
      const relevant = infos.filter((i) => k.when(i));
      if (relevant.length === 0) {
        out.push(removed(o, infos.length ? `has no effect with ${presets.map(display).join(' / ')} in Megatron-LM` : 'has no effect without --fp16 / --bf16 / FP8 in Megatron-LM', 'folded', ctx.entryOf(o)));
        continue;
      }
      if (given === undefined) {
        out.push(removed(o, `${k.flag} takes its value from a variable; Bridge's presets fix ${k.field}: check it by hand`, 'error', ctx.entryOf(o)));
        continue;
      }
      const differs = relevant.filter((i) => presetValue(i.name, k.field) !== given);
      if (differs.length === 0) out.push(removed(o, `${relevant.map((i) => display(i.name)).join(' / ')} already sets ${k.field}=${show(given)}`, 'folded', ctx.entryOf(o)));
      else if (!sameValue) out.push(removed(o, `${k.flag} is given with different values in different branches (${lineList(occs)}); set mixed_precision by hand`, 'error', ctx.entryOf(o)));
      else if (writable && !coversActing(k, o)) {
        const uncovered = sites.filter((site) => k.when(presetInfo(site.preset)) && !branchWithin(site.branch, o.segment.branchPath)).map((site) => display(site.preset));
        out.push(removed(o, `${k.flag} is given only in a branch, but ${[...new Set(uncovered)].join(' / ')} is also set for runs without it: written into that preset, ${k.field}=${show(given)} would change those runs too; write mixed_precision out by hand where the flag is given`, 'error', ctx.entryOf(o)));
      } else if (writable) {
        custom.set(k.field, { value: given, knob: k });
        out.push(removed(o, `written into mixed_precision (${presetPhrase(presets)} with ${k.field}=${show(given)})`, 'folded', ctx.entryOf(o)));
      } else out.push(removed(o, `${display(differs[0].name)} fixes ${k.field}=${show(presetValue(differs[0].name, k.field))} and the recipe stores the preset by name, so ${show(given)} cannot be set with an override; it needs a custom MixedPrecisionConfig in a recipe`, 'error', ctx.entryOf(o)));
    }
  }
  return out;
}

/**
 * Flags shared by every branch (`--bf16` for all runs) and branches that each add to them
 * (`if fp8; then --fp8-format hybrid; fi`), the branches none inside another and each after the
 * shared flags on the command line: the shared flags get their own preset, and each branch the
 * preset of the shared flags and its own together, written after them, so that Bridge (which
 * applies overrides in order) ends with the branch's preset when the branch runs. Undefined when
 * the flags are not laid out that way.
 */
function layeredPrecision(ctx: Parameters<Rule['apply']>[0], occs: FlagOccurrence[], groups: Map<string, FlagOccurrence[]>): { conversions: Conversion[]; findings: Message[] } | undefined {
  const paths = [...groups.keys()];
  const base = paths.find((p) => paths.every((q) => branchWithin(q, p)));
  if (base === undefined) return undefined;
  const branches = paths.filter((p) => p !== base);
  if (branches.some((p) => branches.some((q) => q !== p && branchWithin(q, p)))) return undefined;
  const order = (o: FlagOccurrence) => ctx.occurrences.indexOf(o);
  const shared = groups.get(base)!;
  const lastShared = Math.max(...shared.map(order));
  if (branches.some((p) => Math.min(...groups.get(p)!.map(order)) < lastShared)) return undefined;
  const together = (group: FlagOccurrence[]) => choosePrecision({ ...ctx, occurrences: group.map((o) => ({ ...o, segment: { ...o.segment, branchPath: 'together' } })) });
  const presetIn = (result: { conversions: Conversion[] }) => {
    if (result.conversions.some((c) => c.removed?.kind === 'error')) return undefined;
    const override = result.conversions.flatMap((c) => c.overrides).find((o) => o.key === 'mixed_precision');
    return override?.value.kind === 'raw' ? override.value.text : undefined;
  };
  const sharedResult = choosePrecision({ ...ctx, occurrences: shared });
  if (presetIn(sharedResult) === undefined) return undefined;
  const conversions = [...sharedResult.conversions];
  const findings = [...sharedResult.findings];
  for (const path of branches) {
    const own = [...groups.get(path)!].sort((a, b) => order(a) - order(b));
    const preset = presetIn(together([...shared, ...own]));
    if (preset === undefined) return undefined;
    const [first, ...rest] = own;
    conversions.push({ occurrence: first, entry: ctx.entryOf(first), overrides: [{ key: 'mixed_precision', value: { kind: 'raw', text: preset } }], notes: [note(`${first.flag} is set in a branch that adds to ${shared.map((o) => o.flag).join(', ')} (line ${shared[0].line}): mixed_precision=${preset} is written there, after the shared flags' mixed_precision=${presetIn(sharedResult)}, so it is the one Bridge keeps when the branch runs`)] });
    for (const o of rest) conversions.push(removed(o, `folded into mixed_precision=${preset} (line ${first.line})`, 'folded', ctx.entryOf(o)));
  }
  return { conversions, findings };
}

function choosePrecision(ctx: Parameters<Rule['apply']>[0]): { conversions: Conversion[]; findings: Message[] } {
  const occs = occurrencesOf(ctx, ...FLAGS);
  const conversions: Conversion[] = [];
  const findings: Message[] = [];
  if (occs.length === 0) return { conversions, findings };
  const by = (f: string) => occurrencesOf({ ...ctx, occurrences: occs }, f);
  const bf16 = by('--bf16');
  const fp16 = by('--fp16');
  const legacyFp8 = [...by('--fp8-e4m3'), ...by('--fp8-hybrid')];
  const quant = [...by('--fp8-format'), ...by('--fp8-recipe'), ...by('--fp4-format'), ...by('--fp4-recipe'), ...legacyFp8];
  const fail = (why: string) => {
    for (const o of occs) conversions.push(removed(o, `${why}; set mixed_precision by hand (see bridge-notes: precision presets)`, 'error', ctx.entryOf(o)));
    return { conversions, findings };
  };
  if (quant.length === 0) {
    // Each --bf16 / --fp16 is a complete choice on its own, wherever it is written.
    for (const o of occs) {
      const preset = by('--fp16').includes(o) ? 'fp16_mixed' : 'bf16_mixed';
      conversions.push({ occurrence: o, entry: ctx.entryOf(o), overrides: [{ key: 'mixed_precision', value: { kind: 'raw', text: preset } }], notes: [] });
    }
    if (bf16.length && fp16.length && sameBranch([...bf16, ...fp16])) return fail('--bf16 and --fp16 are both set');
    return { conversions, findings };
  }
  if (!sameBranch(occs)) {
    // Branches that each choose a whole precision (`if fp8 ... elif bf16 ...`), none inside
    // another and nothing shared outside them: one preset per branch, written in that branch.
    const groups = new Map<string, FlagOccurrence[]>();
    for (const o of occs) groups.set(o.segment.branchPath, [...(groups.get(o.segment.branchPath) ?? []), o]);
    const paths = [...groups.keys()];
    const nested = paths.some((p) => paths.some((q) => q !== p && branchWithin(q, p)));
    if (nested) {
      const layered = layeredPrecision(ctx, occs, groups);
      if (layered) return layered;
      return fail(`precision flags are set in different branches, some shared by others (${lineList(occs)})`);
    }
    for (const group of groups.values()) {
      const result = choosePrecision({ ...ctx, occurrences: group });
      conversions.push(...result.conversions);
      findings.push(...result.findings);
    }
    return { conversions, findings };
  }
  if (bf16.length && fp16.length) return fail('--bf16 and --fp16 are both set');
  const v = (f: string) => valueOf(by(f));
  const values = ['--fp8-format', '--fp8-recipe', '--fp4-format', '--fp4-recipe'].map(v);
  if (values.some((x) => x === undefined)) return fail('a precision flag takes its value from a variable');
  const [fp8FormatFlag, fp8Recipe, fp4Format, fp4Recipe] = values as Array<string | null>;
  const legacyFormat = legacyFp8.length ? (by('--fp8-e4m3').length ? 'e4m3' : 'hybrid') : null;
  if (legacyFormat && fp8FormatFlag && legacyFormat !== fp8FormatFlag) return fail('--fp8-format and the old --fp8-e4m3/--fp8-hybrid disagree');
  const fp8Format = fp8FormatFlag ?? legacyFormat;
  const base = fp16.length ? 'fp16' : bf16.length ? 'bf16' : null;
  const { preset, why } = choosePreset(base, fp8Format, fp8Recipe, fp4Format, fp4Recipe);
  if (!preset) return fail(why ?? 'no preset');
  const [first, ...rest] = [...occs].sort((a, b) => a.start - b.start);
  conversions.push({ occurrence: first, entry: ctx.entryOf(first), overrides: [{ key: 'mixed_precision', value: { kind: 'raw', text: preset } }], notes: [] });
  for (const o of rest) conversions.push(removed(o, `folded into mixed_precision=${preset} (line ${first.line})`, 'folded', ctx.entryOf(o)));
  return { conversions, findings };
}
