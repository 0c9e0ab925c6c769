/** Value converters: argv words of a flag -> typed Hydra values. */
import type { Token } from '../resolve/types.js';
import { staticParts } from '../parse/words.js';
import type { ValueType } from './types.js';
import type { HydraValue } from './hydra.js';
import { floatText, intText } from './hydra.js';
import { evaluateLayerPattern } from './layer-pattern.js';

export class ValueError extends Error {}

/** One argv word as a Hydra value of the flag's type. */
export function typedValue(token: Token, type: ValueType | undefined, flag: string): HydraValue {
  const s = staticParts(token.parts);
  switch (type) {
    case 'int': {
      if (s === undefined) return { kind: 'num', parts: token.parts, float: false };
      const t = intText(s);
      if (t === undefined) throw new ValueError(`${flag} expects an integer, got "${s}"`);
      return { kind: 'raw', text: t };
    }
    case 'float': {
      if (s === undefined) return { kind: 'num', parts: token.parts, float: true };
      const t = floatText(s);
      if (t === undefined) throw new ValueError(`${flag} expects a number, got "${s}"`);
      return { kind: 'raw', text: t };
    }
    case 'layer-pattern': {
      if (s === undefined) return { kind: 'num', parts: token.parts, float: false };
      if (!s.includes('[')) return typedValue(token, 'int', flag);
      const layers = evaluateLayerPattern(s);
      if (!layers) throw new ValueError(`${flag} ${s} is not a list expression bridge-migrate can read (integers in [...], + and * by an integer); write it as a Hydra list (model.moe_layer_freq=[0,1,...]) by hand`);
      return { kind: 'list', items: layers.map((layer) => ({ kind: 'raw' as const, text: String(layer) })) };
    }
    case 'bool': {
      if (s === undefined) return { kind: 'num', parts: token.parts, float: false };
      const l = s.toLowerCase();
      if (['true', '1', 'yes'].includes(l)) return { kind: 'raw', text: 'true' };
      if (['false', '0', 'no'].includes(l)) return { kind: 'raw', text: 'false' };
      throw new ValueError(`${flag} expects true or false, got "${s}"`);
    }
    default:
      return { kind: 'str', parts: token.parts };
  }
}

/** Static text of a token, if it has no expansion. */
export function tokenText(token: Token): string | undefined {
  return staticParts(token.parts);
}
