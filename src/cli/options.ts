/** Command-line options of `bridge-migrate`. */
import type { Severity } from '../findings.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: OutputFormat[] = ['text', 'json', 'sarif', 'github'];
export type FailOn = Extract<Severity, 'error' | 'warning'>;

export interface CliOptions {
  /** `bridge-migrate explain FLAG`: the flag to explain. */
  explain?: string;
  listRecipes: boolean;
  paths: string[];
  write: boolean;
  check: boolean;
  /** With --check: print the diff too. */
  diff: boolean;
  /** -l/--list: print only the names of files that would change (or were written). */
  list: boolean;
  /** Lines of context in diffs (-U N). */
  context?: number;
  /** Exit 1 when a finding of this severity or worse exists (default with --check: warning). */
  failOn?: FailOn;
  verbose: boolean;
  statistics: boolean;
  format: OutputFormat;
  force: boolean;
  json?: string;
  report?: string;
  config?: string;
  ignore: string[];
  jobs?: number;
  maxBytes?: number;
  recipe?: string;
  bridgeRoot?: string;
  pinDefaults: boolean;
  color?: boolean;
  quiet: boolean;
  help: boolean;
  version: boolean;
  /** Run every migrated launch through the real Megatron Bridge. */
  verify: boolean;
  /** Python of the Bridge environment for --verify. */
  python?: string;
}

