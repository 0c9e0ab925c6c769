/**
 * Text for a terminal: control characters from file names and script text (ESC starts terminal
 * escape sequences that can rewrite the screen, retitle the window or hide lines; a CR returns to
 * the start of the line) are shown as visible escapes instead of being sent to the terminal.
 */

const NAMED: Record<string, string> = { '\x1b': '\\e', '\r': '\\r', '\n': '\\n', '\t': '\\t', '\b': '\\b', '\x07': '\\a', '\f': '\\f', '\v': '\\v' };

function visible(ch: string): string {
  return NAMED[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
}

/** One line (no newline inside expected): every C0/C1 control and DEL escaped, tabs kept. */
export function terminalLine(line: string): string {
  return line.replace(/[\x00-\x08\x0a-\x1f\x7f\x80-\x9f]/g, visible);
}

/**
 * Several lines: newlines kept, each line escaped; a CR right before a newline (CRLF files) is
 * kept too, as it only ends the line.
 */
export function terminalText(text: string): string {
  return text
    .split('\n')
    .map((line) => {
      const crlf = line.endsWith('\r');
      return terminalLine(crlf ? line.slice(0, -1) : line) + (crlf ? '\r' : '');
    })
    .join('\n');
}
