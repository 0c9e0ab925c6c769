#!/usr/bin/env python3
"""Does a migrated launch start under the real Megatron Bridge? Bridge's own code says.

Input, one JSON object per line (stdin, or a file given with --input):
    {"id": "train.sh:40", "argv": ["--recipe", "vanilla_gpt_pretrain_config", "model.num_layers=2", ...],
     "worldSize": 8, "keys": ["model.num_layers", ...]}
`argv` is what the launch passes to run_recipe.py after the script path; `keys` are the config
fields whose final values are wanted (default: the keys of the argv's overrides).

Output, one JSON object per line, in input order:
    {"id": ..., "starts": true, "recipe": ..., "values": {"model.num_layers": {"applied": 2, "final": 2}}}
    {"id": ..., "starts": false, "stage": "validate", "error": "AssertionError: ..."}
`applied` is the value right after the overrides, `final` after runtime_config_update().
With "megatronArgv" (what Megatron-LM received) and "overrides" ([{"flag", "key"}], from
bridge-migrate's report), the result also lists "mismatches": flags whose Bridge value differs
from what Megatron-LM's argparse produced (verify/expect.py).
A first line {"ready": true, "bridge": "0.6.2", "core": "0.19.2", "stubbed": [...]} says which
Bridge answered, or {"ready": false, "error": ...} when it cannot be imported.

usage: verify.py [--input FILE] [--bridge-root DIR]
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import enum
import io
import json
import logging
import os
import sys
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import stubs  # noqa: E402


def plain(value, depth=0):
    """A JSON-safe picture of a config value."""
    if value is None or isinstance(value, (bool, int, float, str)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return str(value)
        return value
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, (list, tuple)):
        return [plain(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v, depth + 1) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        if depth > 1:
            return {"__class__": type(value).__name__}
        return {"__class__": type(value).__name__, **{f.name: plain(getattr(value, f.name, None), depth + 1) for f in dataclasses.fields(value)}}
    type_name = type(value).__module__ + "." + type(value).__name__
    if type_name == "torch.dtype":
        return str(value)
    if callable(value):
        return getattr(value, "__name__", repr(value))
    return repr(value)


_MISSING = object()


def lookup(config, key: str):
    target = config
    for part in key.lstrip("+~").split("."):
        if target is None:
            return _MISSING
        if isinstance(target, dict):
            target = target.get(part, _MISSING)
        else:
            target = getattr(target, part, _MISSING)
        if target is _MISSING:
            return _MISSING
    return target


def override_keys(argv: list[str]) -> list[str]:
    return [w.split("=", 1)[0].lstrip("+~") for w in argv if "=" in w and not w.startswith("-")]


def serve_hf_configs(folder: str) -> None:
    """Lay out <org>/<model>/config.json files as an offline Hugging Face hub cache and use only it."""
    import tempfile

    cache = tempfile.mkdtemp(prefix="bm-hf-")
    revision = "0" * 40
    for org in sorted(os.listdir(folder)):
        for model in sorted(os.listdir(os.path.join(folder, org))):
            source = os.path.join(folder, org, model)
            repo = os.path.join(cache, f"models--{org}--{model}")
            os.makedirs(os.path.join(repo, "refs"))
            with open(os.path.join(repo, "refs", "main"), "w") as ref:
                ref.write(revision)
            snapshot = os.path.join(repo, "snapshots", revision)
            os.makedirs(snapshot)
            for name in os.listdir(source):
                with open(os.path.join(source, name), "rb") as src, open(os.path.join(snapshot, name), "wb") as dst:
                    dst.write(src.read())
    os.environ["HF_HUB_CACHE"] = cache
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"


def import_bridge(bridge_root: str | None):
    served = stubs.install()
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("megatron.bridge.training.utils.omegaconf_utils").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore")
    with contextlib.redirect_stdout(io.StringIO()):
        import megatron.bridge
        import megatron.core
        import megatron.bridge.recipes  # noqa: F401  (the runner imports every family)
        from megatron.bridge.training.config import runtime_config_update  # noqa: F401
    return {"ready": True, "bridge": getattr(megatron.bridge, "__version__", "unknown"), "core": getattr(megatron.core, "__version__", "unknown"), "stubbed": served}


def verify_one(request: dict, table_path: str) -> dict:
    import runner

    argv = [str(w) for w in request.get("argv", [])]
    world = int(request.get("worldSize") or 1)
    with contextlib.redirect_stdout(io.StringIO()):
        outcome = runner.run_isolated(argv, world)
    result = {"id": request.get("id"), "starts": outcome.starts, "recipe": outcome.recipe, "dataset": outcome.dataset, "worldSize": world}
    if outcome.ignored:
        result["ignored"] = outcome.ignored
    if outcome.assumed_paths:
        result["assumedPaths"] = sorted(set(outcome.assumed_paths))
    if not outcome.starts:
        result["stage"] = outcome.stage
        result["error"] = outcome.error
    values = {}
    wanted = list(request.get("keys") or override_keys(argv))
    wanted += [o["key"] for o in request.get("overrides", []) if o.get("key") not in wanted]
    for key in wanted:
        entry = {}
        if outcome.applied is not None:
            applied = lookup(outcome.applied, key)
            entry["applied"] = "<missing>" if applied is _MISSING else plain(applied)
        if outcome.config is not None:
            final = lookup(outcome.config, key)
            entry["final"] = "<missing>" if final is _MISSING else plain(final)
        values[key] = entry
    result["values"] = values
    if "megatronArgv" in request and outcome.applied is not None:
        import expect

        global _table
        if _table is None:
            _table = expect.load_table(table_path)
        found = expect.compare([str(w) for w in request["megatronArgv"]], request.get("overrides", []), outcome.applied, _table, lookup)
        result["mismatches"] = [{**m, "bridge": "<missing>" if m["bridge"] is _MISSING else plain(m["bridge"]), "megatron": plain(m["megatron"])} for m in found]
    return result


_table = None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--input")
    parser.add_argument("--bridge-root", help="reserved: a Bridge checkout whose run_recipe.py to use")
    parser.add_argument("--hf-configs", help="a folder of <org>/<model>/config.json served as an offline Hugging Face cache (recipes that read a model's config.json at load time)")
    parser.add_argument("--gpu", default="h100", help="on a machine without CUDA, the GPU Bridge's device checks are answered for (h100, h200, a100, b200, gb200; default h100)")
    parser.add_argument("--table", default=os.path.join(HERE, "..", "src", "mapping", "table.generated.json"), help="bridge-migrate's mapping table (for mismatches)")
    options = parser.parse_args()
    out = sys.stdout
    if options.hf_configs:
        serve_hf_configs(options.hf_configs)
    try:
        header = import_bridge(options.bridge_root)
    except Exception as failure:  # Bridge is not importable here: say so once, clearly
        out.write(json.dumps({"ready": False, "error": f"{type(failure).__name__}: {failure}", "python": sys.executable}) + "\n")
        return 3
    import runner

    runner.stand_in_gpu(options.gpu)
    header["gpu"] = options.gpu
    out.write(json.dumps(header) + "\n")
    out.flush()
    source = open(options.input, encoding="utf-8") if options.input else sys.stdin
    for line in source:
        line = line.strip()
        if not line:
            continue
        try:
            request = json.loads(line)
        except json.JSONDecodeError as bad:
            out.write(json.dumps({"id": None, "starts": False, "stage": "input", "error": f"not JSON: {bad}"}) + "\n")
            continue
        try:
            result = verify_one(request, options.table)
        except Exception as failure:  # a verifier bug must not hide the other launches
            result = {"id": request.get("id"), "starts": False, "stage": "verifier", "error": f"{type(failure).__name__}: {failure}"}
        out.write(json.dumps(result) + "\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