export const USAGE = `Usage: bridge-migrate [options] <paths...>
       bridge-migrate explain <FLAG>
       bridge-migrate --list-recipes

Migrates Megatron-LM launch scripts (pretrain_gpt.py under torchrun, srun, deepspeed, mpirun ...)
to Megatron Bridge (scripts/training/run_recipe.py with Hydra overrides).
Prints a unified diff per changed file; writes nothing unless --write is given. Findings go to
stderr as file:line: error|warning|note: message (notes only with --verbose).

Modes:
  --write               apply the changes in place
  --force               with --write, also replace write-protected files and files
                        owned by another user (written in place when possible)
  --check               write nothing; name each file that would change ("would migrate: PATH")
                        and each blocked launch; exit 1 when a file would change or a finding
                        reaches --fail-on (default warning)
  --diff                with --check: print the diff on stdout too (names go to stderr)
  -l, --list            print only the names of files that would change (written with --write)
  --statistics          one line per flag and outcome, with counts and the reason
  --format <f>          stdout format: text (diff, default), json, sarif (SARIF 2.1.0),
                        github (workflow annotations ::error file=...,line=...::)
  explain <FLAG>        how FLAG is migrated: arity, Bridge key or why none, value, recipe value
  --list-recipes        the Bridge recipes --recipe accepts

Options:
  --fail-on <level>     exit 1 when a finding is at least this severe: error | warning
  -v, --verbose         also print notes (what the tool did for you)
  -U, --unified <n>     lines of context in diffs (default 3)
  --json <file|->       write the machine-readable report (- for stdout)
  --report <file.html>  write a self-contained HTML review page
  --config <file>       settings and fork-specific flag mappings (default: the nearest
                        bridge-migrate.config.json in or above each path)
  --ignore <glob>       skip matching paths (gitignore syntax; repeatable)
  --jobs <n>            threads migrating files (default: one per core for many files)
  --max-bytes <n>       skip files larger than this (default 5242880)
  --recipe <name|auto>  Bridge recipe (default: vanilla_gpt_pretrain_config)
  --bridge-root <text>  Megatron Bridge checkout as shell text
                        (default: \${MEGATRON_BRIDGE_DIR:-/opt/Megatron-Bridge})
  --no-pin-defaults     do not pin Megatron-LM defaults that the recipe changes
  --verify              check every migrated launch with the real Megatron Bridge
                        (its runner, Hydra, ConfigContainer.validate()); exit 1 when
                        one would not start
  --python <path>       Python of the Bridge environment for --verify
                        (default: $BRIDGE_PYTHON, else python3)
  --color / --no-color  force or disable colour (default: on a terminal; NO_COLOR and
                        FORCE_COLOR are respected)
  -q, --quiet           no summary line
  -h, --help            this help
  --version             print the version

Exit codes:
  0  nothing to do or report at the --fail-on level
  1  --check: a file would change, or a finding reaches --fail-on (default warning);
     otherwise: a finding reaches --fail-on, when given
  2  usage or configuration error (nothing was read), or a file could not be processed
     (the other files still were)`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    paths: [], listRecipes: false, write: false, check: false, diff: false, list: false, verbose: false, statistics: false,
    format: 'text', ignore: [], pinDefaults: true, quiet: false, help: false, version: false, verify: false, force: false,
  };
  const int = (name: string, v: string, min: number) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${name} needs a whole number of at least ${min}, got "${v}"`);
    return Number(v);
  };
  const oneOf = <T extends string>(name: string, v: string, allowed: readonly T[]): T => {
    if (!allowed.includes(v as T)) throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
  const args = argv[0] === 'explain' ? argv.slice(1) : argv;
  const explaining = argv[0] === 'explain';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => {
      if (inline !== undefined) return inline;
      const v = args[i + 1];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      i++;
      return v;
    };
    // `-U5` as well as `-U 5`.
    if (/^-U\d+$/.test(a)) {
      o.context = int('-U', a.slice(2), 0);
      continue;
    }
    if (explaining && a !== '-h' && a !== '--help') {
      if (o.explain !== undefined) throw new UsageError('explain takes one flag, e.g. `bridge-migrate explain --num-layers`');
      o.explain = a;
      continue;
    }
    switch (name) {
      case '--write': o.write = true; break;
      case '--check': o.check = true; break;
      case '--diff': o.diff = true; break;
      case '-l': case '--list': o.list = true; break;
      case '-U': case '--unified': o.context = int(name, take(), 0); break;
      case '--fail-on': o.failOn = oneOf(name, take(), ['error', 'warning'] as const); break;
      case '-v': case '--verbose': o.verbose = true; break;
      case '--statistics': o.statistics = true; break;
      case '--format': o.format = oneOf(name, take(), FORMATS); break;
      case '--list-recipes': o.listRecipes = true; break;
      case '--force': o.force = true; break;
      case '--json': o.json = take(); break;
      case '--report': o.report = take(); break;
      case '--config': o.config = take(); break;
      case '--ignore': o.ignore.push(take()); break;
      case '--jobs': case '-j': o.jobs = int(name, take(), 1); break;
      case '--max-bytes': o.maxBytes = int(name, take(), 1); break;
      case '--recipe': o.recipe = take(); break;
      case '--bridge-root': o.bridgeRoot = take(); break;
      case '--no-pin-defaults': o.pinDefaults = false; break;
      case '--verify': o.verify = true; break;
      case '--python': o.python = take(); break;
      case '--color': o.color = true; break;
      case '--no-color': o.color = false; break;
      case '--quiet': case '-q': o.quiet = true; break;
      case '-h': case '--help': o.help = true; break;
      case '--version': o.version = true; break;
      case '--': o.paths.push(...args.slice(i + 1)); i = args.length; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  if (explaining && o.explain === undefined && !o.help) throw new UsageError('explain needs a flag, e.g. `bridge-migrate explain --num-layers`');
  if (o.write && o.check) throw new UsageError('--write and --check cannot be used together');
  if (o.diff && !o.check) throw new UsageError('--diff goes with --check (without --check the diff is printed anyway)');
  const stdoutModes = [o.list && '--list', o.statistics && '--statistics', o.format !== 'text' && `--format ${o.format}`, o.json === '-' && '--json -', o.diff && '--diff'].filter(Boolean);
  if (stdoutModes.length > 1) throw new UsageError(`${stdoutModes.join(' and ')} both write to stdout: pick one`);
  if (o.force && !o.write) throw new UsageError('--force only makes sense with --write');
  return o;
}
