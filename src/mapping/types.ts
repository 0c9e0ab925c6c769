/**
 * The mapping table's types. One entry per Megatron-LM flag (canonical option string),
 * describing how Megatron-LM parses it and what Megatron Bridge override(s) it becomes.
 * The table is data: adding a flag never means editing control flow.
 */

/** How many argv words the flag consumes after itself (argparse nargs). */
export type Arity = 0 | 1 | 2 | 3 | '?' | '*' | '+';

/** Type of each value as Megatron-LM's argparse converts it. */
/** `layer-pattern`: Megatron-LM's moe_freq_type, an int or a list expression like ([0]*3+[1]*58). */
export type ValueType = 'int' | 'float' | 'str' | 'bool' | 'layer-pattern';

/**
 * How the flag's value(s) become the Bridge value.
 * - pass:     the value as is, typed by valueType (int / float / str).
 * - true:     a flag without value (store_true) sets every key to true.
 * - false:    a flag without value (store_false / --no-x / --disable-x) sets every key to false.
 * - list:     nargs '+' / '*' / N values become a Hydra list `[a,b,c]`.
 * - rename:   an enum-like value renamed through `rename` (values not in `rename` pass unchanged).
 * - const:    a fixed Hydra value (`value`) whatever was given.
 * - rule:     handled by a multi-flag rule in src/mapping/rules (named by `rule`).
 * - drop:     no Bridge counterpart: removed from the launch and recorded with `reason`.
 * - launcher: belongs to the launcher or is meaningless under Bridge's runner
 *             (e.g. --local_rank); removed silently but recorded in the report.
 */
export type Convert = 'pass' | 'true' | 'false' | 'list' | 'rename' | 'const' | 'rule' | 'drop' | 'launcher';

export type EntrySource = 'guide' | 'schema' | 'legacy' | 'manual';

export interface MappingEntry {
  /** Canonical Megatron-LM option string, e.g. "--num-layers". */
  flag: string;
  /** Other spellings that mean the same flag (e.g. "--disable-x" for "--no-x", old names). */
  aliases?: string[];
  /** Words the flag consumes. */
  arity: Arity;
  /** Type of the value(s) as Megatron-LM parses them (absent for arity 0). */
  valueType?: ValueType;
  /** The values Megatron-LM's argparse accepts (`choices`); a literal value outside them is refused. */
  choices?: string[];
  /** Bridge override keys in the flat (GPTModelProvider) view, e.g. ["model.num_layers"]. */
  keys: string[];
  convert: Convert;
  /** For convert=rename: Megatron-LM value -> Bridge value. */
  rename?: Record<string, string>;
  /** For convert=const: the Hydra value text to emit (e.g. "silu", "null", "true"). */
  value?: string;
  /**
   * For convert=const with several keys that take different values: key -> Hydra value text
   * (e.g. --quick-geglu: gated_linear_unit=true, activation_func=quick_gelu). Wins over `value`.
   */
  values?: Record<string, string>;
  /**
   * For convert=list: a single value becomes a scalar instead of a one-element list, as
   * Megatron-LM does for --cp-comm-type, --moe-aux-loss-coeff, --moe-router-load-balancing-type.
   */
  scalarIfSingle?: boolean;
  /** For convert=rule: the rule's name (file name in src/mapping/rules). */
  rule?: string;
  /** For convert=drop / launcher: why there is no Bridge counterpart (shown to users). */
  reason?: string;
  /**
   * For convert=drop: what removing the flag costs. error: the run would train differently and
   * Bridge cannot express it (the launch is blocked); note: nothing changes (a no-op); default
   * warning: a setting changes or a person must decide.
   */
  severity?: 'error' | 'warning' | 'note';
  /**
   * Findings for particular values (convert=pass/rename): value as written -> what a person must
   * know when the flag has that value (e.g. --transformer-impl local, which Bridge ignores).
   */
  valueFindings?: Record<string, { severity: 'error' | 'warning' | 'note'; message: string }>;
  /**
   * Settings the flag needs beside it for Bridge to start (key -> Hydra value text): what
   * Megatron-LM implied, where the recipe holds a value that contradicts it (e.g. the recipe's
   * warmup iterations beside --lr-warmup-fraction). Written with the flag unless the script sets
   * the key itself; not affected by --no-pin-defaults.
   */
  companions?: Record<string, string>;
  /** Anything a reviewer should know (deviations from the guide, semantics). */
  note?: string;
  /** Where the entry comes from. */
  source: EntrySource;
  /** True for flags of older Megatron-LM releases that no longer exist. */
  legacy?: boolean;
}

export type MappingTable = Record<string, MappingEntry>;
