// Reading a Hydra override value the way Hydra's OverridesParser does, for the cases launch scripts produce:
// quoted strings ('...' / "..." with \' \" \\ escapes), lists [a,b,'c d'], null, and unquoted primitives
// (surrounding blanks dropped, backslash escapes of Hydra's special characters removed), and the cast
// functions int() float() str() bool() (the value inside is returned, the cast named).

/** Parses an override word: `[+|++|~]key=value` -> { prefix, key, valueText } or null when it is not one. */
export function parseOverrideWord(word) {
  const match = /^(\+\+|\+|~)?([A-Za-z_][\w\-.@/:]*)(?:=([\s\S]*))?$/.exec(word);
  if (!match) return null;
  if (match[3] === undefined && match[1] !== '~') return null;
  return { prefix: match[1] ?? '', key: match[2], valueText: match[3] ?? '' };
}

/** Hydra value text -> { kind: 'string' | 'list' | 'null' | 'dict', value } (strings for primitives). */
export function parseHydraValue(text) {
  const trimmed = text.trim();
  if (trimmed.startsWith('[') && trimmed.endsWith(']')) {
    return { kind: 'list', value: splitTopLevel(trimmed.slice(1, -1)).map((item) => parseHydraValue(item).value) };
  }
  if (trimmed.startsWith('{') && trimmed.endsWith('}')) return { kind: 'dict', value: trimmed };
  if (trimmed === 'null') return { kind: 'null', value: null };
  const cast = /^(int|float|str|bool)\(([\s\S]*)\)$/.exec(trimmed);
  if (cast) {
    const inner = parseHydraValue(cast[2]);
    return { kind: inner.kind, value: inner.value, cast: cast[1] };
  }
  const quoted = readQuoted(trimmed);
  if (quoted !== null) return { kind: 'string', value: quoted };
  return { kind: 'string', value: trimmed.replace(/\\([\\()[\]{}:=, \t'"])/g, '$1') };
}

/** A whole-quoted Hydra string ('a b', "x", possibly several quoted pieces side by side), else null. */
function readQuoted(text) {
  if (!text || (text[0] !== "'" && text[0] !== '"')) return null;
  let result = '';
  let index = 0;
  while (index < text.length) {
    const quote = text[index];
    if (quote !== "'" && quote !== '"') return null;
    index += 1;
    let closed = false;
    while (index < text.length) {
      const char = text[index];
      if (char === '\\' && (text[index + 1] === quote || text[index + 1] === '\\')) {
        result += text[index + 1];
        index += 2;
      } else if (char === quote) {
        index += 1;
        closed = true;
        break;
      } else {
        result += char;
        index += 1;
      }
    }
    if (!closed) return null;
  }
  return result;
}

function splitTopLevel(text) {
  const items = [];
  let depth = 0;
  let quote = null;
  let current = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quote) {
      if (char === '\\' && index + 1 < text.length) { current += char + text[index + 1]; index += 1; continue; }
      if (char === quote) quote = null;
      current += char;
    } else if (char === "'" || char === '"') { quote = char; current += char; }
    else if (char === '[' || char === '{') { depth += 1; current += char; }
    else if (char === ']' || char === '}') { depth -= 1; current += char; }
    else if (char === ',' && depth === 0) { items.push(current); current = ''; }
    else current += char;
  }
  if (current.trim() || items.length) items.push(current);
  return items;
}
