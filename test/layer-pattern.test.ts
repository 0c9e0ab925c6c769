/** Megatron-LM's --moe-layer-freq list expressions, read without evaluating code. */
import { describe, it, expect } from 'vitest';
import { evaluateLayerPattern } from '../src/mapping/layer-pattern.js';

describe('evaluateLayerPattern', () => {
  it.each([
    ['([0]*3+[1]*2)', [0, 0, 0, 1, 1]],
    ['([1]*3+[0]*2)*2', [1, 1, 1, 0, 0, 1, 1, 1, 0, 0]],
    ['[0,1]*2', [0, 1, 0, 1]],
    ['2*[1]', [1, 1]],
    ['( [0] + [1] * 3 )', [0, 1, 1, 1]],
  ])('%s', (text, layers) => {
    expect(evaluateLayerPattern(text)).toEqual(layers);
  });
  it.each(['4', '[0]*x', '__import__("os")', '[0]+1', '([0]*3', '[0.5]*2', '[1]*1000000'])('refuses %s', (text) => {
    expect(evaluateLayerPattern(text)).toBeUndefined();
  });
});
