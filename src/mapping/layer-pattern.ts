/**
 * Megatron-LM's `--moe-layer-freq` pattern (megatron/training/arguments.py moe_freq_type): an int,
 * or a Python list expression such as `([0]*3+[1]*58)` that it evaluates into one 0/1 per layer.
 * Only the expressions that make sense there are read: list literals of integers, `+` of lists,
 * `*` by an integer (either side), parentheses. Anything else is undefined (not guessed).
 */
export function evaluateLayerPattern(text: string): number[] | undefined {
  const source = text.replace(/\s+/g, '');
  let at = 0;
  const peek = () => source[at];
  const integer = (): number | undefined => {
    const match = /^\d+/.exec(source.slice(at));
    if (!match) return undefined;
    at += match[0].length;
    return Number(match[0]);
  };
  type Value = number[] | number;
  const factor = (): Value | undefined => {
    if (peek() === '(') {
      at++;
      const inner = sum();
      if (peek() !== ')') return undefined;
      at++;
      return inner;
    }
    if (peek() === '[') {
      at++;
      const items: number[] = [];
      while (peek() !== ']') {
        const item = integer();
        if (item === undefined) return undefined;
        items.push(item);
        if (peek() === ',') at++;
        else if (peek() !== ']') return undefined;
      }
      at++;
      return items;
    }
    return integer();
  };
  const product = (): Value | undefined => {
    let left = factor();
    while (left !== undefined && peek() === '*') {
      at++;
      const right = factor();
      if (right === undefined) return undefined;
      if (Array.isArray(left) && typeof right === 'number') left = Array.from({ length: right }, () => left as number[]).flat();
      else if (typeof left === 'number' && Array.isArray(right)) left = Array.from({ length: left }, () => right).flat();
      else if (typeof left === 'number' && typeof right === 'number') left = left * right;
      else return undefined;
      if (Array.isArray(left) && left.length > 100_000) return undefined;
    }
    return left;
  };
  const sum = (): Value | undefined => {
    let left = product();
    while (left !== undefined && peek() === '+') {
      at++;
      const right = product();
      if (right === undefined) return undefined;
      if (Array.isArray(left) && Array.isArray(right)) left = [...left, ...right];
      else if (typeof left === 'number' && typeof right === 'number') left = left + right;
      else return undefined;
    }
    return left;
  };
  const value = sum();
  return at === source.length && Array.isArray(value) ? value : undefined;
}
