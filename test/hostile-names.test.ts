/**
 * Hostile and unlucky paths (issue 13, items 2 and 4): a name with a newline cannot inject lines
 * into the dry-run patch (headers are quoted the way git quotes them), control characters never
 * reach the terminal raw, a name that is not UTF-8 is read and written under its exact bytes, and
 * no single path can stop the run: an unsearchable folder is one error line, skipped candidates
 * (symbolic links out of the roots or dangling, FIFOs, devices) are one `skipped:` line each and
 * are listed in the JSON report. Spawns the built CLI (dist/: `npm test` builds first).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, mkdirSync, chmodSync, chownSync, symlinkSync, rmSync, existsSync, readdirSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initParser, migrate } from '../src/migrate.js';
import { quoteDiffPath } from '../src/print/diff.js';
import { terminalLine } from '../src/print/terminal.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'bridge-migrate.js');
const GOOD = readFileSync(join(ROOT, 'fixtures', 'string-var-oneline', 'input.sh'), 'utf8');
const NOBODY = 65534;
const isRoot = process.getuid?.() === 0;
let MIGRATED = '';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function cli(cwd: string | Buffer, args: Array<string>, extra: { uid?: number; gid?: number } = {}): Run {
  const r = spawnSync(process.execPath, [BIN, '--no-color', ...args], { cwd: cwd.toString(), encoding: 'utf8', timeout: 60_000, uid: extra.uid, gid: extra.gid, env: { ...process.env, NO_COLOR: '1' } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const dirs: string[] = [];
function tmp(mode = 0o700): string {
  const d = mkdtempSync(join(tmpdir(), 'bm-names-'));
  chmodSync(d, mode);
  dirs.push(d);
  return d;
}
/** A path inside `dir` from raw name bytes. */
const bytesPath = (dir: string, ...names: Array<string | Buffer>) => Buffer.concat([Buffer.from(dir), ...names.flatMap((n) => [Buffer.from('/'), Buffer.isBuffer(n) ? n : Buffer.from(n)])]);

let nobodyWorks = false;
beforeAll(async () => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  await initParser();
  MIGRATED = migrate(GOOD).output;
  if (isRoot) {
    const d = tmp(0o755);
    nobodyWorks = spawnSync(process.execPath, [BIN, '--version'], { cwd: d, uid: NOBODY, gid: NOBODY }).status === 0;
  }
});

afterAll(() => {
  for (const d of dirs) {
    spawnSync('chmod', ['-R', 'u+rwx', d]);
    rmSync(d, { recursive: true, force: true });
  }
});

describe('diff headers and terminal output', () => {
  it('quotes paths like git: C escapes, octal for other control bytes, C1 controls and bytes that are not UTF-8', () => {
    expect(quoteDiffPath('a/', 'plain/dir/train.sh')).toBe('a/plain/dir/train.sh');
    expect(quoteDiffPath('a/', 'dir\nname')).toBe('"a/dir\\nname"');
    expect(quoteDiffPath('b/', 'tab\there "q" back\\slash')).toBe('"b/tab\\there \\"q\\" back\\\\slash"');
    expect(quoteDiffPath('a/', '\x1b[31mred')).toBe('"a/\\033[31mred"');
    expect(quoteDiffPath('a/', 'caf\u00e9/日本.sh')).toBe('a/caf\u00e9/日本.sh');
    expect(quoteDiffPath('a/', '\u009bcsi')).toBe('"a/\\302\\233csi"');
    expect(quoteDiffPath('a/', Buffer.from([0x63, 0xe9, 0x2e, 0x73, 0x68]))).toBe('"a/c\\351.sh"');
  });

  it('a folder named "x\\n+++ b" cannot make the patch edit another file: git apply and patch edit the right one', (ctx) => {
    const d = tmp();
    const evil = 'x\n+++ b';
    mkdirSync(join(d, evil));
    writeFileSync(join(d, evil, 'victim.sh'), GOOD);
    writeFileSync(join(d, 'victim.sh'), 'echo I must not change\n');
    const r = cli(d, [`${evil}/victim.sh`]);
    expect(r.status).toBe(0);
    expect(r.stdout.startsWith('--- "a/x\\n+++ b/victim.sh"\n+++ "b/x\\n+++ b/victim.sh"\n@@ ')).toBe(true);
    writeFileSync(join(d, 'change.patch'), r.stdout);
    for (const tool of [['git', 'apply', 'change.patch'], ['patch', '-p1', '-i', 'change.patch']]) {
      if (spawnSync(tool[0], ['--version']).error) {
        ctx.annotate?.(`${tool[0]} not installed: not tried`);
        continue;
      }
      const copy = tmp();
      cpSync(d, copy, { recursive: true });
      const applied = spawnSync(tool[0], tool.slice(1), { cwd: copy, encoding: 'utf8' });
      expect(applied.status, `${tool.join(' ')}: ${applied.stderr}${applied.stdout}`).toBe(0);
      expect(readFileSync(join(copy, 'victim.sh'), 'utf8')).toBe('echo I must not change\n');
      expect(readFileSync(join(copy, evil, 'victim.sh'), 'utf8')).toBe(MIGRATED);
    }
  });

  it('control characters in paths and script text reach stderr escaped (ESC as \\e), never raw', () => {
    const d = tmp();
    const name = '\x1b]0;owned\x07\x1b[2J.sh';
    writeFileSync(join(d, name), 'binary\0file');
    writeFileSync(join(d, 'flag.sh'), 'torchrun pretrain_gpt.py --num-layers 2 --evil-\x1b[31mflag\n');
    const r = cli(d, ['.']);
    expect(r.stderr).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain('\\e]0;owned\\a\\e[2J.sh: error: binary file (contains NUL bytes); not a shell script\n');
    expect(r.stderr).toContain('removed `--evil-\\e[31mflag`');
    expect(terminalLine('a\rb\tc\u009bd')).toBe('a\\rb\tc\\x9bd');
  });
});

