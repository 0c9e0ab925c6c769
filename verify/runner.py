"""Megatron Bridge's `scripts/training/run_recipe.py`, up to the point where it would train.

`run_recipe.py` and its helpers (`recipe_runner.py`, `recipe_metadata.py`) live in Bridge's
repository, not in the `megatron-bridge` wheel. This module repeats what their `main()` does before
`run_config()`, step by step, calling the wheel's own functions wherever the wheel has them:

  step                                   | from the wheel (real code)          | repeated here
  ---------------------------------------|-------------------------------------|-------------------------
  1 option parser (`_build_parser`,      |                                     | options, choices, types,
    `parse_known_args`, `_collect_        | dataset choices: DATASET_PRESETS    | allow_abbrev=False, the
    overrides`, `_common_config_         |                                     | "Unknown option" and
    overrides`, `_infer_mode`)           |                                     | "KEY=VALUE" errors
  2 recipe lookup (`load_recipe`)        | the recipe functions                | the lookup order: package
                                         |                                     | attribute, then <family>.h100
  3 dataset (`_apply_dataset`)           | build_dataset_config,               |
                                         | dataset_train_mode                  |
  4 `--deterministic`                    | apply_determinism_overrides         |
  5 overrides (`apply_cli_overrides`)    | process_config_with_overrides       |
                                         | (Hydra's OverridesParser)           |
  6 `sync_model_pipeline_layout`,        | apply_environment_variables         | the small sync helpers
    `apply_runtime_environment`,         |                                     |
    `sync_offline_packing_alignment`,    |                                     |
    `sync_model_dataset_sequence_length` |                                     |
  7 what `pretrain()` checks first       | runtime_config_update (which calls  |
                                         | ConfigContainer.validate()), MCore's |
                                         | num-microbatches calculator         |

Reproduced from Bridge r0.6 (`scripts/training/run_recipe.py` of the 0.6 release branch), the
closest published runner to the pinned wheel. Benchmark (perf_recipes) names are not supported:
bridge-migrate never emits them. Where the user has a Bridge checkout, `verify.py --bridge-root`
runs that checkout's real `run_recipe.py` instead (see checkout_runner()).
"""
from __future__ import annotations

import argparse
import importlib
import json
import logging
import math
import os
import pkgutil
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

# run_recipe.py's convenience options and the ConfigContainer field each one sets.
COMMON_OVERRIDE_FIELDS = (
    ("max_steps", "train.train_iters"),
    ("global_batch_size", "train.global_batch_size"),
    ("micro_batch_size", "train.micro_batch_size"),
    ("seq_length", "dataset.seq_length"),
    ("tensor_model_parallel_size", "model.tensor_model_parallel_size"),
    ("pipeline_model_parallel_size", "model.pipeline_model_parallel_size"),
    ("context_parallel_size", "model.context_parallel_size"),
    ("virtual_pipeline_model_parallel_size", "model.virtual_pipeline_model_parallel_size"),
    ("expert_model_parallel_size", "model.expert_model_parallel_size"),
    ("expert_tensor_parallel_size", "model.expert_tensor_parallel_size"),
    ("lr", "optimizer.lr"),
    ("min_lr", "optimizer.min_lr"),
    ("warmup_iters", "scheduler.lr_warmup_iters"),
    ("pretrained_checkpoint", "checkpoint.pretrained_checkpoint"),
    ("save_dir", "checkpoint.save"),
    ("load_dir", "checkpoint.load"),
    ("save_interval", "checkpoint.save_interval"),
)


