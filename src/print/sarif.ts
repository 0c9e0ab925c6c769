/**
 * SARIF 2.1.0 (`--format sarif`) for code-scanning upload: one result per finding, at the
 * finding's severity (error / warning / note are SARIF's own levels), located by the path relative
 * to the repository root. Rules group the findings: a flag removed, a value lost, a launch not
 * migrated, a comment left by an earlier run, and the remaining findings by severity.
 * Pure: outcomes in, the SARIF log out.
 */
import type { FileOutcome } from '../files/process-file.js';
import type { Finding, LaunchReport } from '../types.js';
import { LEFTOVER_PREFIX } from '../resolve/leftover-comments.js';

interface Rule {
  id: string;
  name: string;
  shortDescription: { text: string };
  defaultConfiguration: { level: 'error' | 'warning' | 'note' };
}

const RULES: Rule[] = [
  { id: 'BM001', name: 'launch-not-migrated', shortDescription: { text: 'A Megatron-LM launch that bridge-migrate left as it is (it would not run under Megatron Bridge)' }, defaultConfiguration: { level: 'error' } },
  { id: 'BM002', name: 'value-lost', shortDescription: { text: 'A flag whose value Megatron Bridge cannot carry: removed, the run would train differently' }, defaultConfiguration: { level: 'error' } },
  { id: 'BM003', name: 'flag-removed', shortDescription: { text: 'A Megatron-LM flag with no Megatron Bridge counterpart, removed from the launch' }, defaultConfiguration: { level: 'warning' } },
  { id: 'BM004', name: 'leftover-comment', shortDescription: { text: 'A # bridge-migrate: comment from an earlier run that still needs a person' }, defaultConfiguration: { level: 'warning' } },
  { id: 'BM100', name: 'error', shortDescription: { text: 'The launch would not start, or a value is lost' }, defaultConfiguration: { level: 'error' } },
  { id: 'BM200', name: 'warning', shortDescription: { text: 'A setting changes or needs a decision' }, defaultConfiguration: { level: 'warning' } },
  { id: 'BM300', name: 'note', shortDescription: { text: 'Something bridge-migrate did for you' }, defaultConfiguration: { level: 'note' } },
];
const RULE_INDEX = new Map(RULES.map((r, i) => [r.name, i]));

export interface SarifOptions {
  version: string;
  /** The URI of a file (relative to the repository root). */
  uriOf: (path: string) => string;
}

function ruleOf(f: Finding, launch: LaunchReport | undefined): string {
  if (f.message.startsWith(LEFTOVER_PREFIX)) return 'leftover-comment';
  if (launch && !launch.migrated && f.severity === 'error') return 'launch-not-migrated';
  const removed = launch?.removed.find((r) => r.line === f.line && r.severity === f.severity && f.message.includes(r.reason));
  if (removed) return removed.kind === 'error' || removed.severity === 'error' ? 'value-lost' : 'flag-removed';
  return f.severity;
}

export function sarifLog(outcomes: FileOutcome[], options: SarifOptions) {
  const results = outcomes.flatMap((o) => {
    const uri = options.uriOf(o.path);
    const items: Array<{ f: Finding; launch?: LaunchReport }> = [
      ...o.report.messages.map((f) => ({ f })),
      ...o.report.launches.flatMap((launch) => launch.findings.map((f) => ({ f, launch }))),
    ];
    items.sort((a, b) => a.f.line - b.f.line);
    return items.map(({ f, launch }) => {
      const rule = ruleOf(f, launch);
      return {
        ruleId: RULES[RULE_INDEX.get(rule)!].id,
        ruleIndex: RULE_INDEX.get(rule)!,
        level: f.severity,
        message: { text: f.message },
        locations: [{ physicalLocation: { artifactLocation: { uri, uriBaseId: '%SRCROOT%' }, ...(f.line > 0 ? { region: { startLine: f.line } } : {}) } }],
      };
    });
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [
      {
        tool: { driver: { name: 'bridge-migrate', version: options.version, semanticVersion: options.version, rules: RULES } },
        columnKind: 'unicodeCodePoints' as const,
        results,
      },
    ],
  };
}
