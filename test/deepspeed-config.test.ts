/**
 * Reading a DeepSpeed config that the script writes (resolve/deepspeed-config.ts and
 * mapping/deepspeed-config.ts): what is read, and the exact reason when it is not.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { ready, run } from './helpers/core.js';

beforeAll(ready);

const LAUNCH = 'torchrun --nproc_per_node 2 pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 4 --micro-batch-size 1 --global-batch-size 8 --train-iters 10 --lr 1e-4 --mock-data --bf16 --deepspeed --deepspeed_config ds.json';

/** The --deepspeed_config finding of a script made of `before`, the launch, and `after`. */
function configFinding(before: string, after = ''): string {
  const { report } = run(`#!/bin/bash\n${before}\n${LAUNCH}\n${after}`, { pinDefaults: false });
  const launch = report.launches[0];
  const findings = launch.findings.filter((f) => f.message.includes('DeepSpeed config') || f.message.includes('--deepspeed_config'));
  return findings.map((f) => `${f.severity}: ${f.message}`).join('\n');
}

const heredoc = (body: string, delimiter = 'EOT') => `cat <<${delimiter} > ds.json\n${body}\n${delimiter.replace(/'/g, '')}`;
const BASE = '"train_batch_size": 8, "train_micro_batch_size_per_gpu": 1, "bf16": {"enabled": true}';

describe('DeepSpeed config written by the script', () => {
  it('reads a config whose settings Bridge can take', () => {
    expect(configFinding(heredoc(`{${BASE}, "gradient_clipping": 0.3}`))).toBe('note: read the DeepSpeed config written at line 2: gradient_clipping 0.3');
  });
  it('blocks gradient_accumulation_steps without train_batch_size', () => {
    expect(configFinding(heredoc('{"train_micro_batch_size_per_gpu": 1, "gradient_accumulation_steps": 4, "bf16": {"enabled": true}}'))).toContain('the config gives gradient_accumulation_steps but no train_batch_size');
  });
  it('blocks ZeRO-3, CPU offload and keys it does not know, naming each', () => {
    const finding = configFinding(heredoc(`{${BASE}, "zero_optimization": {"stage": 3}, "sparse_attention": {}, "my_setting": 1}`));
    expect(finding).toContain('error: removed `--deepspeed_config ds.json`: the DeepSpeed config written at line 2 has settings Bridge cannot take as they are: ');
    expect(finding).toContain('zero_optimization.stage is 3 (parameters sharded too)');
    expect(finding).toContain('sparse_attention has no Bridge counterpart');
    expect(finding).toContain('my_setting is not a setting bridge-migrate knows how to carry');
    expect(configFinding(heredoc(`{${BASE}, "zero_optimization": {"stage": 1, "offload_optimizer": {"device": "cpu"}}}`))).toContain('zero_optimization.offload_optimizer keeps optimizer state or parameters in CPU memory');
    expect(configFinding(heredoc(`{${BASE}, "zero_optimization": {"stage": 1, "offload_optimizer": {"device": "none"}}}`))).toMatch(/^note: read the DeepSpeed config/);
  });
  it('leaves a config unread, with the reason, when the script does not fix its text', () => {
    expect(configFinding(`${heredoc(`{${BASE}}`)}\necho '{}' > ds.json`)).toContain('cannot be read: line 5 also writes the file');
    expect(configFinding(`${heredoc(`{${BASE}}`)}\nsed -i s/8/16/ ds.json`)).toContain('cannot be read: line 5 also changes the file');
    expect(configFinding('', heredoc(`{${BASE}}`))).toContain('cannot be read: its here-document comes after the launch');
    expect(configFinding(`if [ -n "$X" ]; then\n${heredoc(`{${BASE}}`)}\nfi`)).toContain('cannot be read: its here-document is inside a branch (if/case/loop/function) that the launch is not in');
    expect(configFinding(heredoc(`{${BASE}, "steps_per_print": $(echo 10)}`))).toContain('cannot be read: `$(echo 10)` in it is not a plain variable reference');
    // With a quoted delimiter `$X` stays as written, which is not JSON.
    expect(configFinding(heredoc(`{${BASE}, "steps_per_print": $X}`, "'EOT'"))).toContain('cannot be read: its text is not valid JSON once the script\'s values are put in');
  });
  it('says which config is not read at all: a file the script does not write', () => {
    expect(configFinding('')).toContain('DeepSpeed JSON config from a file this script does not write');
  });
});