class RunnerExit(Exception):
    """The runner stopped before training: `stage` says where, `message` is what Bridge said."""

    def __init__(self, stage: str, message: str):
        super().__init__(message)
        self.stage = stage
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting (same messages)."""

    def error(self, message):  # noqa: D401 - argparse API
        raise RunnerExit("options", f"{self.prog}: error: {message}")


def build_parser(dataset_choices: list[str]) -> argparse.ArgumentParser:
    parser = _Parser(prog="run_recipe.py", allow_abbrev=False, add_help=False)
    selection = parser.add_mutually_exclusive_group(required=True)
    selection.add_argument("--model")
    selection.add_argument("--recipe")
    parser.add_argument("--mode", choices=["pretrain", "sft", "lora", "dora"])
    parser.add_argument("--step-func", "--step_func", dest="step_func")
    parser.add_argument("--dataset", choices=sorted(dataset_choices))
    parser.add_argument("-ms", "--max_steps", type=int)
    parser.add_argument("-gb", "--global_batch_size", type=int)
    parser.add_argument("-mb", "--micro_batch_size", type=int)
    parser.add_argument("-sl", "--seq_length", type=int)
    for short, name in (("-tp", "tensor"), ("-pp", "pipeline"), ("-cp", "context")):
        dest = f"{name}_model_parallel_size" if name != "context" else "context_parallel_size"
        parser.add_argument(short, f"--{dest}", type=int)
    parser.add_argument("-vp", "--virtual_pipeline_model_parallel_size", type=int)
    parser.add_argument("-ep", "--expert_model_parallel_size", type=int)
    parser.add_argument("-etp", "--expert_tensor_parallel_size", type=int)
    parser.add_argument("--lr", type=float)
    parser.add_argument("--min_lr", type=float)
    parser.add_argument("--warmup_iters", type=int)
    parser.add_argument("--pretrained_checkpoint")
    parser.add_argument("--save_dir")
    parser.add_argument("--load_dir")
    parser.add_argument("--save_interval", type=int)
    parser.add_argument("--dry-run", "--dry_run", action="store_true", dest="dryrun")
    parser.add_argument("--deterministic", action="store_true")
    parser.add_argument("--dump-env", "--dump_env", action="store_true", dest="dump_env")
    parser.add_argument("-h", "--help", action="store_true", dest="help")
    return parser


def infer_recipe_mode(recipe_name: str) -> str | None:
    """The training mode a conventional recipe name encodes."""
    padded = f"_{recipe_name.lower().strip('_')}_"
    for marker, mode in (("_pretrain_", "pretrain"), ("_sft_", "sft"), ("_finetune_", "sft"), ("_dora_", "dora"), ("_peft_", "lora"), ("_lora_", "lora")):
        if marker in padded:
            return mode
    return None


def recipe_task(mode: str) -> str:
    return {"pretrain": "pretrain", "sft": "sft"}.get(mode, "peft")


def train_mode(mode: str) -> str:
    return "pretrain" if mode == "pretrain" else "finetune"


def parse(argv: list[str], dataset_choices: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Step 1: the options and the ordered overrides (convenience options first)."""
    parser = build_parser(dataset_choices)
    args, unknown = parser.parse_known_args(argv)
    if args.help:
        raise RunnerExit("options", "--help prints the usage and exits without training")
    trailing = []
    for word in unknown:
        if word.startswith("-"):
            parser.error(f"Unknown option: {word}")
        if "=" not in word:
            parser.error(f"Expected override in KEY=VALUE form, got {word!r}")
        trailing.append(word)
    common = []
    for name, config_field in COMMON_OVERRIDE_FIELDS:
        value = getattr(args, name)
        if value is not None:
            common.append(f"{config_field}={json.dumps(value) if isinstance(value, str) else value}")
    if args.mode is None and args.recipe:
        args.mode = infer_recipe_mode(args.recipe)
    if args.mode is None:
        raise RunnerExit("options", "Unable to infer training mode; pass --mode or use a conventional --recipe name.")
    return args, [*common, *trailing]


def recipe_modules():
    """The modules run_recipe.py looks in for a recipe, in its order: the recipes package, then
    each family's h100 module."""
    import megatron.bridge.recipes as recipes

    yield recipes
    for info in sorted(pkgutil.iter_modules(recipes.__path__), key=lambda m: m.name):
        if not info.ispkg or info.name.startswith("_") or info.name == "utils":
            continue
        module_name = f"{recipes.__name__}.{info.name}.h100"
        try:
            yield importlib.import_module(module_name)
        except ModuleNotFoundError as missing:
            if missing.name != module_name:
                raise


def find_library_recipe(recipe_name: str) -> Callable | None:
    """Step 2: a recipe function by name, the first module of recipe_modules() that has it."""
    for module in recipe_modules():
        found = getattr(module, recipe_name, None)
        if callable(found):
            return found
    return None


def load_recipe(args: argparse.Namespace):
    recipe_name = args.recipe or f"{args.model}_{recipe_task(args.mode)}_config"
    if args.recipe:
        encoded = infer_recipe_mode(recipe_name)
        if encoded is not None and recipe_task(encoded) != recipe_task(args.mode):
            raise RunnerExit("recipe", f"Mode '{args.mode}' is incompatible with recipe '{recipe_name}'.")
    builder = find_library_recipe(recipe_name)
    if builder is None:
        raise RunnerExit("recipe", f"Recipe '{recipe_name}' not found in megatron.bridge.recipes or megatron.bridge.perf_recipes.")
    kwargs: dict[str, Any] = {}
    if args.mode in ("lora", "dora"):
        import inspect

        params = inspect.signature(builder).parameters
        if "peft_scheme" in params:
            kwargs["peft_scheme"] = args.mode
        elif "peft" in params or any(p.kind == p.VAR_KEYWORD for p in params.values()):
            kwargs["peft"] = args.mode
    return recipe_name, builder(**kwargs)


