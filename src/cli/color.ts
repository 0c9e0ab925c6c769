/**
 * Whether to colour a stream, and the colours. Precedence: --color / --no-color, then FORCE_COLOR
 * (set and not "0" or "false": on; "0"/"false": off), then NO_COLOR (set and not empty: off), then
 * whether the stream is a terminal.
 */
import type { Severity } from '../findings.js';

export function colorFor(stream: { isTTY?: boolean }, flag: boolean | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  return stream.isTTY === true;
}

const CODES = { red: '\x1b[31m', yellow: '\x1b[33m', cyan: '\x1b[36m', bold: '\x1b[1m', dim: '\x1b[2m', reset: '\x1b[0m' };
const SEVERITY_COLOR: Record<Severity, string> = { error: CODES.red, warning: CODES.yellow, note: CODES.cyan };

/** `path:line: severity: message` with the location bold and the severity coloured. */
export function paintFinding(location: string, severity: Severity, message: string, color: boolean): string {
  if (!color) return `${location}: ${severity}: ${message}`;
  return `${CODES.bold}${location}${CODES.reset}: ${SEVERITY_COLOR[severity]}${CODES.bold}${severity}${CODES.reset}: ${message}`;
}

export function paint(text: string, tone: keyof typeof CODES, color: boolean): string {
  return color ? `${CODES[tone]}${text}${CODES.reset}` : text;
}
