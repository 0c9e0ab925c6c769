"""What Megatron-LM's argparse would have produced for each flag, to compare with Bridge's config.

`parse_megatron(argv, table)` reads a Megatron-LM argv with Python's own argparse, one option per
mapping-table entry (its option strings, nargs from the arity, type from the value type; the table
takes both from ../shared/reference/megatron-lm-flags.json). `expected(entry, value)` is the Bridge
value the entry's converter promises for that argparse value; `compare()` checks it against the
value Bridge's config holds after the overrides.
"""
from __future__ import annotations

import argparse
import ast
import json

def _layer_pattern(text: str):
    """Megatron-LM's moe_freq_type: an int, or a list expression it evaluates ("([0]*3+[1]*58)").

    Evaluated over Python's own syntax tree with only list literals of ints, + and * allowed (what
    Megatron-LM's eval gives for such expressions; anything else is rejected, never executed).
    """
    if "[" not in text:
        return int(text)

    def value(node):
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.List) and all(isinstance(item, ast.Constant) and type(item.value) is int for item in node.elts):
            return [item.value for item in node.elts]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Mult)):
            left, right = value(node.left), value(node.right)
            return left + right if isinstance(node.op, ast.Add) else left * right
        raise ValueError(f"not a layer pattern: {text}")

    result = value(ast.parse(text, mode="eval").body)
    if not isinstance(result, list):
        raise ValueError(f"not a layer pattern: {text}")
    return result


TYPES = {"int": int, "float": float, "str": str, "layer-pattern": _layer_pattern}


def load_table(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _nargs(arity):
    return {1: None, "?": "?", "*": "*", "+": "+"}.get(arity, arity)


class _Rejected(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Rejected(message)


def _parser(table: dict, only: set[str] | None = None) -> tuple[argparse.ArgumentParser, dict[str, str]]:
    parser = _Parser(add_help=False, allow_abbrev=False)
    seen, by_dest = set(), {}
    for entry in table.values():
        names = [n for n in [entry["flag"], *entry.get("aliases", [])] if n not in seen and n.startswith("-")]
        if not names or (only is not None and not (set(names) & only)):
            continue
        seen.update(names)
        dest = "f_" + entry["flag"].lstrip("-").replace("-", "_")
        by_dest[dest] = entry["flag"]
        if entry["arity"] == 0:
            parser.add_argument(*names, dest=dest, action="store_const", const=True, default=argparse.SUPPRESS)
        else:
            parser.add_argument(*names, dest=dest, nargs=_nargs(entry["arity"]), type=TYPES.get(entry.get("valueType", "str"), str), default=argparse.SUPPRESS)
    return parser, by_dest


def parse_megatron(argv: list[str], table: dict) -> dict[str, object]:
    """flag (canonical) -> argparse value, for the flags the argv sets. Unknown words are ignored.

    A flag whose value argparse rejects maps to a _Rejected (Megatron-LM would not have started).
    """
    parser, by_dest = _parser(table)
    try:
        known, _ = parser.parse_known_args(argv)
        return {by_dest[d]: v for d, v in vars(known).items()}
    except _Rejected:
        pass
    # One bad value: read flag by flag, so the others are still compared.
    out: dict[str, object] = {}
    starts = [i for i, w in enumerate(argv) if w.startswith("--")] + [len(argv)]
    for begin, end in zip(starts, starts[1:]):
        chunk = argv[begin:end]
        name = chunk[0].split("=", 1)[0]
        single, dests = _parser(table, {name})
        try:
            known, _ = single.parse_known_args(chunk)
            out.update({dests[d]: v for d, v in vars(known).items()})
        except _Rejected as rejected:
            for flag in dests.values():
                out[flag] = rejected
    return out


def _hydra_literal(text: str):
    """A constant written in the table (true/false/null/numbers/names), as Hydra reads it."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    return OverridesParser.create().parse_override(f"k={text}").value()


def expected(entry: dict, value, key: str):
    """The Bridge value the entry's converter gives for Megatron-LM's argparse value, or a reason to skip."""
    convert = entry["convert"]
    if key in entry.get("companions", {}):
        return _hydra_literal(entry["companions"][key])
    if convert == "pass":
        return value
    if convert in ("true", "false"):
        return convert == "true"
    if convert == "const":
        return _hydra_literal(entry.get("values", {}).get(key, entry.get("value", "null")))
    if convert == "list":
        items = value if isinstance(value, list) else [value]
        if entry.get("scalarIfSingle") and len(items) == 1:
            return items[0]
        return items
    if convert == "rename":
        return entry.get("rename", {}).get(value, value)
    raise LookupError(f"{convert} (checked by its rule's own tests)")


def same(want, got) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return type(want) is type(got) and want == got
    if isinstance(want, float):
        return isinstance(got, float) and (want == got or (want != want and got != got))
    if isinstance(want, int):
        return type(got) is int and want == got
    if isinstance(want, (list, tuple)):
        return isinstance(got, (list, tuple)) and len(want) == len(got) and all(same(w, g) for w, g in zip(want, got))
    return want == got


def compare(megatron_argv: list[str], overrides: list[dict], applied, table: dict, lookup) -> list[dict]:
    """Mismatches between Megatron-LM's value and Bridge's value, one per (flag, key) the report lists.

    `applied` is the config right after the overrides; `lookup(config, key)` reads a dotted key.
    A flag folded into a whole-section dict (`++section={...}`) is checked at its own key.
    """
    parsed = parse_megatron(megatron_argv, table)
    aliases = {}
    for entry in table.values():
        for name in [entry["flag"], *entry.get("aliases", [])]:
            aliases[name] = entry
    problems = []
    checked = set()
    for item in overrides:
        entry = aliases.get(item["flag"])
        if entry is None or entry["flag"] not in parsed:
            continue
        keys = [k for k in entry.get("keys", []) if k.split(".")[0] == item["key"].lstrip("+").split(".")[0]] if item["key"].startswith("++") else [item["key"]]
        for key in keys:
            if (entry["flag"], key) in checked:
                continue
            checked.add((entry["flag"], key))
            value = parsed[entry["flag"]]
            got = lookup(applied, key)
            if isinstance(value, _Rejected):
                problems.append({"flag": item["flag"], "key": key, "megatron": f"argparse rejects it: {value}", "bridge": got})
                continue
            try:
                want = expected(entry, value, key)
            except LookupError:
                continue
            if not same(want, got):
                problems.append({"flag": item["flag"], "key": key, "megatron": want, "bridge": got})
    return problems