def sync_model_pipeline_layout(config, overrides: list[str]):
    """Rebuild a recipe's pipeline layout after a PP or VP override (unless the layout is overridden)."""
    fields = {o.lstrip("+~").split("=", 1)[0] for o in overrides}
    if not fields & {"model.pipeline_model_parallel_size", "model.virtual_pipeline_model_parallel_size"}:
        return
    if "model.pipeline_model_parallel_layout" in fields:
        return
    model = getattr(config, "model", None)
    builder = getattr(model, "_pipeline_model_parallel_layout_builder", None)
    if builder is not None:
        model.pipeline_model_parallel_layout = builder(model.pipeline_model_parallel_size, model.virtual_pipeline_model_parallel_size)


def sync_offline_packing_alignment(config):
    dataset = getattr(config, "dataset", None)
    if not getattr(dataset, "enable_offline_packing", False):
        return
    from megatron.bridge.data.packing import PackedSequenceSpecs

    specs = getattr(dataset, "offline_packing_specs", None)
    if specs is None:
        specs = dataset.offline_packing_specs = PackedSequenceSpecs()
    elif isinstance(specs, dict):
        specs = dataset.offline_packing_specs = PackedSequenceSpecs(**specs)
    if getattr(dataset, "seq_length", None) is not None:
        specs.packed_sequence_size = dataset.seq_length
    model, dist = getattr(config, "model", None), getattr(config, "dist", None)
    cp_sizes = {getattr(model, "context_parallel_size", 1)}
    if getattr(dist, "eval_context_parallel_size", None) is not None:
        cp_sizes.add(dist.eval_context_parallel_size)
    tp = getattr(model, "tensor_model_parallel_size", 1)
    sp = bool(getattr(model, "sequence_parallel", False))
    multiples = [2 * s if s > 1 else 1 for s in cp_sizes] + [s * tp if sp and tp > 1 else 1 for s in cp_sizes]
    specs.pad_seq_to_mult = math.lcm(specs.pad_seq_to_mult or 1, *multiples)


def sync_model_dataset_sequence_length(config):
    model, dataset = getattr(config, "model", None), getattr(config, "dataset", None)
    if model is None or dataset is None or not hasattr(model, "seq_length"):
        return
    length = getattr(dataset, "seq_length", None)
    if length is None:
        length = getattr(dataset, "sequence_length", None)
    if length is not None and model.seq_length != length:
        model.seq_length = length


class _SkippedOverrides(logging.Handler):
    """Collects what Bridge's _apply_overrides logs and skips (it does not raise for these)."""

    MARKERS = ("not found in config object", "Could not set attribute", "Failed to instantiate", "Could not restore callable", "Could not convert string")

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        text = record.getMessage()
        if any(m in text for m in self.MARKERS):
            self.messages.append(text)


@dataclass
class Outcome:
    starts: bool
    stage: str = ""
    error: str = ""
    recipe: str = ""
    dataset: str | None = None
    overrides: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    config: Any = None
    applied: Any = None
    #: paths Bridge requires to exist (e.g. checkpoint.pretrained_checkpoint): the job's machine
    #: decides, not this check; they are assumed to exist and listed
    assumed_paths: list[str] = field(default_factory=list)
    #: settings the config holds that Bridge's run will not act on
    ignored: list[str] = field(default_factory=list)


def configure(argv: list[str], world_size: int) -> Outcome:
    """Steps 1-7 for one launch. Never raises for a launch that would not start: says why."""
    from megatron.bridge.recipes.utils.dataset_utils import DATASET_PRESETS, build_dataset_config, dataset_train_mode

    outcome = Outcome(starts=False)
    try:
        args, overrides = parse(argv, list(DATASET_PRESETS))
        outcome.overrides = overrides
        outcome.dataset = args.dataset
        stage = "recipe"
        outcome.recipe, config = load_recipe(args)
        stage = "dataset"
        if args.dataset is not None:
            config.dataset = build_dataset_config(config, args.dataset)
            if dataset_train_mode(config.dataset) != train_mode(args.mode):
                raise RunnerExit("dataset", f"Mode '{args.mode}' is incompatible with dataset '{args.dataset}'.")
        if args.deterministic:
            from megatron.bridge.recipes.utils.determinism_utils import apply_determinism_overrides

            apply_determinism_overrides(config)
        stage = "overrides"
        from megatron.bridge.training.utils.omegaconf_utils import process_config_with_overrides

        handler = _SkippedOverrides()
        override_logger = logging.getLogger("megatron.bridge.training.utils.omegaconf_utils")
        override_logger.addHandler(handler)
        try:
            config = process_config_with_overrides(config, cli_overrides=overrides or None)
        finally:
            override_logger.removeHandler(handler)
        outcome.skipped = handler.messages
        if handler.messages:
            raise RunnerExit("overrides", "; ".join(handler.messages))
        outcome.applied = snapshot(config)
        stage = "runtime"
        sync_model_pipeline_layout(config, overrides)
        from megatron.bridge.training.config import apply_environment_variables, runtime_config_update

        apply_environment_variables(config)
        sync_offline_packing_alignment(config)
        sync_model_dataset_sequence_length(config)
        stage = "validate"
        with assumed_paths(outcome.assumed_paths):
            runtime_config_update(config)
        stage = "microbatches"
        check_microbatches(config, outcome.ignored)
        outcome.config = config
        outcome.starts = True
        return outcome
    except RunnerExit as stop:
        outcome.stage, outcome.error = stop.stage, stop.message
    except Exception as failure:  # Bridge's own assertion or error: what the user would see
        outcome.stage = locals().get("stage", "options")
        outcome.error = f"{type(failure).__name__}: {failure}"
        if os.environ.get("BRIDGE_VERIFY_TRACEBACK"):  # for people debugging the verifier
            traceback.print_exc(file=sys.stderr)
    return outcome


