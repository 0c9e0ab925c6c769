/**
 * Config sections that are None in the recipes (in-process restart, straggler detection, fault
 * tolerance, ...): `section.field=x` fails there because the node is None, and `++section.field=x`
 * turns the section into a plain dict that later code cannot use. The route bridge-notes.md gives
 * is one whole-section dict that carries `_target_` (inferred from Bridge's source, not run here):
 * all of a launch's overrides for such a section are folded into that one override, written where
 * the first of its flags was.
 */
import { note, type Message } from '../../findings.js';
import { removed, type Conversion } from '../convert.js';
import type { HydraValue, Override } from '../hydra.js';
import { renderHydra, mergeLits } from '../hydra.js';
import type { Part } from '../../resolve/types.js';

/** Section -> dataclass (bridge-config.json: groups whose container default is None). */
export const NONE_SECTIONS: Record<string, string> = {
  inprocess_restart: 'megatron.bridge.training.config.InProcessRestartConfig',
  straggler: 'megatron.bridge.training.config.StragglerDetectionConfig',
  ft: 'megatron.bridge.training.config.FaultToleranceConfig',
  nvrx_straggler: 'megatron.bridge.training.config.NVRxStragglerDetectionConfig',
  comm_overlap: 'megatron.bridge.training.comm_overlap.CommOverlapConfig',
  tensor_inspect: 'megatron.bridge.training.config.TensorInspectConfig',
};

function sectionOf(key: string): string | undefined {
  const s = key.split('.')[0];
  return key.includes('.') && NONE_SECTIONS[s] ? s : undefined;
}

/** The dict value `{_target_:cls,a:1,b:x}` as a raw Hydra value (parts kept for expansions). */
function dictValue(section: string, fields: Override[]): HydraValue {
  const parts: Part[] = [{ kind: 'lit', text: `{_target_:${NONE_SECTIONS[section]}` }];
  for (const f of fields) {
    parts.push({ kind: 'lit', text: `,${f.key.slice(section.length + 1)}:` });
    parts.push(...renderHydra(f.value));
  }
  parts.push({ kind: 'lit', text: '}' });
  return { kind: 'num', parts: mergeLits(parts), float: false };
}

export function foldNoneSections(conversions: Conversion[]): { conversions: Conversion[]; findings: Message[] } {
  const findings: Message[] = [];
  const bySection = new Map<string, Conversion[]>();
  for (const c of conversions) {
    if (c.removed) continue;
    const sections = new Set(c.overrides.map((o) => sectionOf(o.key)).filter((s): s is string => !!s));
    for (const s of sections) bySection.set(s, [...(bySection.get(s) ?? []), c]);
  }
  if (bySection.size === 0) return { conversions, findings };
  const replaced = new Map<Conversion, Conversion>();
  for (const [section, convs] of bySection) {
    const sorted = [...convs].sort((a, b) => a.occurrence.start - b.occurrence.start);
    const paths = new Set(sorted.map((c) => c.occurrence.segment.branchPath));
    if (paths.size > 1) {
      for (const c of sorted) replaced.set(c, removed(c.occurrence, `${section} is None in the recipe and must be set as one whole-section dict, but its flags are set in different branches; set ++${section}={_target_:...} by hand`, 'error', c.entry));
      continue;
    }
    const fields = sorted.flatMap((c) => c.overrides.filter((o) => sectionOf(o.key) === section));
    const [first, ...rest] = sorted;
    const others = first.overrides.filter((o) => sectionOf(o.key) !== section);
    replaced.set(first, { ...first, overrides: [...others, { key: `++${section}`, value: dictValue(section, fields) }] });
    for (const c of rest) {
      const keep = c.overrides.filter((o) => sectionOf(o.key) !== section);
      replaced.set(c, keep.length ? { ...c, overrides: keep } : removed(c.occurrence, `folded into ++${section} (line ${first.occurrence.line})`, 'folded', c.entry));
    }
    findings.push(note(`${section} is None in the recipe: its settings are written as one ++${section}={_target_:...} dict`));
  }
  return { conversions: conversions.map((c) => replaced.get(c) ?? c), findings };
}
