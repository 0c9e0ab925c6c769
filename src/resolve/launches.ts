/**
 * Finds Megatron-LM training launches: a command one of whose words names a `pretrain_*.py`
 * entrypoint, started directly, under torchrun / python -m torch.distributed.* / srun / deepspeed /
 * mpirun, behind env-var prefixes, or inside `bash -c "..."`.
 */
import type { Node } from '../parse/parser.js';
import { parseBash } from '../parse/parser.js';
import { wordParts } from '../parse/words.js';
import type { WordContext } from './types.js';
import type { ScriptIndex } from './script-index.js';

export type EntryFamily = 'gpt' | 'mamba' | 'unsupported';

export interface Launch {
  command: Node;
  /** Command name and arguments, in order. */
  words: Node[];
  entryIndex: number;
  entryName: string;
  family: EntryFamily;
  /** The launcher as the user would name it (torchrun, srun, python -m torch.distributed.launch ...). */
  launcher: string;
  statementStart: number;
  branchPath: string;
  /** How replacement text must be written for words of this command. */
  ctx: WordContext;
  /** Source text that node offsets refer to (the file, or the file with all but a `bash -c` body blanked). */
  source: string;
}

const ENTRY = /(?:^|\/)(pretrain_[A-Za-z0-9_]+\.py)$/;

export function entryFamily(name: string): EntryFamily {
  if (/^pretrain_gpt(_[a-z0-9_]+)?\.py$/.test(name)) return 'gpt';
  if (/^pretrain_(mamba|hybrid)(_[a-z0-9_]+)?\.py$/.test(name)) return 'mamba';
  return 'unsupported';
}

function trailingLiteral(node: Node, source: string): string {
  const parts = wordParts(node, source);
  const last = parts[parts.length - 1];
  return last && last.kind === 'lit' ? last.text : '';
}

export function commandWords(command: Node): Node[] {
  const words: Node[] = [];
  const name = command.childForFieldName('name');
  if (name) words.push(name.namedChildren[0] ?? name);
  for (const arg of command.childrenForFieldName('argument')) if (arg) words.push(arg);
  return words;
}

function basename(text: string): string {
  return text.slice(text.lastIndexOf('/') + 1);
}

function describeLauncher(words: Node[], entryIndex: number, source: string): string {
  if (entryIndex === 0) return 'direct';
  const texts = words.slice(0, entryIndex).map((w) => source.slice(w.startIndex, w.endIndex));
  const first = basename(texts[0]);
  if (/^python[0-9.]*$/.test(first)) {
    const m = texts.indexOf('-m');
    if (m !== -1 && texts[m + 1]) return `python -m ${texts[m + 1]}`;
    return 'python';
  }
  return first;
}

function findEntry(words: Node[], source: string, extra: string[]): { index: number; name: string } | undefined {
  for (let i = 0; i < words.length; i++) {
    const tail = trailingLiteral(words[i], source);
    const m = ENTRY.exec(tail);
    if (m) return { index: i, name: m[1] };
    const base = basename(tail);
    if (extra.includes(base)) return { index: i, name: base };
  }
  return undefined;
}

/** `bash -c "..."` / `sh -c '...'`: the string argument that holds code, if it names an entrypoint. */
function innerCode(words: Node[], source: string, extra: string[]): Node | undefined {
  for (let i = 0; i + 2 < words.length + 1; i++) {
    const w = words[i];
    if (!w) continue;
    const name = basename(source.slice(w.startIndex, w.endIndex));
    if (!/^(ba|z|da)?sh$/.test(name)) continue;
    const flag = words[i + 1];
    const code = words[i + 2];
    if (!flag || !code) continue;
    if (!/^-[a-z]*c[a-z]*$/.test(source.slice(flag.startIndex, flag.endIndex))) continue;
    if ((code.type === 'string' || code.type === 'raw_string') && (/pretrain_[A-Za-z0-9_]+\.py/.test(code.text) || extra.some((e) => code.text.includes(e)))) return code;
  }
  return undefined;
}

function maskOutside(source: string, start: number, end: number): string {
  return source.slice(0, start).replace(/[^\n]/g, ' ') + source.slice(start, end) + source.slice(end).replace(/[^\n]/g, ' ');
}

export interface LaunchScan {
  launches: Launch[];
  /** Problems that prevent migrating a launch, with the offset they refer to. */
  problems: Array<{ offset: number; message: string }>;
}

export function findLaunches(index: ScriptIndex, source: string, trees: Array<{ delete(): void }> = [], extraEntrypoints: string[] = []): LaunchScan {
  const launches: Launch[] = [];
  const problems: LaunchScan['problems'] = [];
  for (const cmd of index.commands) {
    const words = commandWords(cmd.node);
    const entry = findEntry(words, source, extraEntrypoints);
    if (entry) {
      launches.push({
        command: cmd.node,
        words,
        entryIndex: entry.index,
        entryName: entry.name,
        family: extraEntrypoints.includes(entry.name) ? 'gpt' : entryFamily(entry.name),
        launcher: describeLauncher(words, entry.index, source),
        statementStart: cmd.statementStart,
        branchPath: cmd.branchPath,
        ctx: 'word',
        source,
      });
      continue;
    }
    const code = innerCode(words, source, extraEntrypoints);
    if (!code) continue;
    const quoted = code.type === 'string';
    const start = code.startIndex + 1;
    const end = code.endIndex - 1;
    const body = source.slice(start, end);
    if (quoted && /\\"/.test(body)) {
      problems.push({ offset: code.startIndex, message: 'the `bash -c` string contains escaped double quotes; migrate it by hand or move the command out of the string' });
      continue;
    }
    const masked = maskOutside(source, start, end);
    const tree = parseBash(masked);
    trees.push(tree);
    {
      const innerCommands: Node[] = [];
      const visit = (n: Node) => {
        if (n.type === 'command') innerCommands.push(n);
        for (const c of n.namedChildren) if (c) visit(c);
      };
      visit(tree.rootNode);
      for (const inner of innerCommands) {
        const iw = commandWords(inner);
        const ie = findEntry(iw, masked, extraEntrypoints);
        if (!ie) continue;
        launches.push({
          command: inner,
          words: iw,
          entryIndex: ie.index,
          entryName: ie.name,
          family: extraEntrypoints.includes(ie.name) ? 'gpt' : entryFamily(ie.name),
          launcher: `${describeLauncher(words, words.indexOf(code) - 1, source)} bash -c`,
          statementStart: cmd.statementStart,
          branchPath: cmd.branchPath,
          ctx: quoted ? 'dq-code' : 'sq-code' as WordContext,
          source: masked,
        });
      }
    }
  }
  return { launches, problems };
}
