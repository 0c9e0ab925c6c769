/**
 * File bytes <-> the text the core sees. Keeps what must survive a rewrite: a UTF-8 byte-order
 * mark, CRLF line endings (the core sees LF), a missing final newline (untouched by construction).
 */
export interface DecodedText {
  text: string;
  bom: boolean;
  crlf: boolean;
}

export class DecodeError extends Error {}

// ignoreBOM: true keeps a leading U+FEFF in the text (the default strips it silently), so that
// `bom` below can see it and encodeScript() can put it back.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeScript(bytes: Uint8Array): DecodedText {
  if (bytes.includes(0)) throw new DecodeError('binary file (contains NUL bytes); not a shell script');
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new DecodeError('not valid UTF-8 text; convert it to UTF-8 first (e.g. iconv -f latin1 -t utf-8)');
  }
  const bom = text.charCodeAt(0) === 0xfeff;
  if (bom) text = text.slice(1);
  const lf = (text.match(/\n/g) ?? []).length;
  const crlfCount = (text.match(/\r\n/g) ?? []).length;
  const crlf = lf > 0 && crlfCount === lf;
  if (crlf) text = text.replace(/\r\n/g, '\n');
  return { text, bom, crlf };
}

/** The text as it is (or will be) on disk: CRLF and the byte-order mark put back. */
export function onDiskText(text: string, like: Pick<DecodedText, 'bom' | 'crlf'>): string {
  const out = like.crlf ? text.replace(/\n/g, '\r\n') : text;
  return like.bom ? '\ufeff' + out : out;
}

export function encodeScript(text: string, like: Pick<DecodedText, 'bom' | 'crlf'>): Buffer {
  return Buffer.from(onDiskText(text, like), 'utf8');
}
