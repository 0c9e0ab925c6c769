/**
 * Finds Megatron-LM training launches: a command one of whose words names a `pretrain_*.py`
 * entrypoint (literally, with any path or variable before it, or through a variable that holds the
 * script name), started directly, under torchrun / python -m torch.distributed.* / srun / deepspeed
 * / mpirun, behind env-var prefixes, inside `bash -c "..."`, or kept in a string variable that is
 * run later (`sh -c "$CMD"`, `eval $CMD`, `$CMD`).
 */
import type { Severity } from '../findings.js';
import type { Node } from '../parse/parser.js';
import { parseBash } from '../parse/parser.js';
import { splitDqString, wordParts, wordToken } from '../parse/words.js';
import type { Token, WordContext } from './types.js';
import { statementOf, type Assignment, type ScriptIndex } from './script-index.js';

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
  /**
   * The variable that holds the entrypoint's path, when the launch names it that way (`$SCRIPT`):
   * it stays a path (the script may test it), the launch word is rewritten instead.
   */
  entryVariable?: string;
  /** `[ -f "$SCRIPT" ]`-style tests of that variable: they still demand the Megatron-LM file. */
  entryGuards?: Span[];
  /** A second entrypoint word among the arguments (a command that starts two scripts). */
  secondEntry?: Span;
  /**
   * The line after the launch that looks like the rest of its arguments (`--flag ...`, or `$ARGS`
   * holding flags) but runs as a command of its own, because a newline ended the launch.
   */
  cutOff?: Span;
  /** More arguments appended later to the string variable that holds the launch (`CMD+=" --x"`). */
  appends?: Array<{ tokens: Token[]; statementStart: number; branchPath: string; variable: string }>;
  /**
   * A later `X=...$X...` whose added words cannot be read or edited in place: the launch is left as
   * it is (migrating the rest would send those words to run_recipe.py unmigrated).
   */
  unreadReassignment?: { offset: number; variable: string; message: string };
  statementStart: number;
  branchPath: string;
  /** How replacement text must be written for words of this command. */
  ctx: WordContext;
  /** Code read with its newlines as blanks (a string run by an unquoted `eval $X`). */
  joined?: boolean;
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

/**
 * The entrypoint a variable holds when every assignment of it is one word that ends in the same
 * family's entrypoint (`SCRIPT=pretrain_gpt.py`, `SCRIPT="${MEGATRON}/pretrain_gpt.py"`): a path,
 * not a command.
 */
function pathVariableEntry(name: string, f: Finder): string | undefined {
  const list = f.index.assignments.get(name);
  if (!list?.length) return undefined;
  const names = new Set<string>();
  for (const a of list) {
    if (!a.value || a.append || a.value.type === 'array') return undefined;
    const parts = wordParts(a.value, f.source);
    const last = parts[parts.length - 1];
    if (!last || last.kind !== 'lit') return undefined;
    if (parts.some((p) => (p.kind === 'lit' ? /\s/.test(p.text) : 'name' in p && p.name === name))) return undefined;
    const m = ENTRY.exec(last.text);
    if (!m) return undefined;
    names.add(m[1]);
  }
  const families = new Set([...names].map(entryFamily));
  if (families.size !== 1) return undefined;
  return [...names][0];
}

/** Entry name of a token: a literal ending in an entrypoint, or a variable that only holds one. */
function entryOf(token: Token, f: Finder): string | undefined {
  const last = token.parts[token.parts.length - 1];
  if (last && last.kind === 'lit') {
    const m = ENTRY.exec(last.text);
    if (m) return m[1];
    if (f.extra.includes(basename(last.text))) return basename(last.text);
  }
  if (token.parts.length === 1 && last?.kind === 'exp' && last.name) return pathVariableEntry(last.name, f);
  return undefined;
}

