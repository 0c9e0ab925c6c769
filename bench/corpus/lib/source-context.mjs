// A rough description of where a flag was written in the original script, to group losses by pattern:
// on the launch line, in an array or string variable, and how that variable reaches the launch
// (on the launch line, expanded into another string, run by eval, inside bash -c, as the command itself).
// A heuristic over lines with a small quote/paren scanner, not a parse: it names the pattern for a person
// to look at; it decides nothing.
const ASSIGNMENT = /^\s*(?:export\s+|local\s+|declare\s+(?:-\w+\s+)*|readonly\s+)?([A-Za-z_]\w*)(\+?=)(\(|"|')?/;
const LAUNCH = /pretrain_[A-Za-z0-9_]+\.py/;

/** For every line, the index of the line where its statement starts (quotes, arrays, `\` continuations). */
function statementStarts(lines) {
  const starts = [];
  let start = 0;
  let quote = null;
  let parens = 0;
  let continued = false;
  lines.forEach((line, index) => {
    if (!quote && parens === 0 && !continued) start = index;
    starts.push(start);
    continued = false;
    for (let at = 0; at < line.length; at += 1) {
      const char = line[at];
      if (quote === "'") { if (char === "'") quote = null; continue; }
      if (char === '\\') {
        if (at === line.length - 1) continued = true;
        at += 1;
        continue;
      }
      if (quote === '"') { if (char === '"') quote = null; continue; }
      if (char === '#' && (at === 0 || /\s/.test(line[at - 1]))) break;
      if (char === "'" || char === '"') quote = char;
      else if (char === '(') parens += 1;
      else if (char === ')') parens = Math.max(0, parens - 1);
    }
  });
  return starts;
}

export function contextFinder(text) {
  const lines = text.split('\n');
  const starts = statementStarts(lines);
  const cache = new Map();
  const uses = new Map();
  const usesOf = (name, own) => {
    const key = `${name}@${own}`;
    if (!uses.has(key)) uses.set(key, use(lines, starts, name, own));
    return uses.get(key);
  };
  return (line) => {
    if (!line || line > lines.length) return 'unknown line';
    if (!cache.has(line)) cache.set(line, describe(lines, starts, line - 1, usesOf));
    return cache.get(line);
  };
}

function statementText(lines, starts, index) {
  const start = starts[index];
  let end = index;
  while (end + 1 < lines.length && starts[end + 1] === start) end += 1;
  return { start, text: lines.slice(start, end + 1).join('\n') };
}

function describe(lines, starts, at, usesOf) {
  const { start, text } = statementText(lines, starts, at);
  const assignment = ASSIGNMENT.exec(lines[start]);
  if (!assignment) return LAUNCH.test(text) ? 'on the launch line' : 'in another command';
  const [, name, operator, opener] = assignment;
  const form = `${opener === '(' ? 'array' : opener ? 'string' : 'plain variable'}${operator === '+=' ? ' append' : ''}`;
  const holder = LAUNCH.test(text) ? `launch kept in a ${form}` : form;
  return `${holder}${usesOf(name, start)}`;
}

function use(lines, starts, name, own) {
  const reference = new RegExp(`\\$\\{?${name}(\\[[@*]\\])?\\}?(?![A-Za-z0-9_])`);
  const kinds = new Set();
  lines.forEach((line, index) => {
    if (!reference.test(line) || line.trim().startsWith('#')) return;
    const { start, text } = statementText(lines, starts, index);
    if (start === own) return;
    const assignment = ASSIGNMENT.exec(lines[start]);
    if (assignment && assignment[1] === name) return;
    if (assignment && assignment[3] === '"') kinds.add('expanded into a string');
    else if (assignment && assignment[3] === '(') kinds.add('expanded into an array');
    else if (/(^|[;&|]\s*)eval\b/m.test(text)) kinds.add('run by eval');
    else if (/\b(ba)?sh\s+-c\b/.test(text)) kinds.add('inside bash -c');
    else if (LAUNCH.test(text)) kinds.add('on the launch line');
    else if (/^\s*\$\{?[A-Za-z_]/.test(lines[start])) kinds.add('run as a command word');
    else if (!assignment) kinds.add('on another command line');
  });
  return kinds.size ? `, ${[...kinds].sort().join(' + ')}` : ', not expanded elsewhere';
}
