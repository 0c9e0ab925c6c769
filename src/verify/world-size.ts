/**
 * How many processes a launch starts, read from its launcher's words (torchrun, python -m
 * torch.distributed.run, srun, mpirun, deepspeed). The verifier checks the run at that size;
 * when the launcher does not say, the model-parallel product (TP x PP x CP, times EP when larger)
 * is the smallest world the configuration can start on.
 */

/** The value of an option written `--name V` or `--name=V`. */
function optionValue(words: string[], names: string[]): string | undefined {
  let found: string | undefined;
  words.forEach((w, i) => {
    for (const n of names) {
      if (w === n && i + 1 < words.length) found = words[i + 1];
      else if (w.startsWith(`${n}=`)) found = w.slice(n.length + 1);
    }
  });
  return found;
}

function count(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const max = /^\d+:(\d+)$/.exec(text); // torchrun --nnodes MIN:MAX
  const n = Number(max ? max[1] : text);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** An optional count: absent (the launcher's default applies), a number, or unknown (not a literal count). */
function optionalCount(words: string[], names: string[], fallback: number): number | undefined {
  const text = optionValue(words, names);
  return text === undefined ? fallback : count(text);
}

export interface WorldSize {
  size: number;
  /** Where the number comes from. */
  from: string;
}

/** `sbatchTasks`: the task count the job's #SBATCH lines give an srun step without its own. */
export function launcherWorldSize(launcher: string[], sbatchTasks?: string): WorldSize | undefined {
  const torch = launcher.some((w) => /(^|\/)torchrun$/.test(w) || w === 'torch.distributed.run' || w === 'torch.distributed.launch');
  if (torch) {
    const perNode = count(optionValue(launcher, ['--nproc_per_node', '--nproc-per-node']));
    const nodes = optionalCount(launcher, ['--nnodes'], 1);
    if (perNode && nodes) return { size: perNode * nodes, from: `${perNode} process${perNode === 1 ? '' : 'es'} per node x ${nodes} node${nodes === 1 ? '' : 's'}` };
    return undefined;
  }
  if (launcher.some((w) => /(^|\/)deepspeed$/.test(w))) {
    const gpus = count(optionValue(launcher, ['--num_gpus', '--num-gpus']));
    const nodes = optionalCount(launcher, ['--num_nodes', '--num-nodes'], 1);
    if (gpus && nodes) return { size: gpus * nodes, from: `deepspeed --num_gpus ${gpus} x ${nodes} node${nodes === 1 ? '' : 's'}` };
    return undefined;
  }
  if (launcher.some((w) => /(^|\/)(mpirun|mpiexec)$/.test(w))) {
    const n = count(optionValue(launcher, ['-np', '-n', '--np']));
    if (n) return { size: n, from: `mpirun -np ${n}` };
  }
  if (launcher.some((w) => /(^|\/)srun$/.test(w))) {
    // A task or node count the script does not fix: the size is unknown, whatever #SBATCH says.
    const given = ['-n', '--ntasks', '-N', '--nodes', '--ntasks-per-node'].map((name) => optionValue(launcher, [name])).filter((text) => text !== undefined);
    if (given.some((text) => count(text) === undefined)) return undefined;
    const tasks = count(optionValue(launcher, ['-n', '--ntasks']));
    if (tasks) return { size: tasks, from: `srun --ntasks ${tasks}` };
    const nodes = count(optionValue(launcher, ['-N', '--nodes']));
    const perNode = count(optionValue(launcher, ['--ntasks-per-node']));
    if (nodes && perNode) return { size: nodes * perNode, from: `srun ${nodes} nodes x ${perNode} tasks` };
    const job = count(sbatchTasks);
    if (job) return { size: job, from: `the job's #SBATCH tasks (${job})` };
  }
  return undefined;
}

/** The smallest world the overrides' parallel sizes can start on. */
export function modelParallelWorld(overrides: Map<string, string>): WorldSize {
  const size = (key: string) => {
    const n = Number(overrides.get(key) ?? overrides.get(key.replace('model.', 'model.transformer.')) ?? 1);
    return Number.isInteger(n) && n > 0 ? n : 1;
  };
  const tp = size('model.tensor_model_parallel_size');
  const pp = size('model.pipeline_model_parallel_size');
  const cp = size('model.context_parallel_size');
  const ep = size('model.expert_model_parallel_size');
  const etp = size('model.expert_tensor_parallel_size');
  const dense = tp * pp * cp;
  const expert = ep * etp * pp;
  const world = lcm(dense, expert);
  return { size: world, from: `the launcher does not say; the model-parallel product (TP ${tp} x PP ${pp} x CP ${cp}${ep > 1 ? `, EP ${ep}` : ''})` };
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function lcm(a: number, b: number): number {
  return (a / gcd(a, b)) * b;
}
