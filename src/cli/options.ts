/** Command-line options of `bridge-migrate`. */
export interface CliOptions {
  paths: string[];
  write: boolean;
  check: boolean;
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
}

export const USAGE = `Usage: bridge-migrate [options] <paths...>

Migrates Megatron-LM launch scripts (pretrain_gpt.py under torchrun, srun, deepspeed, mpirun ...)
to Megatron Bridge (scripts/training/run_recipe.py with Hydra overrides).
Prints a unified diff per changed file; writes nothing unless --write is given.

Options:
  --write               apply the changes in place
  --force               with --write, also replace write-protected files and files
                        owned by another user (written in place when possible)
  --check               write nothing; exit 1 when any file would change
  --json <file|->       write the machine-readable report (- for stdout)
  --report <file.html>  write a self-contained HTML review page
  --config <file>       settings and fork-specific flag mappings
                        (default: ./bridge-migrate.config.json when present)
  --ignore <glob>       skip matching paths (gitignore syntax; repeatable)
  --jobs <n>            worker threads (default: one per core for many files)
  --max-bytes <n>       skip files larger than this (default 5242880)
  --recipe <name>       Bridge recipe (default: vanilla_gpt_pretrain_config)
  --bridge-root <text>  Megatron Bridge checkout as shell text
                        (default: \${MEGATRON_BRIDGE_DIR:-/opt/Megatron-Bridge})
  --no-pin-defaults     do not pin Megatron-LM defaults that the recipe changes
  --color / --no-color  force or disable colour (NO_COLOR is respected)
  --quiet               no summary line
  -h, --help            this help
  --version             print the version

Exit codes: 0 success, 1 with --check when files would change, 2 when any file could not be processed.`;

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = { paths: [], write: false, check: false, force: false, ignore: [], pinDefaults: true, quiet: false, help: false, version: false };
  const int = (name: string, v: string, min: number) => {
    if (!/^\d+$/.test(v) || Number(v) < min) throw new UsageError(`${name} needs a whole number of at least ${min}, got "${v}"`);
    return Number(v);
  };
  const value = (i: number, name: string) => {
    const v = argv[i + 1];
    if (v === undefined) throw new UsageError(`${name} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [name, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(i, name);
      i++;
      return v;
    };
    switch (name) {
      case '--write': o.write = true; break;
      case '--check': o.check = true; break;
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
      case '--color': o.color = true; break;
      case '--no-color': o.color = false; break;
      case '--quiet': case '-q': o.quiet = true; break;
      case '-h': case '--help': o.help = true; break;
      case '--version': o.version = true; break;
      case '--': o.paths.push(...argv.slice(i + 1)); i = argv.length; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  if (o.write && o.check) throw new UsageError('--write and --check cannot be used together');
  if (o.force && !o.write) throw new UsageError('--force only makes sense with --write');
  return o;
}