#: GPUs the verifier can stand in for when this machine has none (`verify.py --gpu`): Bridge's
#: validate() asks the device what it is for some settings (the flex MoE dispatcher backends).
GPUS = {
    "h100": ("NVIDIA H100 80GB HBM3", 9, 0, 80),
    "h200": ("NVIDIA H200", 9, 0, 141),
    "a100": ("NVIDIA A100-SXM4-80GB", 8, 0, 80),
    "b200": ("NVIDIA B200", 10, 0, 180),
    "gb200": ("NVIDIA GB200", 10, 0, 186),
}


def stand_in_gpu(kind: str) -> None:
    """Answer torch.cuda's device questions as `kind` would, on a machine without CUDA."""
    import types

    import torch

    if torch.cuda.is_available():
        return
    name, major, minor, gib = GPUS[kind]
    properties = types.SimpleNamespace(name=name, major=major, minor=minor, total_memory=gib << 30, multi_processor_count=132)
    torch.cuda.get_device_properties = lambda device=None: properties
    torch.cuda.get_device_capability = lambda device=None: (major, minor)
    torch.cuda.get_device_name = lambda device=None: name


class assumed_paths:
    """During validate(): Bridge's file-existence check answers yes, and records the path asked about."""

    def __init__(self, record: list[str]):
        self.record = record

    def __enter__(self):
        from megatron.bridge.training.utils import checkpoint_utils

        self.module = checkpoint_utils
        self.original = checkpoint_utils.file_exists

        def exists(path, *args, **kwargs):
            self.record.append(str(path))
            return True

        checkpoint_utils.file_exists = exists
        return self

    def __exit__(self, *exc):
        self.module.file_exists = self.original
        return False


def check_microbatches(config, ignored: list[str]):
    """What Bridge's initialisation does first with the batch sizes: Megatron Core's calculator.

    Also says when the calculator ignores a ramp-up the config asks for (Megatron Core 0.19 does).
    """
    from megatron.core.num_microbatches_calculator import destroy_num_microbatches_calculator, get_current_global_batch_size, init_num_microbatches_calculator

    train = config.train
    try:
        init_num_microbatches_calculator(0, train.rampup_batch_size, train.global_batch_size, train.micro_batch_size, config.data_parallel_size, train.decrease_batch_size_if_needed)
        if train.rampup_batch_size and get_current_global_batch_size() != train.rampup_batch_size[0]:
            ignored.append(f"train.rampup_batch_size={list(train.rampup_batch_size)}: Megatron Core's calculator starts at global batch size {get_current_global_batch_size()}, not {train.rampup_batch_size[0]} (the ramp-up is ignored)")
    finally:
        destroy_num_microbatches_calculator()


def snapshot(config) -> Any:
    """A copy of the config's plain values as the overrides left them (before runtime updates)."""
    import copy

    try:
        return copy.deepcopy(config)
    except Exception:
        return None


def world_environment(world_size: int) -> dict[str, str]:
    return {"WORLD_SIZE": str(world_size), "RANK": "0", "LOCAL_RANK": "0", "LOCAL_WORLD_SIZE": str(world_size)}


def run_isolated(argv: list[str], world_size: int) -> Outcome:
    """configure() with the process environment restored afterwards (Bridge writes env vars)."""
    saved = dict(os.environ)
    os.environ.update(world_environment(world_size))
    try:
        return configure(argv, world_size)
    finally:
        os.environ.clear()
        os.environ.update(saved)
