/**
 * Array elements joined into a launch string that eval runs: the word eval's parse makes of an
 * element's value (quotes and escapes removed then), and the elements it cannot read exactly.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { ready, run } from './helpers/core.js';
import { codeWordOf } from '../src/resolve/code-element.js';

beforeAll(ready);

describe('codeWordOf: one code word, quotes and escapes removed', () => {
  const cases: Array<[string, string | undefined]> = [
    ["'([0]*2+[1]*6)'", '([0]*2+[1]*6)'],
    ['E\\|t*4\\|L', 'E|t*4|L'],
    ['"90,8,2"', '90,8,2'],
    ["'/tmp/tb runs'", '/tmp/tb runs'],
    ["pre'fix'\"ed\"", 'prefixed'],
    ['M-*-M-*-', 'M-*-M-*-'],
    // more than one word, operators, expansions, blanks eval would collapse, brace and tilde expansion
    ["'a' b", undefined],
    ['a|b', undefined],
    ['(a)', undefined],
    ["'$HOME'", undefined],
    ["'a  b'", undefined],
    ['{a,b}', undefined],
    ['~/x', undefined],
    ['x>y', undefined],
    ["'open", undefined],
    ['', undefined],
  ];
  for (const [value, word] of cases) {
    it(JSON.stringify(value), () => {
      expect(codeWordOf(value)).toBe(word);
    });
  }
});

describe('arrays in an eval-run launch string', () => {
  const script = (element: string) => `#!/bin/bash
ARGS=(--num-layers 2 ${element})
cmd="torchrun pretrain_gpt.py \${ARGS[@]} --mock-data"
eval $cmd
`;
  it('an element whose blank is outside quotes blocks the array (eval splits it)', () => {
    const { report } = run(script('--wandb-exp-name="a b"'), { pinDefaults: false });
    const launch = report.launches[0];
    expect(launch.verdict).toBe('blocked');
    expect(launch.findings.filter((f) => f.severity === 'error').map((f) => `${f.line}: ${f.message}`)).toEqual([
      '2: array ARGS is expanded inside a string that bash reads as code, and its elements hold quotes, escapes or operators (or the string is single-quoted); not migrated',
    ]);
  });
  it('an element with inner quotes is the one word eval gives', () => {
    const { output, report } = run(script(`--wandb-exp-name "'a b'"`), { pinDefaults: false });
    expect(output.split('\n')[1]).toBe(`ARGS=(model.num_layers=2 "\\"logger.wandb_exp_name='a b'\\"")`);
    expect(report.launches[0].overrides.map((o) => `${o.key}=${o.value}`)).toEqual(['model.num_layers=2', "logger.wandb_exp_name='a b'", 'dataset.mock=true']);
  });
});
