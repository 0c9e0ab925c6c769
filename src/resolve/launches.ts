/**
 * Finds Megatron-LM training launches: a command one of whose words names a `pretrain_*.py`
 * entrypoint (literally, with any path or variable before it, or through a variable that holds the
 * script name), started directly, under torchrun / python -m torch.distributed.* / srun / deepspeed
 * / mpirun, behind env-var prefixes, inside `bash -c "..."`, or kept in a string variable that is
 * run later (`sh -c "$CMD"`, `eval $CMD`, `$CMD`).
 */
import type { Node } from '../parse/parser.js';
import { parseBash } from '../parse/parser.js';
import { splitDqString, wordParts, wordToken } from '../parse/words.js';
import type { Token, WordContext } from './types.js';
import type { Assignment, ScriptIndex } from './script-index.js';

export type EntryFamily = 'gpt' | 'mamba' | 'unsupported';

/** A word as written: its span and source text. */
export interface Span {
  start: number;
  end: number;
  text: string;
}

export interface Launch {
  /** Span of the whole command (or of the string that holds it). */
  start: number;
  end: number;
  /** The entrypoint word, replaced by run_recipe.py. */
  entry: Span;
  entryName: string;
  family: EntryFamily;
  /** The launcher as the user would name it (torchrun, srun, python -m torch.distributed.launch ...). */
  launcher: string;
  /** Words before the entrypoint. */
  launcherWords: Span[];
  /** Megatron-LM arguments after the entrypoint. */
  args: Token[];
  /** A second entrypoint word among the arguments (a command that starts two scripts). */
  secondEntry?: Span;
  /** More arguments appended later to the string variable that holds the launch (`CMD+=" --x"`). */
  appends?: Array<{ tokens: Token[]; statementStart: number; branchPath: string; variable: string }>;
  statementStart: number;
  branchPath: string;
  /** How replacement text must be written for words of this command. */
  ctx: WordContext;
  /** Source text that node offsets refer to (the file, or the file with all but a code string blanked). */
  source: string;
}

const ENTRY = /(?:^|\/)(pretrain_[A-Za-z0-9_]+\.py)$/;
const ENTRY_ANYWHERE = /pretrain_[A-Za-z0-9_]+\.py/;

/**
 * The model family of an entrypoint. Bridge has GPT-style decoder recipes (GPT, Llama, Qwen,
 * Mistral ... and the forks' pretrain_<model>.py scripts built on pretrain_gpt.py) and hybrid Mamba
 * recipes; encoder, encoder-decoder, retrieval and vision entrypoints have no recipe family.
 */
