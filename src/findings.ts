/**
 * One vocabulary for what bridge-migrate tells people, everywhere (stderr, JSON, SARIF, HTML,
 * jscodeshift): each finding is an `error` (the launch would not start, or a value is lost), a
 * `warning` (a setting changes or needs a decision) or a `note` (something the tool did for you).
 * Each launch gets one verdict from its findings: `blocked` (any error), `review` (any warning),
 * `ready` (notes at most).
 */
export type Severity = 'error' | 'warning' | 'note';
export type Verdict = 'ready' | 'review' | 'blocked';

/** A finding before it is placed on a line. */
export interface Message {
  severity: Severity;
  message: string;
}

/** A finding on a line of the script (line 0: the file as a whole). */
export interface Finding extends Message {
  line: number;
}

export const error = (message: string): Message => ({ severity: 'error', message });
export const warning = (message: string): Message => ({ severity: 'warning', message });
export const note = (message: string): Message => ({ severity: 'note', message });

export const at = (line: number, m: Message): Finding => ({ line, severity: m.severity, message: m.message });

/** A message that says `blocked: ...` is an error (without the word); any other has `otherwise`. */
export function blockedOr(message: string, otherwise: Severity): Message {
  return message.startsWith('blocked: ') ? error(message.slice('blocked: '.length)) : { severity: otherwise, message };
}

export const SEVERITY_RANK: Record<Severity, number> = { error: 0, warning: 1, note: 2 };

/** The launch's verdict from its findings. */
export function verdictOf(findings: readonly Message[]): Verdict {
  if (findings.some((f) => f.severity === 'error')) return 'blocked';
  if (findings.some((f) => f.severity === 'warning')) return 'review';
  return 'ready';
}
