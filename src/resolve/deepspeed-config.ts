/**
 * The DeepSpeed JSON config a launch names with `--deepspeed_config PATH`, when the script writes
 * that file itself with a here-document (`cat <<EOT > $config_json ... EOT`): the body with the
 * values the script fixes put in for its `$VAR`s, parsed as Megatron-DeepSpeed reads it
 * (`json.load`). Anything the script does not fix (a value from the environment, a command
 * substitution, a second writer, a here-document inside a branch the launch is not in) leaves the
 * config unread, with the reason; a path no here-document writes is a file from elsewhere.
 */
import type { Node } from '../parse/parser.js';
import type { SourceLines } from '../parse/source-lines.js';
import { branchWithin, type ScriptIndex } from './script-index.js';
import type { Token } from './types.js';
import { plainReferenceName, referenceName } from '../verify/static-values.js';

export type DeepspeedConfig =
  | { kind: 'read'; line: number; settings: Record<string, unknown> }
  | { kind: 'unread'; why: string; line?: number }
  | { kind: 'elsewhere' };

/** Commands that change a file named in their arguments (`sed -i ... $config_json`). */
const FILE_CHANGERS = new Set(['sed', 'perl', 'jq', 'mv', 'cp', 'envsubst', 'tee', 'truncate']);

/** A path word as literal text with each plain variable reference written `${NAME}`; undefined for anything else. */
export function tokenPath(token: Pick<Token, 'parts'>): string | undefined {
  let text = '';
  for (const part of token.parts) {
    if (part.kind === 'lit') text += part.text;
    else if (plainReferenceName(part) !== undefined) text += `\${${part.name}}`;
    else return undefined;
  }
  return text;
}

/** The same canonical form for a redirect's destination node. */
function nodePath(node: Node): string | undefined {
  switch (node.type) {
    case 'word':
      return /[$`\\*?[]/.test(node.text) ? undefined : node.text;
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'simple_expansion':
    case 'expansion': {
      const name = referenceName(node);
      return name ? `\${${name}}` : undefined;
    }
    case 'string':
    case 'concatenation': {
      let text = '';
      for (const part of node.namedChildren) {
        if (!part) continue;
        if (part.type === 'string_content') {
          if (part.text.includes('\\')) return undefined;
          text += part.text;
        } else {
          const inner = nodePath(part);
          if (inner === undefined) return undefined;
          text += inner;
        }
      }
      return text;
    }
    default:
      return undefined;
  }
}

/** A canonical path with the script's fixed values put in, or undefined when one is unknown. */
function resolvedPath(path: string, values: Map<string, string>): string | undefined {
  let unknown = false;
  const text = path.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => {
    const value = values.get(name);
    if (value === undefined) unknown = true;
    return value ?? '';
  });
  return unknown ? undefined : text;
}

function samePath(a: string, b: string, values: Map<string, string>): boolean {
  if (a === b) return true;
  const ra = resolvedPath(a, values);
  return ra !== undefined && ra === resolvedPath(b, values);
}

interface Redirect {
  operator: string;
  path: string | undefined;
}

function redirectOf(node: Node): Redirect {
  const operator = node.children.find((c) => c && /^[&]?>[>|]?$|^>&$/.test(c.type))?.type ?? '';
  const destination = node.childForFieldName('destination') ?? node.namedChildren.filter((c) => c && c.type !== 'file_descriptor').pop() ?? null;
  return { operator, path: destination ? nodePath(destination) : undefined };
}

/** The file redirects that apply to a here-document's command (on its line, before or after `<<EOT`). */
function heredocRedirects(heredoc: Node): Redirect[] {
  const nodes = [...heredoc.namedChildren, ...(heredoc.parent?.type === 'redirected_statement' ? heredoc.parent.namedChildren : [])];
  return nodes.filter((n): n is Node => n?.type === 'file_redirect').map(redirectOf);
}

function commandName(command: Node | null | undefined): string | undefined {
  const name = command?.type === 'command' ? command.childForFieldName('name') : null;
  return name?.text.replace(/^.*\//, '');
}

/** The body as bash delivers it to `cat`: expansions replaced, backslash escapes of an unquoted here-document applied. */
function heredocText(heredoc: Node, source: string, values: Map<string, string>): { text: string } | { why: string } {
  const start = heredoc.namedChildren.find((c) => c?.type === 'heredoc_start');
  const body = heredoc.namedChildren.find((c) => c?.type === 'heredoc_body');
  if (!start) return { why: 'its here-document has no delimiter' };
  if (!body) return { text: '' };
  const stripTabs = heredoc.children.some((c) => c?.type === '<<-');
  const quoted = /['"\\]/.test(start.text);
  const tidy = (text: string) => (stripTabs ? text.replace(/^\t+/gm, '') : text);
  if (quoted) return { text: tidy(source.slice(body.startIndex, body.endIndex)) };
  const unescape = (text: string) => text.replace(/\\\n/g, '').replace(/\\([$`\\])/g, '$1');
  let text = '';
  let at = body.startIndex;
  for (const part of body.namedChildren) {
    if (!part || part.type === 'heredoc_content') continue;
    text += unescape(source.slice(at, part.startIndex));
    const name = referenceName(part);
    if (name === undefined) return { why: `\`${part.text}\` in it is not a plain variable reference (the value is only known when the script runs)` };
    const value = values.get(name);
    if (value === undefined) return { why: `$${name} in it has no value that the script fixes (it is set in a branch, more than once, or comes from the environment)` };
    text += value;
    at = part.endIndex;
  }
  text += unescape(source.slice(at, body.endIndex));
  return { text: tidy(text) };
}

