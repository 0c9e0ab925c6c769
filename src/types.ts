/** Public shapes: options of the core function and the report it returns (documented in the README). */
import type { FlagTable } from './mapping/table.js';
import type { MappingTable } from './mapping/types.js';
import type { Finding, Severity, Verdict } from './findings.js';
import type { VerificationInput } from './verify/requests.js';

export type { Finding, Severity, Verdict } from './findings.js';

export interface MigrateOptions {
  /** Path shown in messages (the core never touches the file system). */
  path?: string;
  /** Megatron Bridge checkout root as shell text. Default `${MEGATRON_BRIDGE_DIR:-/opt/Megatron-Bridge}`. */
  bridgeRoot?: string;
  /** Recipe name for run_recipe.py --recipe. Default `vanilla_gpt_pretrain_config`. */
  recipe?: string;
  /** Pin Megatron-LM defaults that the recipe would change (default true). */
  pinDefaults?: boolean;
  /** Extra or overriding mapping entries (fork-specific flags). */
  extraMappings?: MappingTable;
  /** Extra entrypoint file names to treat as GPT training launches (forks). */
  entrypoints?: string[];
  /** The table to use (tests); default: the generated table plus `extraMappings`. */
  table?: FlagTable;
  /** Also return, per migrated launch, what the Bridge verifier needs (`--verify`). */
  verification?: boolean;
  /**
   * A syntax check the caller applies to every changed text anyway (the CLI: `bash -n`): when it
   * accepts the migrated text, the core does not re-parse that text to check that it parses no
   * worse than the input (bash itself has then said that it parses). Not called for unchanged text.
   */
  syntaxAccepted?: (output: string) => boolean;
}

export interface OverrideReport {
  key: string;
  /** Hydra value text as run_recipe.py receives it (shell expansions shown as written). */
  value: string;
  /** Megatron-LM flag it came from (for pinned defaults: the flag whose Megatron-LM default is kept). */
  flag: string;
  line: number;
  /** Set when the override is written inside `${X:+...}`: when it applies ("only when $X is set and not empty"). */
  condition?: string;
}

/** A Megatron-LM flag taken off the launch. */
export interface RemovedFlag {
  flag: string;
  line: number;
  /** The flag and its values as written. */
  text: string;
  reason: string;
  /** unmapped: no Bridge counterpart; folded: merged into another override; launcher: launcher's business; error: could not convert. */
  kind: 'unmapped' | 'folded' | 'launcher' | 'error';
  /** What the removal costs: error (a value is lost), warning (a setting changes), note (nothing). */
  severity: Severity;
}

export interface LaunchReport {
  line: number;
  entrypoint: string;
  launcher: string;
  /** True when the launch was rewritten. */
  migrated: boolean;
  /** blocked: would not start or loses a value; review: starts, but a person must look; ready. */
  verdict: Verdict;
  recipe?: string;
  dataset?: string;
  overrides: OverrideReport[];
  pinned: OverrideReport[];
  removed: RemovedFlag[];
  /** Everything a person may need to read about this launch, one finding each. */
  findings: Finding[];
}

export type FileStatus = 'changed' | 'unchanged' | 'skipped' | 'error';

export interface FileReport {
  path?: string;
  status: FileStatus;
  launches: LaunchReport[];
  /** File-level messages (parse errors, launches that could not be migrated ...). */
  messages: Finding[];
  /** Set for status=error: what went wrong and what to do. */
  error?: string;
}

export interface MigrateResult {
  output: string;
  report: FileReport;
  /** With `verification`: per migrated launch (by its line), the verifier's input. */
  verification?: Array<{ line: number } & VerificationInput>;
  /** When the text changed: the edits (offsets into the input) that made `output`, for the diff. */
  edits?: Array<{ start: number; end: number; text: string }>;
}
