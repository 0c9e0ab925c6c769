/**
 * Hydra override values (Bridge parses overrides with Hydra's OverridesParser; see
 * bridge-notes.md section a). Values are built from argv parts (literals and shell expansions that
 * bash expands before Hydra sees them) and rendered as Hydra text, still as parts.
 */
import type { Part } from '../resolve/types.js';
import { staticParts } from '../parse/words.js';

export type HydraValue =
  /** Text that is already a valid Hydra value of the right type: 24, 3e-4, true, null, bf16_mixed. */
  | { kind: 'raw'; text: string }
  /** A value that must arrive in Python as a str. */
  | { kind: 'str'; parts: Part[] }
  /** A number whose text comes (partly) from shell expansions. */
  | { kind: 'num'; parts: Part[]; float: boolean }
  | { kind: 'list'; items: HydraValue[] };

export interface Override {
  key: string;
  value: HydraValue;
}

const HYDRA_INT = /^[+-]?(0|[1-9][0-9_]*)$/;
const HYDRA_FLOAT = /^[+-]?(([0-9][0-9_]*)?\.[0-9]+([eE][+-]?[0-9]+)?|[0-9][0-9_]*\.([eE][+-]?[0-9]+)?|[0-9][0-9_]*[eE][+-]?[0-9]+|inf|nan)$/i;
/** Characters Hydra allows in an unquoted string (interior spaces aside, which we never rely on). */
const HYDRA_BARE = /^[A-Za-z0-9_\-\/\\+.$%*@?|:]+$/;
const HYDRA_KEYWORD = /^(true|false|null)$/i;

export function isHydraInt(text: string): boolean {
  return HYDRA_INT.test(text);
}

export function isHydraFloat(text: string): boolean {
  return HYDRA_FLOAT.test(text);
}

/** Canonical Hydra int text for an argparse int literal, or undefined when it is not an int. */
export function intText(text: string): string | undefined {
  // Python's int() (argparse type=int) accepts `_` between digits: 126_953_125.
  const t = text.trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (!/^[+-]?\d+$/.test(t)) return undefined;
  const neg = t.startsWith('-');
  const digits = t.replace(/^[+-]/, '').replace(/^0+(?=\d)/, '');
  return (neg && digits !== '0' ? '-' : '') + digits;
}

/** Canonical Hydra float text for an argparse float literal (`0` -> `0.0`), or undefined. */
export function floatText(text: string): string | undefined {
  const t = text.trim().replace(/(?<=\d)_(?=\d)/g, '');
  if (/^[+-]?(inf|infinity|nan)$/i.test(t)) return t.toLowerCase().replace('infinity', 'inf');
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  if (/^[+-]?\d+$/.test(t)) return `${intText(t)}.0`;
  // `5.` and `1.e3` are valid Python floats; give Hydra a form it certainly reads as float.
  let out = t.replace(/^([+-]?)0+(?=\d)/, '$1').replace(/\.(?=[eE]|$)/, '.0');
  if (!HYDRA_FLOAT.test(out)) out = String(Number(t));
  return out;
}

/** True when a static string can be written without Hydra quotes and still arrive as that str. */
export function isBareHydraString(text: string): boolean {
  return (
    text.length > 0 &&
    HYDRA_BARE.test(text) &&
    !HYDRA_KEYWORD.test(text) &&
    !HYDRA_INT.test(text) &&
    !HYDRA_FLOAT.test(text) &&
    !text.includes('${')
  );
}

function lit(text: string): Part {
  return { kind: 'lit', text };
}

function quoteParts(parts: Part[], quote: "'" | '"'): Part[] {
  const out: Part[] = [lit(quote)];
  for (const p of parts) {
    if (p.kind === 'lit') out.push(lit(p.text.replace(/\\(?=\\*['"]|$)/g, '\\\\').split(quote).join(`\\${quote}`)));
    else out.push(p);
  }
  out.push(lit(quote));
  return out;
}

/** Renders a Hydra value as parts (literal Hydra text and shell expansions bash fills in). */
export function renderHydra(value: HydraValue, quote: "'" | '"' = "'"): Part[] {
  switch (value.kind) {
    case 'raw':
      return [lit(value.text)];
    case 'num':
      // Hydra reads `0` as an int and Bridge does not coerce: a float field gets float(...).
      return value.float ? mergeLits([lit('float('), ...value.parts, lit(')')]) : value.parts;
    case 'str': {
      const s = staticParts(value.parts);
      if (s !== undefined && isBareHydraString(s)) return [lit(s)];
      return quoteParts(value.parts, quote);
    }
    case 'list': {
      const out: Part[] = [lit('[')];
      value.items.forEach((item, i) => {
        if (i > 0) out.push(lit(','));
        out.push(...renderHydra(item, quote));
      });
      out.push(lit(']'));
      return mergeLits(out);
    }
  }
}

export function mergeLits(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'lit' && last && last.kind === 'lit') out[out.length - 1] = lit(last.text + p.text);
    else if (p.kind !== 'lit' || p.text !== '') out.push(p);
  }
  return out;
}

/** Flat text of parts, expansions written as their bash source (for reports). */
export function partsText(parts: Part[]): string {
  return parts.map((p) => p.text).join('');
}

/** The Hydra text of an override as a reader sees it (report, comments). */
export function overrideText(o: Override): string {
  return `${o.key}=${partsText(renderHydra(o.value))}`;
}