describe('per-path problems never stop the run', () => {
  it('a file name that is not UTF-8: migrated under its exact bytes, quoted in the patch, exact in the JSON', () => {
    const d = tmp();
    writeFileSync(join(d, 'good.sh'), GOOD);
    const latin = Buffer.from('caf\xe9.sh', 'latin1');
    writeFileSync(bytesPath(d, latin), GOOD);
    const dry = cli(d, ['--json', 'report.json', '.']);
    expect(dry.stderr).not.toContain('internal error');
    expect(dry.stdout).toContain('--- "a/caf\\351.sh"\n+++ "b/caf\\351.sh"\n');
    expect(dry.stdout).toContain('--- a/good.sh\n');
    expect(dry.status).toBe(0);
    const report = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as { files: Array<{ path: string; pathBase64?: string; status: string }> };
    const entry = report.files.find((f) => f.pathBase64)!;
    expect(entry.path).toBe('caf\\xe9.sh');
    expect(Buffer.from(entry.pathBase64!, 'base64')).toEqual(Buffer.from('caf\xe9.sh', 'latin1'));
    expect(entry.status).toBe('changed');
    const w = cli(d, ['--write', '.']);
    expect(w.status).toBe(0);
    expect(readFileSync(bytesPath(d, latin), 'utf8')).toBe(MIGRATED);
    const names = readdirSync(d, { encoding: 'buffer' });
    expect(names.some((n) => n.equals(latin))).toBe(true);
    expect(names.filter((n) => n.includes('.bridge-migrate-'))).toEqual([]);
  });

  it('a folder name that is not UTF-8: walked, not skipped silently', () => {
    const d = tmp();
    const dir = Buffer.from([0x64, 0xff, 0xfe]);
    mkdirSync(bytesPath(d, dir));
    writeFileSync(bytesPath(d, dir, 'x.sh'), GOOD);
    const r = cli(d, ['.']);
    expect(r.stdout).toContain('--- "a/d\\377\\376/x.sh"\n');
    expect(r.stderr).toMatch(/1 file scanned, 1 would change/);
    expect(r.status).toBe(0);
  });

  it('a folder with read but no search permission (as nobody): one error for it, the other files processed', (ctx) => {
    if (!isRoot || !nobodyWorks) return ctx.skip('needs root to run the CLI as nobody (root searches any folder)');
    const d = tmp(0o755);
    writeFileSync(join(d, 'good.sh'), GOOD);
    mkdirSync(join(d, 'listed'));
    writeFileSync(join(d, 'listed', 'x.sh'), GOOD);
    chownSync(join(d, 'listed'), NOBODY, NOBODY);
    chmodSync(join(d, 'listed'), 0o444);
    const r = cli(d, ['.'], { uid: NOBODY, gid: NOBODY });
    expect(r.stderr).not.toContain('internal error');
    expect(r.stderr).toContain('listed: error: cannot search directory: permission denied (it can be listed but its entries cannot be opened: it lacks the x permission); its scripts were not processed\n');
    expect(r.stdout).toContain('--- a/good.sh\n');
    expect(r.status).toBe(2);
  });

  it('skipped candidates get a line each and a JSON entry: links out of the roots, dangling links, FIFOs, devices', (ctx) => {
    const outside = tmp();
    writeFileSync(join(outside, 'elsewhere.sh'), GOOD);
    const d = tmp();
    writeFileSync(join(d, 'good.sh'), GOOD);
    symlinkSync(join(outside, 'elsewhere.sh'), join(d, 'out.sh'));
    symlinkSync(outside, join(d, 'outdir'));
    symlinkSync(join(d, 'missing.sh'), join(d, 'dangling.sh'));
    symlinkSync(join(outside, 'elsewhere.sh'), join(d, 'notes.txt')); // not a candidate name: no line
    const fifo = spawnSync('mkfifo', [join(d, 'pipe.sh')]).status === 0;
    const device = isRoot && spawnSync('mknod', [join(d, 'null.sh'), 'c', '1', '3']).status === 0;
    const r = cli(d, ['--json', 'report.json', '.']);
    expect(r.stderr).toContain(`out.sh: skipped: symbolic link to ${join(outside, 'elsewhere.sh')}, outside the given folders (not followed)\n`);
    expect(r.stderr).toContain(`outdir: skipped: symbolic link to ${outside}, outside the given folders (not followed)\n`);
    expect(r.stderr).toContain('dangling.sh: skipped: dangling symbolic link (its target does not exist)\n');
    expect(r.stderr).not.toContain('notes.txt');
    if (fifo) expect(r.stderr).toContain('pipe.sh: skipped: a FIFO (named pipe), not a regular file (not read)\n');
    if (device) expect(r.stderr).toContain('null.sh: skipped: a character device, not a regular file (not read)\n');
    expect(r.status).toBe(0);
    const report = JSON.parse(readFileSync(join(d, 'report.json'), 'utf8')) as { skipped: Array<{ path: string; reason: string }> };
    const paths = report.skipped.map((s) => s.path).sort();
    expect(paths).toEqual(['dangling.sh', ...(device ? ['null.sh'] : []), 'out.sh', 'outdir', ...(fifo ? ['pipe.sh'] : [])].sort());
    expect(report.skipped.find((s) => s.path === 'dangling.sh')?.reason).toBe('dangling symbolic link (its target does not exist)');
    if (!fifo || !device) ctx.annotate?.('mkfifo or mknod not available: those cases not tried');
  });
});
