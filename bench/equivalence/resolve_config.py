#!/usr/bin/env python3
"""Resolve the configuration one launch would train with, without training (a CPU is enough).

Installed as `torchrun` on PATH by `run.sh configs` (see fake-torchrun/torchrun): it receives the
launcher's argv, finds the training script in it, and writes one JSON file to
$BENCH_RESOLVED_OUT with every resolved setting, flattened to `section.field`:

* Megatron-LM (`pretrain_gpt.py`): Megatron-LM's own `parse_and_validate_args` with the script's
  argument defaults, then its own `gpt_config_from_args` and `pretrain_cfg_container_from_args`
  (what pretrain_gpt.py's __main__ builds before calling `pretrain`), and its
  `core_gpt_dataset_config_from_args` for the dataset. `model.transformer.*` is flattened into
  `model.*`, as Bridge's GPTModelProvider holds both in one object.
* Bridge (`run_recipe.py`): the steps of run_recipe.py's main() for a library recipe, with its own
  functions: parse_args, _load_selected_recipe, _apply_dataset, apply_determinism,
  apply_cli_overrides, sync_model_pipeline_layout, sync_finetuning_cp_invariants,
  sync_offline_packing_alignment, sync_model_dataset_sequence_length; then Bridge's
  `runtime_config_update` (mixed precision applied, `ConfigContainer.validate()`), which
  `pretrain()` runs first. apply_runtime_environment is left out: it only exports env_vars.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import os
import sys

TORCHRUN_FLAGS_WITHOUT_VALUE = {"--standalone", "--no-python", "--no_python", "-m", "--module", "--run-path", "--run_path"}


def split_torchrun_argv(argv: list[str]) -> tuple[str, list[str]]:
    index = 0
    while index < len(argv):
        word = argv[index]
        if not word.startswith("-"):
            return word, argv[index + 1 :]
        index += 1 if ("=" in word or word in TORCHRUN_FLAGS_WITHOUT_VALUE) else 2
    raise SystemExit("resolve_config: no training script in the torchrun command line")


def plain(value, depth=0):
    """A JSON-safe, comparable rendering of a config value."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    if isinstance(value, (list, tuple)):
        return [plain(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item, depth + 1) for key, item in value.items()}
    module = getattr(value, "__module__", None) or ""
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if callable(value) and name:
        if hasattr(value, "func"):  # functools.partial
            return f"partial({plain(value.func)})"
        return f"{module}.{name}"
    if module.startswith("torch") or type(value).__module__.startswith("torch"):
        return str(value)
    return f"<{type(value).__name__}>"


def flatten(prefix: str, config, into: dict, depth: int = 0) -> None:
    if dataclasses.is_dataclass(config) and not isinstance(config, type) and depth < 3:
        for field in dataclasses.fields(config):
            if field.name.startswith("_"):
                continue
            try:
                value = getattr(config, field.name)
            except Exception as error:  # a property-like field that cannot be read here
                value = f"<unreadable: {error}>"
            nested = dataclasses.is_dataclass(value) and not isinstance(value, type)
            if nested and field.name == "transformer" and prefix == "model":
                flatten(prefix, value, into, depth + 1)
            elif nested:
                flatten(f"{prefix}.{field.name}", value, into, depth + 1)
            else:
                into[f"{prefix}.{field.name}"] = plain(value)
    else:
        into[prefix] = plain(config)


def resolve_megatron_lm(script: str, argv: list[str]) -> dict:
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    sys.argv = [script, *argv]
    import pretrain_gpt  # the launch's own module: its imports, its dataset-config function
    from megatron.training.argument_utils import gpt_config_from_args, pretrain_cfg_container_from_args
    from megatron.training.arguments import parse_and_validate_args

    args = parse_and_validate_args(args_defaults={"tokenizer_type": "GPT2BPETokenizer"})
    container = pretrain_cfg_container_from_args(args, gpt_config_from_args(args))
    resolved: dict = {}
    for field in dataclasses.fields(container):
        flatten(field.name, getattr(container, field.name), resolved)
    flatten("dataset", pretrain_gpt.core_gpt_dataset_config_from_args(args), resolved)
    resolved["args.padded_vocab_size"] = args.padded_vocab_size
    return resolved


def resolve_bridge(script: str, argv: list[str]) -> dict:
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    import run_recipe
    from recipe_runner import (
        apply_cli_overrides,
        apply_determinism,
        sync_finetuning_cp_invariants,
        sync_model_dataset_sequence_length,
        sync_model_pipeline_layout,
        sync_offline_packing_alignment,
    )

    from megatron.bridge.training.config import runtime_config_update

    args, cli_overrides = run_recipe.parse_args(argv)
    if run_recipe.resolved_benchmark_recipe_metadata(run_recipe._selected_recipe_name(args)) is not None:
        raise SystemExit("resolve_config: benchmark recipes are not handled here")
    recipe = run_recipe._load_selected_recipe(args)
    recipe = run_recipe._apply_dataset(recipe, args)
    recipe = apply_determinism(recipe, deterministic=args.deterministic)
    recipe = apply_cli_overrides(recipe, cli_overrides)
    recipe = sync_model_pipeline_layout(recipe, cli_overrides=cli_overrides)
    mode = run_recipe._train_mode(args.mode)
    recipe = sync_finetuning_cp_invariants(recipe, mode=mode)
    recipe = sync_offline_packing_alignment(recipe)
    recipe = sync_model_dataset_sequence_length(recipe)
    runtime_config_update(recipe)
    resolved: dict = {}
    for field in dataclasses.fields(recipe):
        flatten(field.name, getattr(recipe, field.name), resolved)
    return resolved


def main() -> None:
    out = os.environ.get("BENCH_RESOLVED_OUT")
    if not out:
        raise SystemExit("resolve_config: set BENCH_RESOLVED_OUT to the JSON file to write")
    os.environ.setdefault("WORLD_SIZE", "1")
    os.environ.setdefault("RANK", "0")
    os.environ.setdefault("LOCAL_RANK", "0")
    script, argv = split_torchrun_argv(sys.argv[1:])
    name = os.path.basename(script)
    if name == "pretrain_gpt.py":
        side, resolved = "megatron-lm", resolve_megatron_lm(script, argv)
    elif name == "run_recipe.py":
        side, resolved = "bridge", resolve_bridge(script, argv)
    else:
        raise SystemExit(f"resolve_config: unknown training script {script}")
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"side": side, "script": script, "argv": argv, "config": resolved}, handle, indent=1, sort_keys=True)
    print(f"resolve_config: {side}: {len(resolved)} settings -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
