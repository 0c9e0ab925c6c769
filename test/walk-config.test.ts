/**
 * Walking a repository (.gitignore, --ignore globs, symlinks, shebang detection) and the config file
 * (validation errors point at the key; mappings and settings take effect).
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { walk } from '../src/files/walk.js';
import { parseConfig, ConfigError } from '../src/cli/config.js';

const BIN = join(import.meta.dirname, '..', 'bin', 'bridge-migrate.js');
const LAUNCH = '#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 2 --hidden-size 64 --num-attention-heads 2 --mock-data\n';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'bm-walk-'));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(join(root, p, '..'), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const rel = (root: string, files: string[]) => files.map((f) => relative(root, f)).sort();

describe('walk', () => {
  it('finds scripts by extension and shebang, skips hidden folders and node_modules', () => {
    const root = tree({
      'a.sh': LAUNCH,
      'b.slurm': LAUNCH,
      'c.sbatch': LAUNCH,
      'd.bash': LAUNCH,
      'run_training': LAUNCH,
      'notes.txt': LAUNCH,
      'tool.py': 'print(1)\n',
      'noshebang': 'torchrun pretrain_gpt.py\n',
      '.hidden/x.sh': LAUNCH,
      'node_modules/pkg/y.sh': LAUNCH,
      'deep/er/z.sh': LAUNCH,
    });
    expect(rel(root, walk([root]).files)).toEqual(['a.sh', 'b.slurm', 'c.sbatch', 'd.bash', 'deep/er/z.sh', 'run_training']);
  });

  it('honours .gitignore files at every level and above the given folder, and --ignore globs', () => {
    const root = tree({
      '.git/HEAD': 'ref: refs/heads/main\n',
      '.gitignore': 'build/\n*.tmp.sh\n',
      'scripts/.gitignore': 'old_*.sh\n!old_keep.sh\n',
      'scripts/train.sh': LAUNCH,
      'scripts/old_a.sh': LAUNCH,
      'scripts/old_keep.sh': LAUNCH,
      'scripts/x.tmp.sh': LAUNCH,
      'scripts/legacy/l.sh': LAUNCH,
      'build/gen.sh': LAUNCH,
    });
    expect(rel(root, walk([root]).files)).toEqual(['scripts/legacy/l.sh', 'scripts/old_keep.sh', 'scripts/train.sh']);
    // walking a subfolder still applies the repository root's .gitignore
    expect(rel(root, walk([join(root, 'scripts')]).files)).toEqual(['scripts/legacy/l.sh', 'scripts/old_keep.sh', 'scripts/train.sh']);
    expect(rel(root, walk([root], { ignore: ['legacy/'] }).files)).toEqual(['scripts/old_keep.sh', 'scripts/train.sh']);
    expect(rel(root, walk([root], { ignore: ['**/train.sh'] }).files)).toEqual(['scripts/legacy/l.sh', 'scripts/old_keep.sh']);
  });

  it('follows symlinks only inside the given roots, each real file once, and survives loops', () => {
    const outside = tree({ 'ext.sh': LAUNCH });
    const root = tree({ 'in/a.sh': LAUNCH });
    symlinkSync(join(outside, 'ext.sh'), join(root, 'in', 'link-out.sh'));
    symlinkSync(join(root, 'in', 'a.sh'), join(root, 'in', 'link-in.sh'));
    symlinkSync(join(root, 'in'), join(root, 'in', 'loop'));
    symlinkSync(join(root, 'missing.sh'), join(root, 'dangling.sh'));
    const found = rel(root, walk([root]).files);
    expect(found).toEqual(['in/a.sh']);
    expect(walk([root]).problems).toEqual([]);
  });

  it('reports missing paths and keeps going', () => {
    const root = tree({ 'a.sh': LAUNCH });
    const r = walk([join(root, 'nope'), root]);
    expect(rel(root, r.files)).toEqual(['a.sh']);
    expect(r.problems).toEqual([{ path: join(root, 'nope'), message: 'no such file or directory' }]);
  });
});

describe('config file', () => {
  const bad = (text: string) => {
    try {
      parseConfig('bridge-migrate.config.json', text);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    throw new Error('no error');
  };

  it('points at the offending key', () => {
    expect(bad('{"recipie": "x"}')).toBe('bridge-migrate.config.json: recipie: unknown key (known: recipe, bridgeRoot, pinDefaults, entrypoints, ignore, mappings)');
    expect(bad('{"mappings": {"--x": {"arity": 1, "convert": "passs", "keys": ["model.a"]}}}')).toBe(
      'bridge-migrate.config.json: mappings["--x"].convert: must be one of pass, true, false, list, rename, const, drop, launcher',
    );
    expect(bad('{"mappings": {"--x": {"arity": 1, "convert": "pass", "keys": ["model"]}}}')).toBe(
      'bridge-migrate.config.json: mappings["--x"].keys[0]: "model" is not a Bridge config key (like "model.num_layers")',
    );
    expect(bad('{"mappings": {"--x": {"arity": 4, "convert": "drop"}}}')).toBe('bridge-migrate.config.json: mappings["--x"].arity: must be one of 0, 1, 2, 3, "?", "*", "+"');
    expect(bad('{"entrypoints": ["train"]}')).toBe('bridge-migrate.config.json: entrypoints[0]: "train" must be a script file name such as "train_gpt_fork.py"');
    expect(bad('{"pinDefaults": "no"}')).toBe('bridge-migrate.config.json: pinDefaults: must be true or false');
    expect(bad('{oops')).toMatch(/^bridge-migrate\.config\.json: not valid JSON: /);
  });

  it('applies settings and fork mappings through the CLI, and a bad file stops the run with exit 2', () => {
    const root = tree({
      'train.sh': '#!/bin/bash\ntorchrun train_gpt_fork.py --num-layers 2 --hidden-size 64 --num-attention-heads 2 --mock-data --fork-width 7 --fork-noise\n',
      'bridge-migrate.config.json': JSON.stringify({
        entrypoints: ['train_gpt_fork.py'],
        bridgeRoot: '/srv/bridge',
        pinDefaults: false,
        mappings: {
          '--fork-width': { arity: 1, valueType: 'int', keys: ['model.kv_channels'], convert: 'pass' },
          '--fork-noise': { arity: 0, convert: 'drop', reason: 'fork-only debugging switch' },
        },
      }),
    });
    const run = spawnSync('node', [BIN, '--write', 'train.sh'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(readFileSync(join(root, 'train.sh'), 'utf8')).toBe(
      '#!/bin/bash\n' +
        '# bridge-migrate: warning: removed `--fork-noise` (line 2): fork-only debugging switch\n' +
        'torchrun /srv/bridge/scripts/training/run_recipe.py --recipe vanilla_gpt_pretrain_config --dataset mock model.num_layers=2 model.hidden_size=64 model.num_attention_heads=2 dataset.mock=true model.kv_channels=7\n',
    );
    writeFileSync(join(root, 'bridge-migrate.config.json'), '{"mappings": {"--y": {"arity": 1, "convert": "nope"}}}');
    const broken = spawnSync('node', [BIN, 'train.sh'], { cwd: root, encoding: 'utf8' });
    expect(broken.status).toBe(2);
    expect(broken.stderr).toBe('bridge-migrate: bridge-migrate.config.json: mappings["--y"].convert: must be one of pass, true, false, list, rename, const, drop, launcher\n');
  });
});