/** Tests (`[ -f "$X" ]`, `[[ -e $X ]]`, `test -f $X`) that read the variable `name`. */
function guardsOf(name: string, f: Finder): Span[] {
  const ref = new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`);
  const nodes = [...f.index.tests, ...f.index.commands.map((c) => c.node).filter((n) => commandWords(n)[0]?.text === 'test')];
  return nodes
    .filter((n) => ref.test(f.source.slice(n.startIndex, n.endIndex)))
    .map((n) => ({ start: n.startIndex, end: n.endIndex, text: f.source.slice(n.startIndex, n.endIndex) }));
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
    const only = tokens[i].parts.length === 1 ? tokens[i].parts[0] : undefined;
    const ref = only?.kind === 'exp' ? only.name : undefined;
    return {
      secondEntry: second ? span(second) : undefined,
      ...(ref ? { entryVariable: ref, entryGuards: guardsOf(ref, f) } : {}),
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

const REFERENCE = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?\}?$/;

/**
 * The statement after `command` when it starts on the very next line with a word that looks like
 * more arguments of the launch: a flag, or a variable whose value starts with one. Bash ends the
 * command at the newline, so those words never reach the entrypoint.
 */
function cutOffArguments(command: Node, text: string, index: ScriptIndex): Span | undefined {
  const statement = statementOf(command);
  const next = statement.nextNamedSibling;
  if (!next || next.type !== 'command') return undefined;
  if (!/^[ \t]*\r?\n[ \t]*$/.test(text.slice(statement.endIndex, next.startIndex))) return undefined;
  const first = commandWords(next)[0];
  if (!first) return undefined;
  const word = text.slice(first.startIndex, first.endIndex);
  const ref = REFERENCE.exec(word);
  const startsWithFlag = (value: string) => /^["'(]?(\s|\\\n)*-{1,2}[A-Za-z]/.test(value);
  const looksLikeArguments = ref
    ? (index.assignments.get(ref[1]) ?? []).some((a) => a.value !== null && startsWithFlag(a.value.text))
    : /^-{1,2}[A-Za-z]/.test(word);
  if (!looksLikeArguments) return undefined;
  const end = text.indexOf('\n', next.startIndex);
  return { start: next.startIndex, end: end === -1 ? next.endIndex : Math.min(end, next.endIndex), text: text.slice(next.startIndex, end === -1 ? next.endIndex : Math.min(end, next.endIndex)) };
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
    // `sh -c "$CMD"#`: the quoted code with literal text glued after it; the code is the string.
    const parts = code.type === 'concatenation' ? code.namedChildren.filter((c): c is Node => !!c) : [];
    if (parts.length > 1 && (parts[0].type === 'string' || parts[0].type === 'raw_string') && parts.slice(1).every((c) => c.type === 'word')) return parts[0];
  }
  return undefined;
}

/** The command word that holds `node` (itself, or the concatenation it is part of). */
function wordIndexOf(words: Node[], node: Node): number {
  return words.findIndex((w) => w.startIndex <= node.startIndex && node.endIndex <= w.endIndex);
}

/** `code` in place of [start, end) of `blank` (the source with every character but newlines a space). */
function maskOutside(blank: string, code: string, start: number, end: number): string {
  return blank.slice(0, start) + code + blank.slice(end);
}

export interface LaunchScan {
  launches: Launch[];
  /** Problems that prevent migrating a launch, with the offset they refer to. */
  /** Findings of the scan (severity: error unless given). */
  problems: Array<{ offset: number; message: string; severity?: Severity }>;
}

/**
 * How a string variable that holds a launch is run: as code (`sh -c "... $X ..."`, `eval $X`: the
 * value is parsed again) or as split words (`$X args`, `srun $X`, `bash -c '... $X ...'` where the
 * inner shell expands it). Code wins when both occur (an `echo $X` next to `eval $X`).
 * `joined`: every code use is an unquoted `eval $X`, whose word splitting turns the value's
 * newlines into blanks before eval reads it, so a newline does not end the command there (it does
 * in `eval "$X"` and `bash -c "... $X"`).
 */
interface StringUse {
  use?: 'code' | 'split';
  joined: boolean;
  companions: Set<string>;
}

function stringUse(name: string, index: ScriptIndex, source: string): StringUse {
  let use: 'code' | 'split' | undefined;
  let joinedCode = false;
  let lineCode = false;
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
      if (code.type === 'string') {
        use = 'code';
        lineCode = true;
      } else use = use ?? 'split';
      noteCompanions(code.text);
    } else if (first === 'eval' && words.slice(1).some(isRef)) {
      use = 'code';
      if (words.slice(1).some((w) => isRef(w) && w.type === 'string')) lineCode = true;
      else joinedCode = true;
    } else if (first !== 'echo' && first !== 'printf' && words.some((w) => w.type !== 'string' && isRef(w))) use = use ?? 'split';
    if (use !== before || (code && ref.test(code.text))) noteCompanions(source.slice(cmd.node.startIndex, cmd.node.endIndex));
  }
  return { use, joined: joinedCode && !lineCode, companions };
}

