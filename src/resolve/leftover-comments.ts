/**
 * `# bridge-migrate: ...` comments that an earlier `--write` left in a script are still findings:
 * each one stands for something a person has to decide (a removed flag, a lost value, pinned
 * defaults), so a later run reports it again, at the severity written in the comment, until the
 * comment is deleted. That keeps `bridge-migrate --check` red in CI after `--write` until every
 * comment has been dealt with. Pure: text in, findings out.
 */
import { at, note, warning, type Finding, type Severity } from '../findings.js';

/** Every leftover finding's message starts so (SARIF gives them their own rule). */
export const LEFTOVER_PREFIX = 'left by an earlier bridge-migrate run: ';

const COMMENT = /^[ \t]*# bridge-migrate: (.*?)[ \t]*\r?$/;
const GRADED = /^(error|warning|note): (.*)$/;
const PINS = /^Megatron-LM defaults that (\S+) would change/;

/** The comment's finding, or undefined when the line is not a bridge-migrate comment. */
export function leftoverFinding(line: string, lineNumber: number): Finding | undefined {
  const comment = COMMENT.exec(line);
  if (!comment) return undefined;
  const text = comment[1];
  const graded = GRADED.exec(text);
  if (graded) {
    const severity = graded[1] as Severity;
    return { line: lineNumber, severity, message: `${LEFTOVER_PREFIX}${graded[2]}; ${severity === 'note' ? 'nothing to do (delete the comment when you like)' : 'delete the comment once it is dealt with'}` };
  }
  const pins = PINS.exec(text);
  if (pins) {
    return at(lineNumber, warning(`${LEFTOVER_PREFIX}Megatron-LM defaults that ${pins[1]} would change are pinned below; keep or delete each line, then delete the comment`));
  }
  // Comments of older releases had no severity: each stood for something to check.
  return text ? at(lineNumber, warning(`${LEFTOVER_PREFIX}${text}; delete the comment once it is dealt with`)) : at(lineNumber, note('an empty bridge-migrate comment; delete it'));
}

/** Every bridge-migrate comment of the script, in line order. */
export function leftoverComments(source: string): Finding[] {
  if (!source.includes('# bridge-migrate:')) return [];
  const findings: Finding[] = [];
  const lines = source.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const finding = leftoverFinding(lines[i], i + 1);
    if (finding) findings.push(finding);
  }
  return findings;
}
