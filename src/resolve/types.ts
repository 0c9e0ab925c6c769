/** Shapes shared by the resolver, the mapper and the rewriter. */

/** A piece of one argv word: literal text (already unquoted) or a shell expansion kept verbatim. */
export type Part =
  | { kind: 'lit'; text: string }
  | {
      kind: 'exp';
      /** Bash source of the expansion, valid inside double quotes (`$X`, `${X:-1}`, `$(cmd)`). */
      text: string;
      /** Variable name when the expansion is a plain reference (`$X`, `${X}`, `${X[@]}`). */
      name?: string;
      /** `${X[@]}` / `${X[*]}`. */
      array?: boolean;
      /** Written inside double quotes (not split / globbed where it is written). */
      quoted: boolean;
      /** Source text kept byte for byte (a `bash -c` word with backslash escapes). */
      verbatim?: boolean;
    };

/**
 * Where a word is written, which decides how replacement text must be quoted.
 * - word:      a shell word of a command line or of an array literal; we write shell words.
 * - dq-split:  inside a "..." assignment value that reaches the launch through an unquoted
 *              expansion: split on whitespace later, quotes inside are literal characters.
 * - sq-split:  the same inside '...'.
 * - dq-code:   inside a "..." string that bash parses again as code (`bash -c "..."`).
 * - sq-code:   inside a '...' string that bash parses again as code (`bash -c '...'`).
 * - word-code: a shell word (an array element) whose value is pasted into code that bash parses
 *              again (`CMD="python pretrain_gpt.py ${A[@]}"` run by `bash -c "$CMD"` or eval).
 * - alt-word:  a word inside the word of an unquoted `${X:+...}` / `${X:-...}` on a command line
 *              or in an array (quotes and expansions as in a shell word; an unquoted `}` would
 *              end the expansion).
 */
export type WordContext = 'word' | 'dq-split' | 'sq-split' | 'dq-code' | 'sq-code' | 'word-code' | 'alt-word';

/**
 * An unquoted `${X:+word}` (or `+`, `:-`, `-`) whose word holds flags: the word's own tokens,
 * which reach the program only under the expansion's condition.
 */
export interface Alternate {
  variable: string;
  op: ':+' | '+' | ':-' | '-';
  /** Span of the whole expansion, and of its word. */
  start: number;
  end: number;
  bodyStart: number;
  bodyEnd: number;
  tokens: Token[];
}

export interface Token {
  parts: Part[];
  /** Source span [start, end) of the word as written. */
  start: number;
  end: number;
  ctx: WordContext;
  /** Unquoted expansion that can expand to several argv words. */
  splat: boolean;
  /** The quoted array element this word was split out of (an unquoted ${A[@]} splits it). */
  group?: { start: number; end: number };
  /** The token is one `${X:+...}` expansion whose word holds flags (see resolve/alternates.ts). */
  alternate?: Alternate;
  /** Why a `${X:+--flag ...}` token's flags cannot be read (it stays one opaque word). */
  alternateProblem?: { variable: string; op: Alternate['op']; why: string };
}

/** How a carrier variable reaches the launch. */
/** split: word-split after expansion; words: "${A[@]}" (each element one word); quoted: "$X" (one word); code: parsed again. */
export type ExpansionMode = 'split' | 'words' | 'quoted' | 'code';

/** A run of tokens written in one place: the launch line or one assignment of a carrier. */
export interface Segment {
  tokens: Token[];
  /** The statement that holds the segment (comments about removed flags go above it). */
  statementStart: number;
  /** Ids of enclosing if/case/loop/function nodes: flags with different paths are conditional. */
  branchPath: string;
  /** Variable that holds this segment, or undefined for the launch command itself. */
  variable?: string;
  /** 1-based line of the segment's start. */
  line: number;
}

/** One value of a variable that names a flag (`--${DTYPE}`), and every value the script gives it. */
export interface Choice {
  variable: string;
  value: string;
  values: string[];
  /** 1-based lines of the assignments. */
  lines: number[];
}

/** A Megatron-LM flag occurrence with its value words, as written. */
export interface FlagOccurrence {
  /** Option string as written (before `=`), e.g. "--num-layers". */
  flag: string;
  /** Value words (for `--flag=value`, one synthetic token holding the part after `=`). */
  values: Token[];
  /** The flag word itself. */
  flagToken: Token;
  /** Written as `--flag=value`. */
  inlineValue: boolean;
  segment: Segment;
  /** Span covering the flag and its values. */
  start: number;
  end: number;
  line: number;
  /** Problems found while reading it (missing value, unknown arity ...). */
  problems: string[];
  /** The flag name as written when it was built from a variable the script fixes (`--${DTYPE}`). */
  nameFrom?: string;
  /** Its value is an unfilled template placeholder with blanks (`<PATH TO vocab.json>`), as written. */
  placeholder?: string;
  /** Written inside `${X:+...}` (or `${X:-...}`): it reaches the program only under that condition. */
  condition?: Omit<Alternate, 'tokens'>;
  /**
   * The flag name is `--${V}` and the script sets V to a few literal values (`DTYPE=fp16`, in a
   * branch `DTYPE=bf16`): this occurrence is the flag for one of them.
   */
  choice?: Choice;
  /** Not written in the script: a setting of the DeepSpeed config that this --deepspeed_config occurrence names, read as a flag. */
  standInFor?: FlagOccurrence;
}
