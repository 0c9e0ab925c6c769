/**
 * Whether a launch of a `pretrain_*.py` entrypoint is a Megatron-LM training run: another trainer
 * that happens to be named so (NeMo-style `--tensor_parallel_size`, Hydra `trainer.devices=8`) is
 * recognised by how few of its arguments are Megatron-LM flags, and a run that only converts a
 * checkpoint (`--ckpt-convert-format`) trains nothing.
 */
import { leadingLiteral } from '../parse/words.js';
import type { FlagTable } from '../mapping/table.js';
import type { FlagOccurrence, Token } from './types.js';

export type LaunchKind = { kind: 'training' } | { kind: 'not-megatron' | 'conversion'; reason: string };

/** Below this share of Megatron-LM flags among the written arguments, it is another trainer. */
const MIN_MEGATRON_SHARE = 0.5;

const CONVERSION_FLAG = '--ckpt-convert-format';

/** True when the table declares this exact spelling (argparse does not turn `_` into `-`). */
function declared(flag: string, table: FlagTable): boolean {
  const entry = table.lookup(flag);
  return !!entry && (entry.flag === flag || (entry.aliases ?? []).includes(flag));
}

export function launchKind(entry: string, occurrences: FlagOccurrence[], strays: Array<{ token: Token }>, table: FlagTable, text: string): LaunchKind {
  const convert = occurrences.find((o) => (table.lookup(o.flag)?.flag ?? o.flag) === CONVERSION_FLAG);
  if (convert) {
    const written = (o: FlagOccurrence) => text.slice(o.start, o.end).replace(/\\\n/g, ' ').replace(/\s+/g, ' ');
    const save = occurrences.find((o) => o.flag === '--ckpt-convert-save');
    return {
      kind: 'conversion',
      reason: `this ${entry} run only converts a checkpoint (\`${written(convert)}\`${save ? `, \`${written(save)}\`` : ''}): Megatron-LM loads it, saves it in the new format and exits without training, so it is not a training launch and is left as it is (Bridge accepts checkpoint.ckpt_convert_* but does not act on them: the run would train). Megatron Bridge converts checkpoints with its own tools: AutoBridge (megatron.bridge.AutoBridge: import_ckpt / export_ckpt between Hugging Face and Megatron checkpoints) and the scripts in examples/conversion/ of the Megatron Bridge repository (convert_checkpoints.py)`,
    };
  }
  const known = occurrences.filter((o) => declared(o.flag, table));
  const undeclared = occurrences.filter((o) => !declared(o.flag, table));
  const unknown = [
    ...undeclared.map((o) => o.flag),
    // An undeclared flag takes every word up to the next flag: Hydra-style words among them count too.
    ...undeclared.flatMap((o) => o.values.map(leadingLiteral).filter((w) => /^[+~]*[A-Za-z_][\w.]*=/.test(w))),
    // Words that are no flag's value and are written out (Hydra-style `trainer.devices=8`).
    ...strays.filter((s) => s.token.parts.length === 1 && leadingLiteral(s.token) !== '').map((s) => leadingLiteral(s.token)),
  ];
  const total = known.length + unknown.length;
  if (total === 0 || known.length / total >= MIN_MEGATRON_SHARE) return { kind: 'training' };
  const shown = [...new Set(unknown)];
  return {
    kind: 'not-megatron',
    reason: `not a Megatron-LM launch: only ${known.length} of its ${total} arguments are Megatron-LM flags (not Megatron-LM's: ${shown.slice(0, 6).join(', ')}${shown.length > 6 ? ', ...' : ''}), so ${entry} here is another trainer; left as it is. If it is a Megatron-LM fork, declare its flags under "mappings" in bridge-migrate.config.json`,
  };
}