/**
 * Reads the config at `pathToken` (the value of --deepspeed_config) for a launch that starts at
 * `launchStart` inside `launchBranch`.
 */
export function readDeepspeedConfig(pathToken: Token, index: ScriptIndex, source: string, lines: SourceLines, values: Map<string, string>, launchStart: number, launchBranch: string): DeepspeedConfig {
  const path = tokenPath(pathToken);
  if (path === undefined) return { kind: 'unread', why: 'its path is not a plain word or variable' };
  const writers = index.heredocs.filter((h) => heredocRedirects(h.node).some((r) => r.path !== undefined && samePath(r.path, path, values)));
  if (writers.length === 0) return { kind: 'elsewhere' };
  const line = lines.lineOf(writers[0].node.startIndex);
  if (writers.length > 1) return { kind: 'unread', line, why: `the script writes it with ${writers.length} here-documents (lines ${writers.map((w) => lines.lineOf(w.node.startIndex)).join(', ')})` };
  const writer = writers[0];
  const redirect = heredocRedirects(writer.node).find((r) => r.path !== undefined && samePath(r.path, path, values))!;
  if (redirect.operator !== '>' && redirect.operator !== '>|') return { kind: 'unread', line, why: `its here-document is written with \`${redirect.operator}\`, so the file may hold more than that text` };
  const statement = writer.node.parent;
  if (commandName(statement?.childForFieldName('body') ?? statement?.namedChildren[0]) !== 'cat') return { kind: 'unread', line, why: 'its here-document is not written by a plain `cat`' };
  if (writer.node.startIndex > launchStart) return { kind: 'unread', line, why: 'its here-document comes after the launch' };
  if (!branchWithin(launchBranch, writer.branchPath)) return { kind: 'unread', line, why: 'its here-document is inside a branch (if/case/loop/function) that the launch is not in' };
  // Anything else that writes or edits the same file.
  for (const cmd of index.commands) {
    const parent = cmd.node.parent;
    const redirects = parent?.type === 'redirected_statement' ? parent.namedChildren.filter((n): n is Node => n?.type === 'file_redirect').map(redirectOf) : [];
    const writes = redirects.some((r) => r.operator.includes('>') && r.path !== undefined && samePath(r.path, path, values));
    const edits = FILE_CHANGERS.has(commandName(cmd.node) ?? '') && cmd.node.namedChildren.some((w) => w && w.type !== 'command_name' && nodePath(w) !== undefined && samePath(nodePath(w)!, path, values));
    if ((writes && parent!.startIndex !== writer.node.parent?.startIndex) || edits) return { kind: 'unread', line, why: `line ${lines.lineOf(cmd.node.startIndex)} also ${edits ? 'changes' : 'writes'} the file` };
  }
  const body = heredocText(writer.node, source, values);
  if ('why' in body) return { kind: 'unread', line, why: body.why };
  let settings: unknown;
  try {
    settings = JSON.parse(body.text);
  } catch (problem) {
    return { kind: 'unread', line, why: `its text is not valid JSON once the script's values are put in (${(problem as Error).message})` };
  }
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) return { kind: 'unread', line, why: 'its text is not a JSON object' };
  return { kind: 'read', line, settings: settings as Record<string, unknown> };
}
