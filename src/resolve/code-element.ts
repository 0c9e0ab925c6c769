/**
 * Reads the literal value of an array element as the code word a second parse makes of it: the
 * element is joined into a launch string that eval or `bash -c` runs, so quotes and escapes inside
 * its value (`"'([0]*3+[1]*58)'"`, `'E\|t*4\|L'`) are removed only then.
 */
import { parseBash, type Node } from '../parse/parser.js';
import { staticParts, wordParts } from '../parse/words.js';

/**
 * Characters whose reading a second parse would change beyond quote removal (expansions, brace
 * and tilde expansion, history), anywhere in the value, quoted or not; blanks other than single
 * spaces (an unquoted `eval $X` splits the string first and joins its words with one space).
 */
const NOT_READ = /[$`{}~!]|[\t\n\r]| {2}|^ | $/;

/** Node types of one word whose quotes and escapes a second parse removes (and nothing else). */
const WORD_TYPES = new Set(['word', 'string', 'raw_string', 'concatenation', 'string_content']);

function onlyQuotedText(node: Node): boolean {
  if (!WORD_TYPES.has(node.type)) return false;
  return node.namedChildren.every((c) => !c || onlyQuotedText(c));
}

/**
 * The one argv word that code text `value` parses to, quotes and escapes removed; undefined when
 * it is not exactly one word of plain, quoted or escaped text (an operator, a redirect, a second
 * word, an expansion).
 */
export function codeWordOf(value: string): string | undefined {
  if (value === '' || NOT_READ.test(value)) return undefined;
  const source = `: ${value}\n`;
  const tree = parseBash(source);
  try {
    const root = tree.rootNode;
    if (root.hasError) return undefined;
    const statements = root.namedChildren.filter((c): c is Node => !!c);
    if (statements.length !== 1 || statements[0].type !== 'command') return undefined;
    const command = statements[0];
    const words = command.childrenForFieldName('argument').filter((w): w is Node => !!w);
    // The name `:` and one argument, and nothing else (no redirect, no assignment before it).
    if (command.namedChildren.length !== 2 || words.length !== 1) return undefined;
    const word = words[0];
    if (word.startIndex !== 2 || word.endIndex !== source.length - 1 || !onlyQuotedText(word)) return undefined;
    return staticParts(wordParts(word, source));
  } finally {
    tree.delete();
  }
}
