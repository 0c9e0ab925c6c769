// Finding launches in a capture (the argv every stub launcher recorded) and guessing their world size.
import { finalOverrides, optionOverrides, readRecipeArgv } from './recipe-argv.mjs';
import { ENTRYPOINT, RUN_RECIPE } from './megatron-argv.mjs';

/**
 * calls: capture.py's list of argv. srun records its argv and then runs the program (itself a stub when it is
 * python or torchrun), so srun records are not launches of their own; the record before a launch is kept as
 * `outer` for its process counts.
 * Returns [{ kind: 'megatron' | 'bridge', argv, at, entrypoint, words, prefix, outer }].
 */
export function findLaunches(calls) {
  const launches = [];
  calls.forEach((argv, at) => {
    if (argv[0] === 'srun') return;
    const megatron = argv.findIndex((word) => ENTRYPOINT.test(word));
    const bridge = argv.findIndex((word) => RUN_RECIPE.test(word));
    const position = bridge >= 0 ? bridge : megatron;
    if (position < 0) return;
    const previous = calls[at - 1];
    launches.push({
      kind: bridge >= 0 ? 'bridge' : 'megatron',
      argv, at,
      entrypoint: argv[position].split('/').pop(),
      prefix: argv.slice(0, position),
      words: argv.slice(position + 1),
      outer: previous && previous[0] === 'srun' ? previous : null,
    });
  });
  return launches;
}

function optionValue(words, names) {
  for (let index = words.length - 1; index >= 0; index -= 1) {
    const word = words[index];
    for (const name of names) {
      if (word === name && index + 1 < words.length) return words[index + 1];
      if (word.startsWith(`${name}=`)) return word.slice(name.length + 1);
    }
  }
  return null;
}

function count(text) {
  if (text === null || text === undefined) return null;
  const range = /^(\d+)(?::(\d+))?$/.exec(String(text).trim());
  if (!range) return null;
  const value = Number(range[2] ?? range[1]);
  return value > 0 ? value : null;
}

/**
 * World size from the launcher's own argv: torchrun / torch.distributed.{launch,run} --nproc_per_node x --nnodes,
 * deepspeed --num_gpus x --num_nodes, mpirun -np, or srun -n / -N x --ntasks-per-node for a bare python.
 * Values are what the capture saw (capture.py sets unset variables to "1").
 */
export function worldSize(launch) {
  // Wrappers such as numactl, nsys or env come first; the launcher is the first word that names one.
  const start = launch.prefix.findIndex((word, index) => {
    const base = word.split('/').pop();
    if (['torchrun', 'deepspeed', 'mpirun', 'mpiexec'].includes(base)) return true;
    return /^python/.test(base) && /^torch\.distributed\.(launch|run)$/.test(launch.prefix[index + 2] ?? '') && launch.prefix[index + 1] === '-m';
  });
  const launcher = start >= 0 ? launch.prefix.slice(start) : [];
  const name = (launcher[0] ?? '').split('/').pop();
  const torchModule = /^python/.test(name);
  if (name === 'torchrun' || torchModule) {
    const perNode = count(optionValue(launcher, ['--nproc_per_node', '--nproc-per-node']));
    const nodes = count(optionValue(launcher, ['--nnodes'])) ?? 1;
    if (perNode === null) return { worldSize: null, from: `${name || 'torch.distributed'} without a numeric --nproc_per_node` };
    return { worldSize: perNode * nodes, nprocPerNode: perNode, nnodes: nodes, from: name === 'torchrun' ? 'torchrun' : 'torch.distributed' };
  }
  if (name === 'deepspeed') {
    const gpus = count(optionValue(launcher, ['--num_gpus', '--num-gpus']));
    const nodes = count(optionValue(launcher, ['--num_nodes', '--num-nodes'])) ?? 1;
    if (gpus === null) return { worldSize: null, from: 'deepspeed without --num_gpus (all GPUs of the hostfile)' };
    return { worldSize: gpus * nodes, nprocPerNode: gpus, nnodes: nodes, from: 'deepspeed' };
  }
  if (name === 'mpirun' || name === 'mpiexec') {
    const processes = count(optionValue(launcher, ['-np', '-n', '--np']));
    return processes === null ? { worldSize: null, from: `${name} without -np` } : { worldSize: processes, from: name };
  }
  if (launch.outer) {
    const srun = launch.outer.slice(1);
    const tasks = count(optionValue(srun, ['-n', '--ntasks']));
    if (tasks !== null) return { worldSize: tasks, from: 'srun --ntasks' };
    const nodes = count(optionValue(srun, ['-N', '--nodes']));
    const perNode = count(optionValue(srun, ['--ntasks-per-node']));
    if (perNode !== null) return { worldSize: perNode * (nodes ?? 1), from: 'srun --ntasks-per-node' };
  }
  const first = (launch.prefix[0] ?? '').split('/').pop();
  return { worldSize: null, from: first ? `${first}: no process count` : 'no launcher' };
}

/** tensor x pipeline x context parallel size the run_recipe.py argv ends with (1 for each one not set). */
export function modelParallelSize(recipeWords) {
  const { options, overrides } = readRecipeArgv(recipeWords);
  const finals = finalOverrides([...optionOverrides(options), ...overrides]);
  const size = (key) => {
    const value = Number(finals.get(key)?.value);
    return Number.isInteger(value) && value > 0 ? value : 1;
  };
  return size('model.tensor_model_parallel_size') * size('model.pipeline_model_parallel_size') * size('model.context_parallel_size');
}

/**
 * The world size a verifier should assume: the launcher's count when it is known and a multiple of the
 * model-parallel size, else the model-parallel size (capture.py's "1" for unset variables often makes a
 * launcher count that the script's real environment would not have).
 */
export function verifierWorldSize(launch) {
  const fromLauncher = worldSize(launch);
  const parallel = modelParallelSize(launch.words);
  if (fromLauncher.worldSize !== null && fromLauncher.worldSize % parallel === 0) return { ...fromLauncher, modelParallel: parallel };
  const why = fromLauncher.worldSize === null ? fromLauncher.from : `${fromLauncher.from} gives ${fromLauncher.worldSize}, not a multiple of ${parallel}`;
  return { worldSize: parallel, from: `model-parallel product (${why})`, launcherWorldSize: fromLauncher.worldSize, modelParallel: parallel };
}