export function entryFamily(name: string): EntryFamily {
  const stem = name.replace(/^pretrain_/, '').replace(/\.py$/, '').toLowerCase();
  if (/(^|_)(bert|t5|retro|ict|vision|vit|vlm|llava|multimodal|clip|dino|swin|mae|biencoder|realm|img|image|audio|whisper)(_|\d|$)/.test(stem)) return 'unsupported';
  if (/(^|_)(mamba|hybrid)(_|\d|$)/.test(stem)) return 'mamba';
  return 'gpt';
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

function describeLauncher(texts: string[]): string {
  if (texts.length === 0) return 'direct';
  const first = basename(texts[0]);
  if (/^python[0-9.]*$/.test(first)) {
    const m = texts.indexOf('-m');
    if (m !== -1 && texts[m + 1]) return `python -m ${texts[m + 1]}`;
    return 'python';
  }
  return first;
}

interface Finder {
  index: ScriptIndex;
  source: string;
  extra: string[];
}

/** Entry name of a token: a literal ending in an entrypoint, or a variable that only holds one. */
function entryOf(token: Token, f: Finder): string | undefined {
  const last = token.parts[token.parts.length - 1];
  if (last && last.kind === 'lit') {
    const m = ENTRY.exec(last.text);
    if (m) return m[1];
    if (f.extra.includes(basename(last.text))) return basename(last.text);
  }
  if (token.parts.length === 1 && last?.kind === 'exp' && last.name) {
    const list = f.index.assignments.get(last.name);
    if (!list?.length) return undefined;
    const names = new Set<string>();
    for (const a of list) {
      if (!a.value || a.append) return undefined;
      const parts = wordParts(a.value, f.source);
      const text = parts.length === 1 && parts[0].kind === 'lit' ? parts[0].text : undefined;
      const m = text === undefined ? null : ENTRY.exec(text);
      if (!m) return undefined;
      names.add(m[1]);
    }
    const families = new Set([...names].map(entryFamily));
    if (families.size !== 1) return undefined;
    return [...names][0];
  }
  return undefined;
}

function familyOf(name: string, f: Finder): EntryFamily {
  return f.extra.includes(name) ? 'gpt' : entryFamily(name);
}

/** A launch from a list of tokens (a command's words or the words of a string). */
function launchFrom(tokens: Token[], f: Finder, base: Omit<Launch, 'entry' | 'entryName' | 'family' | 'launcher' | 'launcherWords' | 'args'>, sourceText: string, prefix = ''): Launch | undefined {
  for (let i = 0; i < tokens.length; i++) {
    const name = entryOf(tokens[i], f);
    if (!name) continue;
    const span = (t: Token): Span => ({ start: t.start, end: t.end, text: sourceText.slice(t.start, t.end) });
    const launcherWords = tokens.slice(0, i).map(span);
    const second = tokens.slice(i + 1).find((t) => entryOf(t, f) !== undefined);
    return {
      secondEntry: second ? span(second) : undefined,
      ...base,
      entry: span(tokens[i]),
      entryName: name,
      family: familyOf(name, f),
      launcher: `${prefix}${describeLauncher(launcherWords.map((w) => w.text))}`,
      launcherWords,
      args: tokens.slice(i + 1),
    };
  }
  return undefined;
}

/** `bash -c "..."` / `sh -c '...'`: the string argument that holds code. */
function innerCode(words: Node[], source: string): Node | undefined {
  for (let i = 0; i + 2 < words.length + 1; i++) {
    const w = words[i];
    if (!w) continue;
    if (!/^(ba|z|da)?sh$/.test(basename(source.slice(w.startIndex, w.endIndex)))) continue;
    const flag = words[i + 1];
    const code = words[i + 2];
    if (!flag || !code) continue;
    if (!/^-[a-z]*c[a-z]*$/.test(source.slice(flag.startIndex, flag.endIndex))) continue;
    if (code.type === 'string' || code.type === 'raw_string') return code;
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

/**
 * How a string variable that holds a launch is run: as code (`sh -c "... $X ..."`, `eval $X`: the
 * value is parsed again) or as split words (`$X args`, `srun $X`, `bash -c '... $X ...'` where the
 * inner shell expands it). Code wins when both occur (an `echo $X` next to `eval $X`).
 */
function stringUse(name: string, index: ScriptIndex, source: string): { use?: 'code' | 'split'; companions: Set<string> } {
  let use: 'code' | 'split' | undefined;
  const companions = new Set<string>();
  const ref = new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`);
  const isRef = (n: Node) => {
    const parts = wordParts(n, source);
    return parts.some((p) => p.kind === 'exp' && p.name === name);
  };
  const noteCompanions = (text: string) => {
    for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (m[1] !== name) companions.add(m[1]);
  };
  for (const cmd of index.commands) {
    const words = commandWords(cmd.node);
    if (words.length === 0) continue;
    const first = source.slice(words[0].startIndex, words[0].endIndex);
    const code = innerCode(words, source);
    const before = use;
    if (code && ref.test(code.text)) {
      if (code.type === 'string') use = 'code';
      else use = use ?? 'split';
      noteCompanions(code.text);
    } else if (first === 'eval' && words.slice(1).some(isRef)) use = 'code';
    else if (first !== 'echo' && first !== 'printf' && words.some((w) => w.type !== 'string' && isRef(w))) use = use ?? 'split';
    if (use !== before || (code && ref.test(code.text))) noteCompanions(source.slice(cmd.node.startIndex, cmd.node.endIndex));
  }
  return { use, companions };
}

/** stringUse, or the use of a string variable that embeds this one (`command="$command $X"`). */
function transitiveUse(name: string, index: ScriptIndex, source: string, depth = 0): ReturnType<typeof stringUse> {
  const direct = stringUse(name, index, source);
  if (direct.use || depth >= 3) return direct;
  const ref = new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`);
  for (const [other, list] of index.assignments) {
    if (other === name) continue;
    if (!list.some((a) => a.value?.type === 'string' && ref.test(a.value.text))) continue;
    const outer = transitiveUse(other, index, source, depth + 1);
    if (outer.use) return { use: outer.use, companions: new Set([...direct.companions, ...outer.companions]) };
  }
  return direct;
}

/** `torch.distributed.launch` (and `--use_env`) inside launcher variables that run with a launch. */
function launcherFixes(names: Set<string>, index: ScriptIndex, source: string): Span[] {
  const out: Span[] = [];
  for (const n of names) {
    for (const a of index.assignments.get(n) ?? []) {
      const v = a.value;
      if (!v || (v.type !== 'string' && v.type !== 'raw_string')) continue;
      const text = source.slice(v.startIndex, v.endIndex);
      for (const m of text.matchAll(/torch\.distributed\.launch\b|--use[_-]env\b/g)) {
        out.push({ start: v.startIndex + m.index!, end: v.startIndex + m.index! + m[0].length, text: m[0] });
      }
    }
  }
  return out;
}

export function findLaunches(index: ScriptIndex, source: string, trees: Array<{ delete(): void }> = [], extraEntrypoints: string[] = []): LaunchScan {
  const f: Finder = { index, source, extra: extraEntrypoints };
  const launches: Launch[] = [];
  const problems: LaunchScan['problems'] = [];

  const scanCode = (start: number, end: number, quoted: boolean, at: { statementStart: number; branchPath: string }, prefix: string) => {
    const body = source.slice(start, end);
    if (quoted && /\\"/.test(body)) {
      problems.push({ offset: start, message: 'the command string contains escaped double quotes; migrate it by hand or move the command out of the string' });
      return;
    }
    const masked = maskOutside(source, start, end);
    const tree = parseBash(masked);
    trees.push(tree);
    const ctx: WordContext = quoted ? 'dq-code' : 'sq-code';
    const visit = (n: Node) => {
      if (n.type === 'command') {
        const launch = launchFrom(
          commandWords(n).map((w) => wordToken(w, masked, ctx)),
          f,
          { start: n.startIndex, end: n.endIndex, statementStart: at.statementStart, branchPath: at.branchPath, ctx, source: masked },
          masked,
          prefix,
        );
        if (launch) launches.push(launch);
      }
      for (const c of n.namedChildren) if (c) visit(c);
    };
    visit(tree.rootNode);
  };

  for (const cmd of index.commands) {
    const words = commandWords(cmd.node);
    const launch = launchFrom(
      words.map((w) => wordToken(w, source, 'word')),
      f,
      { start: cmd.node.startIndex, end: cmd.node.endIndex, statementStart: cmd.statementStart, branchPath: cmd.branchPath, ctx: 'word', source },
      source,
    );
    const code = innerCode(words, source);
    if (launch) {
      // `sh -c "... pretrain_gpt.py ..." ... pretrain_gpt.py`: two launches in one command (the
      // words after the code are the inner shell's $0, $1 ...); reported, not half migrated.
      if (!launch.secondEntry && code && ENTRY_ANYWHERE.test(code.text)) launch.secondEntry = { start: code.startIndex, end: code.endIndex, text: code.text };
      launches.push(launch);
      continue;
    }
    if (code && ENTRY_ANYWHERE.test(code.text)) {
      const before = words.slice(0, words.indexOf(code) - 1).map((w) => source.slice(w.startIndex, w.endIndex));
      scanCode(code.startIndex + 1, code.endIndex - 1, code.type === 'string', cmd, `${describeLauncher(before)} `);
    }
  }

  // Launch commands kept in string variables and run later.
  for (const [name, list] of index.assignments) {
    for (const a of list as Assignment[]) {
      const v = a.value;
      if (!v || (v.type !== 'string' && v.type !== 'raw_string') || !ENTRY_ANYWHERE.test(v.text)) continue;
      const { use, companions } = transitiveUse(name, index, source);
      if (!use) continue;
      const appends = list
        .filter((b) => b !== a && b.value?.type === 'string' && (b.append || new RegExp(`\\$\\{?${name}\\b`).test(b.value.text)))
        .map((b) => ({
          tokens: splitDqString(b.value!, source, use === 'code' ? 'dq-code' : 'dq-split').filter((t) => !(t.parts.length === 1 && t.parts[0].kind === 'exp' && t.parts[0].name === name)),
          statementStart: b.statementStart,
          branchPath: b.branchPath,
          variable: name,
        }));
      const fixes = launcherFixes(companions, index, source);
      if (use === 'code') {
        const n = launches.length;
        scanCode(v.startIndex + 1, v.endIndex - 1, v.type === 'string', a, `$${name}: `);
        for (const l of launches.slice(n)) {
          l.launcherWords.push(...fixes);
          l.appends = appends;
        }
      } else if (v.type === 'string') {
        const launch = launchFrom(
          splitDqString(v, source, 'dq-split'),
          f,
          { start: v.startIndex, end: v.endIndex, statementStart: a.statementStart, branchPath: a.branchPath, ctx: 'dq-split', source },
          source,
          `$${name}: `,
        );
        if (launch) {
          launch.launcherWords.push(...fixes);
          launch.appends = appends;
          launches.push(launch);
        }
      }
    }
  }
  launches.sort((x, y) => x.start - y.start);
  return { launches, problems };
}
