/**
 * The deepspeed launcher passes `--local_rank=N` to the script it starts, which run_recipe.py
 * rejects. Rewritten to torchrun where deepspeed's options fix the process layout torchrun can
 * reproduce (one node, or one launcher per node with `--no_ssh`); otherwise deepspeed is kept and
 * told not to pass the flag (`--no_local_rank`: run_recipe.py reads LOCAL_RANK, which deepspeed
 * sets in the environment). Options are those of deepspeed/launcher/runner.py (`--no_ssh` from
 * newer releases).
 */
import type { SourceLines } from '../parse/source-lines.js';
import type { Span } from '../resolve/launches.js';
import { deletionRange, type Edit } from './edits.js';

/** deepspeed runner options that take a value, by every spelling. */
const VALUE_OPTIONS = new Map<string, string>([
  ['-H', 'hostfile'],
  ['--hostfile', 'hostfile'],
  ['-i', 'include'],
  ['--include', 'include'],
  ['-e', 'exclude'],
  ['--exclude', 'exclude'],
  ['--num_nodes', 'num_nodes'],
  ['--min_elastic_nodes', 'min_elastic_nodes'],
  ['--max_elastic_nodes', 'max_elastic_nodes'],
  ['--num_gpus', 'num_gpus'],
  ['--num_accelerators', 'num_gpus'],
  ['--master_port', 'master_port'],
  ['--master_addr', 'master_addr'],
  ['--node_rank', 'node_rank'],
  ['--launcher', 'launcher'],
  ['--launcher_args', 'launcher_args'],
  ['--enable_each_rank_log', 'enable_each_rank_log'],
  ['--autotuning', 'autotuning'],
  ['--bind_core_list', 'bind_core_list'],
  ['--ssh_port', 'ssh_port'],
]);

const SWITCHES = new Map<string, string>([
  ['--module', 'module'],
  ['--no_python', 'no_python'],
  ['--no_local_rank', 'no_local_rank'],
  ['--no_ssh_check', 'no_ssh_check'],
  ['--no_ssh', 'no_ssh'],
  ['--force_multi', 'force_multi'],
  ['--save_pid', 'save_pid'],
  ['--elastic_training', 'elastic_training'],
  ['--bind_cores_to_rank', 'bind_cores_to_rank'],
]);

/** Options with no torchrun counterpart: deepspeed stays (with --no_local_rank). */
const KEEP_DEEPSPEED = new Set(['include', 'exclude', 'min_elastic_nodes', 'max_elastic_nodes', 'launcher_args', 'enable_each_rank_log', 'bind_core_list', 'ssh_port', 'force_multi', 'elastic_training', 'bind_cores_to_rank']);
/** Options under which run_recipe.py cannot be started this way at all. */
const BLOCKING = new Set(['module', 'no_python', 'autotuning']);

interface Option {
  name: string;
  /** The option word (and its value word, when written apart). */
  words: Span[];
  /** Value as written (shell text), for value options. */
  value?: string;
  /** Written as `--opt=value`. */
  inline: boolean;
}

const STATIC = /^[A-Za-z0-9_.\/:@%+-]+$/;

function parseOptions(words: Span[]): { options: Option[]; unknown: Span[] } {
  const options: Option[] = [];
  const unknown: Span[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const eq = w.text.indexOf('=');
    const head = eq === -1 ? w.text : w.text.slice(0, eq);
    const valueName = VALUE_OPTIONS.get(head);
    if (valueName && eq !== -1) {
      options.push({ name: valueName, words: [w], value: w.text.slice(eq + 1), inline: true });
    } else if (valueName && i + 1 < words.length) {
      options.push({ name: valueName, words: [w, words[i + 1]], value: words[i + 1].text, inline: false });
      i++;
    } else if (SWITCHES.has(w.text)) {
      options.push({ name: SWITCHES.get(w.text)!, words: [w], inline: false });
    } else {
      unknown.push(w);
    }
  }
  return { options, unknown };
}

export interface DeepspeedRewrite {
  edits: Edit[];
  warnings: string[];
}

