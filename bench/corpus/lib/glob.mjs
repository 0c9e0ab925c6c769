// Path globs for repos.json: `**` any number of folders, `*` any characters but `/`, `?` one, `{a,b}` either.
export function globToRegExp(glob) {
  let pattern = '';
  for (let index = 0; index < glob.length; index += 1) {
    const char = glob[index];
    if (char === '*' && glob[index + 1] === '*') {
      const slash = glob[index + 2] === '/';
      pattern += slash ? '(?:.*/)?' : '.*';
      index += slash ? 2 : 1;
    } else if (char === '*') pattern += '[^/]*';
    else if (char === '?') pattern += '[^/]';
    else if (char === '{') {
      const close = glob.indexOf('}', index);
      pattern += `(?:${glob.slice(index + 1, close).split(',').map(escape).join('|')})`;
      index = close;
    } else pattern += escape(char);
  }
  return new RegExp(`^${pattern}$`);
}

function escape(text) {
  return text.replace(/[.+^${}()|[\]\\]/g, '\\$&');
}

export function matcher(globs) {
  const regexps = (globs ?? ['**']).map(globToRegExp);
  return (filePath) => regexps.some((regexp) => regexp.test(filePath));
}