/** stringUse, or the use of a string variable that embeds this one (`command="$command $X"`). */
function transitiveUse(name: string, index: ScriptIndex, source: string, depth = 0): StringUse {
  const direct = stringUse(name, index, source);
  if (direct.use || depth >= 3) return direct;
  const ref = new RegExp(`\\$(\\{${name}\\}|${name}(?![A-Za-z0-9_]))`);
  for (const [other, list] of index.assignments) {
    if (other === name) continue;
    if (!list.some((a) => a.value?.type === 'string' && ref.test(a.value.text))) continue;
    const outer = transitiveUse(other, index, source, depth + 1);
    if (outer.use) return { use: outer.use, joined: outer.joined, companions: new Set([...direct.companions, ...outer.companions]) };
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

/**
 * A launcher word that is a variable holding a deepspeed command (`LAUNCHER="deepspeed --num_gpus
 * 8"`, then `$LAUNCHER pretrain_gpt.py`) stands for the words of that string, so that they can be
 * rewritten where they are written.
 */
function expandDeepspeedLauncher(words: Span[], f: Finder): Span[] {
  return words.flatMap((w) => {
    const name = REFERENCE.exec(w.text.replace(/^"(.*)"$/, '$1'));
    if (!name || name[2]) return [w];
    const list = f.index.assignments.get(name[1]) ?? [];
    const v = list.length === 1 && !list[0].append ? list[0].value : null;
    if (!v || v.type !== 'string' || !/(^|[\s\/])deepspeed(\s|$)/.test(v.text.slice(1, -1))) return [w];
    return splitDqString(v, f.source, 'dq-split').map((t) => ({ start: t.start, end: t.end, text: f.source.slice(t.start, t.end) }));
  });
}

/** Why `X=<value with $X>` cannot be followed, by the form of its value (said after "$X is assigned again at line N"). */
function unreadReassignment(name: string, value: Node): string {
  const form =
    value.type === 'command_substitution'
      ? `from the output of a command that reads the old value (\`${value.text.length > 60 ? `${value.text.slice(0, 57)}...` : value.text}\`)`
      : value.type === 'concatenation'
        ? 'inside a value whose quotes close and open again after $' + name + ' (a flag and its value may sit in different parts)'
        : 'in a form bridge-migrate does not read';
  const fix =
    value.type === 'command_substitution'
      ? `make that change in the launch text itself (or drop the reassignment if it only tidies blanks)`
      : `write the added flags in one "..." string after $${name} (or use an array)`;
  return `${form}, so bridge-migrate cannot read or edit the words this adds to the launch; the launch is left as it is, so Megatron-LM still receives them. To migrate it, ${fix} and run bridge-migrate again`;
}

/**
 * The "..." string of `X="... $X --flag ..."` whose words after `$X` are what the assignment adds:
 * the value itself, or, where quotes are closed and opened again before it
 * (`X="cd "$DIR"; $X --flag"`), its last part when that part alone holds `$X` after a blank and
 * nothing follows it (the parts before are commands or wrappers before the launch; an assignment
 * neither splits nor globs them). Null when the added words cannot be read from one string.
 */
export function selfReferenceString(value: Node, selfReference: RegExp, source: string): Node | null {
  if (value.type === 'string') return selfReference.test(value.text) ? value : null;
  if (value.type !== 'concatenation') return null;
  const parts = value.namedChildren.filter((c): c is Node => !!c);
  const last = parts[parts.length - 1];
  if (!last || last.type !== 'string' || last.endIndex !== value.endIndex) return null;
  if (parts.slice(0, -1).some((p) => selfReference.test(p.text))) return null;
  const at = last.text.search(selfReference);
  // After the opening quote, a blank must separate `$X` from the parts before it.
  return at > 1 && /\s/.test(last.text[at - 1]) && source[last.startIndex] === '"' ? last : null;
}

export function findLaunches(index: ScriptIndex, source: string, trees: Array<{ delete(): void }> = [], extraEntrypoints: string[] = []): LaunchScan {
  const f: Finder = { index, source, extra: extraEntrypoints };
  const launches: Launch[] = [];
  const problems: LaunchScan['problems'] = [];

  // The source blanked once for all of its code strings (offsets and lines kept).
  let blank: string | undefined;
  /** `joined`: the code is read with its newlines turned into blanks (unquoted `eval $X`). */
  const scanCode = (start: number, end: number, quoted: boolean, at: { statementStart: number; branchPath: string }, prefix: string, joined = false) => {
    const body = source.slice(start, end);
    if (quoted && /\\"/.test(body)) {
      problems.push({ offset: start, message: 'the command string contains escaped double quotes; migrate it by hand or move the command out of the string' });
      return;
    }
    // Same length: offsets into `masked` are offsets into the file.
    const code = joined ? body.replace(/(?<!\\)\r?\n/g, (m) => ' '.repeat(m.length)) : body;
    const masked = maskOutside((blank ??= source.replace(/[^\n]/g, ' ')), code, start, end);
    // Only the code's lines are parsed (included ranges): the blanks around them say nothing.
    const lineEnd = masked.indexOf('\n', end);
    const tree = parseBash(masked, undefined, [{ start, end: lineEnd === -1 ? masked.length : lineEnd + 1 }]);
    trees.push(tree);
    const ctx: WordContext = quoted ? 'dq-code' : 'sq-code';
    const visit = (n: Node) => {
      if (n.type === 'command') {
        const launch = launchFrom(
          commandWords(n).map((w) => wordToken(w, masked, ctx)),
          f,
          { start: n.startIndex, end: n.endIndex, statementStart: at.statementStart, branchPath: at.branchPath, ctx, source: masked, joined },
          masked,
          prefix,
        );
        if (launch) {
          launch.cutOff = cutOffArguments(n, masked, index);
          launches.push(launch);
        }
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
      launch.cutOff = cutOffArguments(cmd.node, source, index);
      // `sh -c "... pretrain_gpt.py ..." ... pretrain_gpt.py`: two launches in one command (the
      // words after the code are the inner shell's $0, $1 ...); reported, not half migrated.
      if (!launch.secondEntry && code && ENTRY_ANYWHERE.test(code.text)) launch.secondEntry = { start: code.startIndex, end: code.endIndex, text: code.text };
      launches.push(launch);
      continue;
    }
    if (code && ENTRY_ANYWHERE.test(code.text)) {
      const before = words.slice(0, wordIndexOf(words, code) - 1).map((w) => source.slice(w.startIndex, w.endIndex));
      scanCode(code.startIndex + 1, code.endIndex - 1, code.type === 'string', cmd, `${describeLauncher(before)} `);
    }
  }

  // Launch commands kept in string variables and run later: strings that name an entrypoint,
  // directly or through a variable that holds its path.
  const pathVariables = [...index.assignments.keys()].filter((n) => ENTRY_ANYWHERE.test(index.assignments.get(n)!.map((a) => a.value?.text ?? '').join(' ')) && pathVariableEntry(n, f));
  const namesEntry = (text: string) => ENTRY_ANYWHERE.test(text) || pathVariables.some((n) => new RegExp(`\\$(\\{${n}\\}|${n}(?![A-Za-z0-9_]))`).test(text));
  for (const [name, list] of index.assignments) {
    for (const a of list as Assignment[]) {
      const v = a.value;
      if (!v || (v.type !== 'string' && v.type !== 'raw_string') || !namesEntry(v.text)) continue;
      // A variable that only holds the entrypoint's path: the launch is where it is used.
      if (pathVariables.includes(name)) continue;
      const { use, joined, companions } = transitiveUse(name, index, source);
      if (!use) continue;
      // A later assignment that embeds the old value (`X="$X --flag"`).
      const selfReference = new RegExp(`\\$\\{?${name}\\b`);
      const others = list.filter((b) => b !== a && b.value);
      // The string each later assignment adds words from (null: it adds none that can be read).
      const addedFrom = new Map(others.map((b) => [b, b.append ? (b.value!.type === 'string' ? b.value! : null) : selfReferenceString(b.value!, selfReference, source)]));
      const appends = others
        .filter((b) => addedFrom.get(b))
        .map((b) => {
          const words = splitDqString(addedFrom.get(b)!, source, use === 'code' ? 'dq-code' : 'dq-split');
          const isSelf = (t: Token) => t.parts.length === 1 && t.parts[0].kind === 'exp' && t.parts[0].name === name;
          // `X="$WRAPPER $X --flag"`: the words before $X go before the launch command (a wrapper
          // such as `nsys profile ...`), not to the script; only the words after it are arguments.
          const self = b.append ? -1 : words.findIndex(isSelf);
          return { tokens: words.slice(self + 1).filter((t) => !isSelf(t)), statementStart: b.statementStart, branchPath: b.branchPath, variable: name };
        });
      // `X=...$X...` in a form whose added words cannot be read or edited (quotes reopened after
      // $X, a command's output): the launch is left as it is.
      const unread = others
        .filter((b) => b.value!.type !== 'string' && b.value!.type !== 'raw_string' && selfReference.test(b.value!.text) && !addedFrom.get(b))
        .map((b) => ({ offset: b.node.startIndex, message: unreadReassignment(name, b.value!) }));
      const fixes = launcherFixes(companions, index, source);
      if (use === 'code') {
        const n = launches.length;
        scanCode(v.startIndex + 1, v.endIndex - 1, v.type === 'string', a, `$${name}: `, joined);
        for (const l of launches.slice(n)) {
          l.launcherWords.push(...fixes);
          l.appends = appends;
          if (unread.length) l.unreadReassignment = { ...unread[0], variable: name };
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
          if (unread.length) launch.unreadReassignment = { ...unread[0], variable: name };
          launches.push(launch);
        }
      }
    }
  }
  for (const l of launches) l.launcherWords = expandDeepspeedLauncher(l.launcherWords, f);
  launches.sort((x, y) => x.start - y.start);
  return { launches, problems };
}