/** `launcherWords`: the words before the entrypoint; `free`: the launch sits inside a string. */
export function rewriteDeepspeed(launcherWords: Span[], lines: SourceLines, free: boolean, taken: Edit[]): DeepspeedRewrite | undefined {
  const at = launcherWords.findIndex((w) => /(^|\/)deepspeed$/.test(w.text));
  if (at === -1) return undefined;
  const launcher = launcherWords[at];
  const { options, unknown } = parseOptions(launcherWords.slice(at + 1));
  const get = (name: string) => options.filter((o) => o.name === name).pop();
  if (get('no_local_rank')) return { edits: [], warnings: [] };
  const blocking = options.filter((o) => BLOCKING.has(o.name));
  if (blocking.length) {
    const o = blocking[0];
    const what = o.name === 'autotuning' ? "runs DeepSpeed's autotuner, which tunes a DeepSpeed config that Bridge does not read" : `starts the entrypoint ${o.name === 'module' ? 'as a Python module' : 'without python'}, which run_recipe.py is not made for`;
    return { edits: [], warnings: [`blocked: deepspeed ${o.words.map((w) => w.text).join(' ')} ${what}, and deepspeed passes --local_rank=N, which run_recipe.py rejects; start run_recipe.py with torchrun (--nproc_per_node <GPUs per node>) instead`] };
  }
  const keep = (why: string): DeepspeedRewrite => ({
    edits: [{ start: launcher.end, end: launcher.end, text: ' --no_local_rank' }],
    warnings: [`the deepspeed launcher passes --local_rank=N to the script, which run_recipe.py rejects; ${why}, so deepspeed is kept and given --no_local_rank (run_recipe.py reads LOCAL_RANK from the environment, which deepspeed sets). DeepSpeed releases without --no_local_rank reject it: then start the job with torchrun on every node`],
  });
  if (unknown.length) return keep(`its options ${unknown.map((w) => `\`${w.text}\``).join(' ')} are not ones bridge-migrate can carry over to torchrun`);
  const kept = options.filter((o) => KEEP_DEEPSPEED.has(o.name));
  if (kept.length) return keep(`torchrun has no counterpart for ${kept.map((o) => o.words.map((w) => w.text).join(' ')).join(', ')}`);
  if (options.some((o) => o.value !== undefined && !STATIC.test(o.value) && !/^"?\$\{?[A-Za-z_][A-Za-z0-9_]*\}?"?$/.test(o.value))) {
    return keep('some of its option values are computed in a way bridge-migrate cannot follow');
  }
  const nodes = get('num_nodes');
  const gpus = get('num_gpus');
  const hostfile = get('hostfile');
  const perNode = !!get('no_ssh');
  const oneNode = nodes ? STATIC.test(nodes.value!) && Number(nodes.value) <= 1 : !hostfile;
  if (!oneNode && !perNode) {
    return keep(hostfile ? `it starts the processes on the hosts of ${hostfile.words.map((w) => w.text).join(' ')} over ssh, which torchrun does not do` : 'the number of nodes is not known here');
  }
  if (perNode && !oneNode && (!nodes || !get('node_rank') || !get('master_addr'))) {
    return keep('with --no_ssh on several nodes, torchrun needs --num_nodes, --node_rank and --master_addr to be given');
  }
  if (!gpus && hostfile) return keep(`the number of processes per node comes from the slots in ${hostfile.words.map((w) => w.text).join(' ')}`);

  const edits: Edit[] = [{ start: launcher.start, end: launcher.end, text: launcher.text.replace(/deepspeed$/, 'torchrun') }];
  const rename = (o: Option, to: string) => {
    const w = o.words[0];
    const head = o.inline ? w.text.slice(0, w.text.indexOf('=')) : w.text;
    edits.push({ start: w.start, end: w.start + head.length, text: to });
  };
  const drop = (o: Option) => {
    for (const w of o.words) edits.push(deletionRange(lines, w.start, w.end, free, [...taken, ...edits]));
  };
  const dropped: string[] = [];
  for (const o of options) {
    switch (o.name) {
      case 'num_gpus':
        rename(o, '--nproc_per_node');
        break;
      case 'num_nodes':
        rename(o, '--nnodes');
        break;
      case 'master_port':
        break;
      case 'master_addr':
      case 'node_rank':
        // On one node deepspeed always uses 127.0.0.1, as torchrun does.
        if (oneNode) {
          drop(o);
          dropped.push(o.words.map((w) => w.text).join(' '));
        }
        break;
      default:
        // hostfile (one node), launcher, no_ssh, no_ssh_check, save_pid: nothing to carry.
        drop(o);
        dropped.push(o.words.map((w) => w.text).join(' '));
    }
  }
  if (!gpus) edits.push({ start: launcher.end, end: launcher.end, text: ' --nproc_per_node gpu' });
  const counts = [`${gpus ? gpus.value : 'all local GPUs (gpu)'} per node`, ...(nodes && !oneNode ? [`${nodes.value} nodes`] : [])].join(', ');
  return {
    edits,
    warnings: [`the deepspeed launcher passes --local_rank=N to the script, which run_recipe.py rejects: started with torchrun instead, with the same processes (${counts})${dropped.length ? `; dropped ${dropped.map((d) => `\`${d}\``).join(', ')} (nothing to carry over to torchrun)` : ''}`],
  };
}
