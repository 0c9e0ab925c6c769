"""Prints how the final ConfigContainer of two run_recipe.py argvs differs, with the real Bridge.

stdin: {"a": [argv...], "b": [argv...], "worldSize": N}. stdout: {"a": {starts, error}, "b": {...},
"values": number of config values compared, "differences": {dotted.key: [a, b]}}. Each argv goes
through verify/runner.py (run_recipe.py's steps, then runtime_config_update) and the config is
flattened by verify.py's `plain`, as the verifier reports values.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "verify"))
import verify  # noqa: E402

verify.import_bridge(None)
import runner  # noqa: E402

runner.stand_in_gpu("h100")


def flat(value, prefix=""):
    if isinstance(value, dict):
        out = {}
        for key, inner in value.items():
            out.update(flat(inner, f"{prefix}.{key}" if prefix else str(key)))
        return out
    return {prefix: value}


request = json.load(sys.stdin)
answer = {}
configs = {}
for side in ("a", "b"):
    outcome = runner.run_isolated(request[side], request.get("worldSize", 1))
    answer[side] = {"starts": outcome.starts, "error": outcome.error}
    configs[side] = flat(verify.plain(outcome.config)) if outcome.config is not None else {}
keys = set(configs["a"]) | set(configs["b"])
answer["values"] = len(keys)
answer["differences"] = {key: [configs["a"].get(key), configs["b"].get(key)] for key in sorted(keys) if configs["a"].get(key) != configs["b"].get(key)}
print(json.dumps(answer, default=str))
