#!/usr/bin/env python3
"""Facts about the installed Megatron Bridge release, read from the release itself.

Run with the Python of the pinned real stack (scripts/setup-bridge.sh):

    HF_HUB_OFFLINE=1 .venv-bridge/bin/python scripts/extract-bridge-release.py

It imports megatron.bridge (CUDA-only packages served by verify/stubs.py), walks the dataclass
fields of ConfigContainer and of every section's class, and calls every pretrain recipe the way
run_recipe.py finds it (verify/runner.py find_library_recipe). It writes, in the shape of the parts
of ../shared/reference/bridge-config.json and bridge-recipes.json that scripts/generate-mapping.mjs
and scripts/generate-recipes.mjs read:

  src/mapping/bridge-release.generated.json          ConfigContainer groups, fields, defaults,
                                                     literal/enum choices, mixed-precision presets
  src/mapping/bridge-release-recipes.generated.json  every pretrain recipe: names, model class and
                                                     view, literal shape, HF id; the vanilla recipe's
                                                     every value (instance_values)

What it cannot know offline it says: a recipe that needs a Hugging Face config.json (not in
verify/hf-configs, served as the offline cache) records the HF id it asked for and the error, and
its view comes from the model bridges Bridge registers for the recipe's family (see family_view()).
Deterministic: the same release gives byte-identical files.
"""
from __future__ import annotations

import argparse
import contextlib
import dataclasses
import enum
import importlib
import inspect
import io
import json
import logging
import os
import re
import sys
import tempfile
import time
import types
import typing
import warnings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "verify"))

import stubs  # noqa: E402

SHAPE_FIELDS = ("num_layers", "hidden_size", "num_attention_heads", "num_query_groups", "ffn_hidden_size", "vocab_size", "seq_length")
VANILLA = "vanilla_gpt_pretrain_config"
#: Alternative model classes listed as their own groups (the views a recipe's model can have).
MODEL_VIEWS = {
    "model[HybridModelProvider]": "megatron.bridge.models.hybrid.hybrid_provider.HybridModelProvider",
    "model[MLAModelProvider]": "megatron.bridge.models.mla_provider.MLAModelProvider",
}
NESTED_VIEW = "model[GPTModelConfig]"


# ---------------------------------------------------------------------------------------------
# Values as JSON


def qualname(obj) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def type_text(annotation) -> str:
    """An annotation as readable text (strings are kept as written)."""
    if isinstance(annotation, str):
        return annotation
    if annotation is type(None):
        return "None"
    if isinstance(annotation, type) and not typing.get_args(annotation):
        module = annotation.__module__
        return annotation.__qualname__ if module == "builtins" else f"{module}.{annotation.__qualname__}"
    text = repr(annotation)
    return re.sub(r"\btyping\.", "", text)


class _Unknown:
    pass


def literal(value, cwd: str | None = None):
    """A JSON literal for a plain value, or {"expr": text} when it is not one."""
    if isinstance(value, enum.Enum):  # before int/str: IntEnum and StrEnum members are both
        return {"expr": f"{type(value).__name__}.{value.name}"}
    if value is None or isinstance(value, (bool, int, str)):
        if isinstance(value, str) and cwd and cwd in value:
            return {"expr": value.replace(cwd, "<cwd>")}
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return {"expr": repr(value)}
        return value
    if isinstance(value, (list, tuple)):
        items = [literal(v, cwd) for v in value]
        if any(isinstance(i, dict) and "expr" in i for i in items):
            return {"expr": repr(value) if not cwd else repr(value).replace(cwd, "<cwd>")}
        return items
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value):
            items = {k: literal(v, cwd) for k, v in value.items()}
            if not any(isinstance(i, dict) and "expr" in i and len(i) == 1 for i in items.values()):
                return items
        return {"expr": repr(value)}
    module = type(value).__module__
    if module == "torch" and type(value).__name__ == "dtype":
        return {"expr": str(value)}
    if isinstance(value, type):
        return {"expr": qualname(value)}
    if callable(value):
        return {"expr": getattr(value, "__qualname__", None) or getattr(value, "__name__", None) or type(value).__name__}
    if dataclasses.is_dataclass(value):
        return {"expr": f"{type(value).__name__}(...)"}
    return {"expr": repr(value)}


def is_literal(value) -> bool:
    return not (isinstance(value, dict) and set(value) == {"expr"})


# ---------------------------------------------------------------------------------------------
# Dataclass fields


def resolved_hints(cls) -> dict:
    """Resolved annotations where Python can resolve them (forward references may fail)."""
    try:
        return typing.get_type_hints(cls)
    except Exception:
        hints = {}
        for klass in reversed(cls.__mro__):
            try:
                hints.update(typing.get_type_hints(klass))
            except Exception:
                continue
        return hints


def flatten_union(annotation) -> list:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [member for arg in typing.get_args(annotation) for member in flatten_union(arg)]
    return [annotation]


def literal_choices(annotation) -> list | None:
    """The values of the Literal[...] members of an annotation (Optional[Literal[...]] too)."""
    choices: list = []
    for member in flatten_union(annotation):
        if typing.get_origin(member) is typing.Literal:
            choices.extend(typing.get_args(member))
    if not choices and isinstance(annotation, str):
        for group in re.findall(r"Literal\[([^\]]*)\]", annotation):
            for item in group.split(","):
                item = item.strip()
                with contextlib.suppress(Exception):
                    import ast

                    choices.append(ast.literal_eval(item))
    return choices or None


def enum_members(annotation) -> dict | None:
    found = {}

    def visit(node):
        if isinstance(node, type) and issubclass(node, enum.Enum):
            found[node.__name__] = [m.name for m in node]
            return
        for arg in typing.get_args(node):
            visit(arg)

    visit(annotation)
    return found or None


def declared_in(cls, name: str) -> str:
    """The most derived class of cls's MRO whose own body annotates `name`."""
    for klass in cls.__mro__:
        if name in klass.__dict__.get("__annotations__", {}):
            return qualname(klass)
    return qualname(cls)


def factory_default(factory):
    """default_factory evaluated when trivial (a container type or a lambda), else an expression."""
    name = getattr(factory, "__name__", "")
    if factory in (list, dict, set, tuple) or name == "<lambda>":
        with contextlib.suppress(Exception):
            value = literal(factory())
            if is_literal(value):
                return value, True
    return {"expr": f"default_factory={getattr(factory, '__qualname__', name) or repr(factory)}"}, False


def field_record(cls, field: dataclasses.Field, hints: dict, prefix: str = "") -> dict:
    annotation = hints.get(field.name, field.type)
    record = {"name": prefix + field.name, "type": type_text(field.type if isinstance(field.type, str) else annotation)}
    if field.default is not dataclasses.MISSING:
        default = literal(field.default)
        record.update(default=default, default_is_literal=is_literal(default), required=False)
    elif field.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
        default, ok = factory_default(field.default_factory)  # type: ignore[misc]
        record.update(default=default, default_is_literal=ok, required=False)
    else:
        record.update(default=None, default_is_literal=False, required=True)
    record.update(init=field.init, private=field.name.startswith("_"), declared_in=declared_in(cls, field.name))
    choices = literal_choices(annotation)
    if choices:
        record["literal_choices"] = choices
    members = enum_members(annotation)
    if members:
        record["enum_members"] = members
    return record


def class_fields(cls, prefix: str = "") -> list[dict]:
    hints = resolved_hints(cls)
    records = [field_record(cls, f, hints, prefix) for f in dataclasses.fields(cls)]
    mark_post_init(cls, records, prefix)
    return records


def mark_post_init(cls, records: list[dict], prefix: str = "") -> None:
    """Fields whose value in a default-constructed instance is not the declared default: the
    class's __post_init__ computes them (e.g. TokenizerConfig forces pad_vocab_size=False).
    Recorded as post_init_default; classes that cannot be built without arguments are skipped."""
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            built = cls()
    except Exception:
        return
    for record in records:
        name = record["name"][len(prefix):]
        if not record["default_is_literal"] or not hasattr(built, name):
            continue
        value = literal(getattr(built, name))
        if json.dumps(value, sort_keys=True) != json.dumps(record["default"], sort_keys=True):
            record["post_init_default"] = value


def import_class(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def dataclass_members(annotation) -> list:
    return [m for m in flatten_union(annotation) if isinstance(m, type) and dataclasses.is_dataclass(m)]


def group_record(container_field, hints, instance) -> dict | None:
    """One ConfigContainer section: its class (the recipe's, where the recipe has one) and fields."""
    annotation = hints.get(container_field.name, container_field.type)
    members = dataclass_members(annotation)
    value = getattr(instance, container_field.name)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        cls = type(value)
        in_recipe = "instance"
    elif members:
        cls = members[0]
        in_recipe = "None" if value is None else type(value).__name__
    else:
        return None
    others = [qualname(m) for m in flatten_union(annotation) if m is not cls and isinstance(m, type) and m is not type(None)]
    alternatives = [("str" if m == "builtins.str" else m) for m in others]
    if type(None) in flatten_union(annotation):
        alternatives.append("None")
    return {
        "class": qualname(cls),
        "mro": [qualname(k) for k in cls.__mro__ if k is not object],
        "annotation": type_text(container_field.type),
        "alternatives": alternatives,
        "in_vanilla_recipe": in_recipe,
        "fields": class_fields(cls),
    }


def nested_view_record(container_hints) -> dict | None:
    """A builder-style model config (GPTModelConfig): its own fields and its TransformerConfig's
    fields under `transformer.`, as the OmegaConf override tree nests them."""
    members = [m for m in dataclass_members(container_hints.get("model")) if m.__name__ == "GPTModelConfig"]
    if not members:
        return None
    cls = members[0]
    fields = class_fields(cls)
    transformer = next((f for f in dataclasses.fields(cls) if f.name == "transformer"), None)
    record = {"class": qualname(cls), "mro": [qualname(k) for k in cls.__mro__ if k is not object], "fields": fields}
    if transformer is not None:
        hints = resolved_hints(cls)
        inner = dataclass_members(hints.get("transformer", transformer.type))
        if inner:
            record["transformer_class"] = qualname(inner[0])
            record["fields"] = fields + class_fields(inner[0], prefix="transformer.")
    return record


def top_level_records(container, hints) -> list[dict]:
    out = []
    for f in dataclasses.fields(container):
        if f.default is not dataclasses.MISSING:
            default, required = literal(f.default), False
        elif f.default_factory is not dataclasses.MISSING:  # type: ignore[misc]
            default, required = {"expr": f"{getattr(f.default_factory, '__name__', 'factory')}()"}, False  # type: ignore[misc]
        else:
            default, required = None, True
        out.append({"name": f.name, "annotation": type_text(f.type), "container_default": default, "required_in_container": required, "init": f.init})
    return out


# ---------------------------------------------------------------------------------------------
# Recipes


def infer_recipe_mode(name: str) -> str | None:
    import runner

    return runner.infer_recipe_mode(name)


def recipe_functions() -> tuple[dict[str, list[str]], dict[str, object]]:
    """Every pretrain recipe run_recipe.py can find, as {qualified function name: [names]}.

    The lookup order of verify/runner.py find_library_recipe: the package's attributes, then each
    family's `h100` module. Names bound to the same function object are one recipe.
    """
    from runner import recipe_modules

    def wanted(name, obj):
        return inspect.isfunction(obj) and not name.startswith("_") and "config" in name and infer_recipe_mode(name) == "pretrain"

    found: dict[str, object] = {}
    for module in recipe_modules():
        for name in sorted(dir(module)):
            obj = getattr(module, name)
            if name not in found and wanted(name, obj):
                found[name] = obj
    by_function: dict[str, list[str]] = {}
    objects: dict[str, object] = {}
    for name, obj in found.items():
        key = qualname(obj)
        objects[key] = obj
        by_function.setdefault(key, []).append(name)
    return {key: sorted(names, key=lambda n: (n != objects[key].__name__, n)) for key, names in sorted(by_function.items())}, objects


class HubNeeded(Exception):
    """A recipe asked for a Hugging Face model that the offline cache does not have."""

    def __init__(self, model_id: str, call: str, error: str):
        super().__init__(f"{model_id}: {error}")
        self.model_id = model_id
        self.call = call
        self.error = error


class _HubRecorder:
    """AutoBridge.from_hf_pretrained, recording the id; where the offline cache cannot serve it,
    a stand-in whose first method call (to_megatron_provider, ...) stops the recipe with HubNeeded."""

    def __init__(self):
        from megatron.bridge.models.conversion.auto_bridge import AutoBridge

        self.cls = AutoBridge
        self.original = AutoBridge.__dict__["from_hf_pretrained"]
        from transformers import AutoConfig

        self.auto_config_original = AutoConfig.__dict__["from_pretrained"]
        self.ids: list[str] = []

    def __enter__(self):
        recorder = self
        original = self.original.__get__(None, self.cls)

        def from_hf_pretrained(path, *args, **kwargs):
            model_id = str(path)
            if model_id not in recorder.ids:
                recorder.ids.append(model_id)
            try:
                return original(path, *args, **kwargs)
            except Exception as failure:  # offline and not cached
                error = f"{type(failure).__name__}: {str(failure).splitlines()[0] if str(failure) else ''}"

                class Unavailable:
                    def __getattr__(self, name):
                        raise HubNeeded(model_id, name, error)

                return Unavailable()

        self.cls.from_hf_pretrained = staticmethod(from_hf_pretrained)
        # Recipes that read a config.json themselves (transformers.AutoConfig.from_pretrained):
        # the id is recorded and the real call made.
        from transformers import AutoConfig

        original_config = self.auto_config_original.__get__(None, AutoConfig)

        def config_from_pretrained(path, *args, **kwargs):
            if str(path) not in recorder.ids:
                recorder.ids.append(str(path))
            return original_config(path, *args, **kwargs)

        AutoConfig.from_pretrained = staticmethod(config_from_pretrained)
        return self

    def __exit__(self, *exc):
        from transformers import AutoConfig

        self.cls.from_hf_pretrained = self.original
        AutoConfig.from_pretrained = self.auto_config_original
        return False


def provider_view(cls) -> str:
    """flat / mla / hybrid / nested / unknown for a model config class."""
    from megatron.bridge.models.gpt_provider import GPTModelProvider
    from megatron.bridge.models.hybrid.hybrid_provider import HybridModelProvider
    from megatron.bridge.models.mla_provider import MLAModelProvider

    if not isinstance(cls, type):
        return "unknown"
    if issubclass(cls, HybridModelProvider):
        return "hybrid"
    if issubclass(cls, MLAModelProvider):
        return "mla"
    if issubclass(cls, GPTModelProvider):
        return "flat"
    if cls.__name__ == "GPTModelConfig" or any(k.__name__ == "GPTModelConfig" for k in cls.__mro__):
        return "nested"
    return "unknown"


def registered_bridges() -> list[dict]:
    """Every model bridge registered with Bridge's dispatch: HF architecture, Megatron model class,
    bridge module, provider class (the bridge's PROVIDER_CLASS; GPTModelProvider when unset)."""
    from megatron.bridge.models.conversion import model_bridge
    from megatron.bridge.models.gpt_provider import GPTModelProvider

    out = []
    for (source, target), impl in model_bridge.stream_weights_megatron_to_hf._exact_types.items():
        cells = [c.cell_contents for c in (impl.__closure__ or []) if isinstance(c.cell_contents, type)]
        bridge = cells[0] if cells else None
        if bridge is None:
            continue
        provider = getattr(bridge, "PROVIDER_CLASS", None)
        if provider is None and target.__name__ == "GPTModel":
            provider = GPTModelProvider
        out.append({
            "architecture": source if isinstance(source, str) else source.__name__,
            "target": target.__name__,
            "bridge": qualname(bridge),
            "provider": qualname(provider) if provider else None,
            "view": provider_view(provider) if provider else "unknown",
        })
    return sorted(out, key=lambda b: (b["bridge"], b["architecture"]))


def family_view(module: str, bridges: list[dict]) -> tuple[str, str]:
    """The view of a recipe whose model comes from a Hugging Face config.json that is not at hand:
    the one view shared by every bridge Bridge registers under megatron.bridge.models.<family>
    (flat where some build MLA providers and others plain ones: every flat key exists on both);
    else unknown."""
    family = module.split(".")[3]
    mine = [b for b in bridges if b["bridge"].split(".")[3] == family]
    if not mine:
        return "unknown", f"no model bridge registered under megatron.bridge.models.{family}"
    views = sorted({b["view"] for b in mine})
    if views == ["flat", "mla"]:
        views = ["flat"]  # every flat key exists on an MLA provider
    names = ", ".join(f"{b['architecture']}->{b['provider'].split('.')[-1] if b['provider'] else '?'}" for b in mine)
    if len(views) == 1 and views[0] != "unknown":
        return views[0], f"every bridge of megatron.bridge.models.{family} builds {views[0]} providers ({names})"
    return "unknown", f"the bridges of megatron.bridge.models.{family} differ ({names})"


def model_shape(model) -> dict:
    return {name: literal(getattr(model, name, None)) for name in SHAPE_FIELDS}


def flat_values(config, cwd: str) -> dict:
    """Every field of a built ConfigContainer as {"group.field": JSON literal or {"expr"}}."""
    out = {}
    for section in dataclasses.fields(config):
        value = getattr(config, section.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                out[f"{section.name}.{f.name}"] = literal(getattr(value, f.name), cwd)
        else:
            out[section.name] = literal(value, cwd)
    return out


@contextlib.contextmanager
def no_retry_sleep():
    """Bridge's config loader retries a failed Hugging Face download with exponential back-off
    (safe_config_loader.safe_load_config_with_retry, about 7 s a recipe); offline every retry fails
    the same way, so its sleeps are skipped here. The attempts and the final error are Bridge's."""
    from megatron.bridge.models.hf_pretrained import safe_config_loader

    real = safe_config_loader.time
    safe_config_loader.time = types.SimpleNamespace(time=real.time, sleep=lambda seconds: None)
    try:
        yield
    finally:
        safe_config_loader.time = real


def build_recipe(function, cwd: str):
    """Call a recipe offline: (config, None, hf ids) or (None, failure record, hf ids)."""
    with _HubRecorder() as hub, no_retry_sleep(), contextlib.redirect_stdout(io.StringIO()):
        try:
            return function(), None, hub.ids
        except HubNeeded as needed:
            return None, {"kind": "hf", "hf_model_id": needed.model_id, "call": needed.call, "error": needed.error}, hub.ids
        except Exception as failure:
            text = str(failure).splitlines()[0] if str(failure) else ""
            error = f"{type(failure).__name__}: {text}".replace(cwd, "<cwd>")
            if hub.ids and is_offline_error(failure):
                return None, {"kind": "hf", "hf_model_id": hub.ids[-1], "call": "AutoConfig.from_pretrained", "error": error}, hub.ids
            named = re.match(r"([A-Za-z0-9][\w.-]*/[\w.-]+) does not appear to have a file named", text)
            if named:  # another library's loader (diffusers): the id is in its message
                return None, {"kind": "hf", "hf_model_id": named.group(1), "call": "from_pretrained", "error": error}, [named.group(1)]
            return None, {"kind": "error", "error": error}, hub.ids


def is_offline_error(failure: BaseException) -> bool:
    """True for the errors Hugging Face raises when a file is neither cached nor downloadable."""
    text = str(failure)
    markers = ("couldn't connect to 'https://huggingface.co'", "does not appear to have a file named", "offline mode", "cannot find the requested files")
    return any(m in text for m in markers)


def builds_provider(function, failure: dict) -> bool:
    """The recipe's model is a bridge-made provider: it stopped at to_megatron_provider, or it
    stopped reading a config.json and its own source then calls to_megatron_provider."""
    if failure["call"] == "to_megatron_provider":
        return True
    try:
        return ".to_megatron_provider(" in inspect.getsource(function)
    except (OSError, TypeError):
        return False


def recipe_records(cwd: str) -> tuple[dict, list[dict], dict]:
    names, objects = recipe_functions()
    bridges = registered_bridges()
    out = {}
    model_classes = {}
    for key, recipe_names in names.items():
        function = objects[key]
        started = time.monotonic()
        config, failure, hf_ids = build_recipe(function, cwd)
        if os.environ.get("BM_EXTRACT_TRACE"):
            print(f"{time.monotonic() - started:7.2f}s {key} {'built' if config is not None else failure['kind']}", file=sys.stderr)
        record = {
            "function": function.__name__,
            "module": function.__module__,
            "names": recipe_names,
            "legacy_aliases": [f"megatron.bridge.recipes.{n}" for n in recipe_names if n != function.__name__],
        }
        source: dict = {}
        if hf_ids:
            source["hf_model_id"] = hf_ids[0]
        if config is not None:
            model = config.model
            cls = type(model)
            source.update(view=provider_view(cls), view_from="the recipe's model, built offline", provider_class=qualname(cls))
            source["provider_shape"] = model_shape(model)
            if dataclasses.is_dataclass(model):
                model_classes.setdefault(qualname(cls), sorted(f.name for f in dataclasses.fields(model) if not f.name.startswith("_")))
            record["built"] = True
            record["mixed_precision"] = literal(config.mixed_precision) if isinstance(config.mixed_precision, (str, type(None))) else {"expr": type(config.mixed_precision).__name__}
            record["seq_length"] = {"model": literal(getattr(model, "seq_length", None)), "dataset": literal(getattr(config.dataset, "seq_length", None))}
            if function.__name__ == VANILLA or VANILLA in recipe_names:
                record["instance_values"] = flat_values(config, cwd)
        else:
            record["built"] = False
            record["build_failure"] = failure
            if failure["kind"] == "hf" and builds_provider(function, failure):
                view, why = family_view(function.__module__, bridges)
                source.update(view=view, view_from=f"not built offline ({failure['call']} needs {failure['hf_model_id']}'s config.json) and the recipe builds a bridge provider; {why}")
            else:
                source.update(view="unknown", view_from=f"not built offline: {failure['error']}")
        record["model_source"] = source
        out[key] = record
    return out, bridges, model_classes


# ---------------------------------------------------------------------------------------------
# Main


def serve_hf_configs(folder: str) -> list[str]:
    """verify/verify.py's offline HF cache of <org>/<model>/config.json files."""
    import verify

    verify.serve_hf_configs(folder)
    return sorted(f"{org}/{model}" for org in os.listdir(folder) for model in os.listdir(os.path.join(folder, org)))



def preset_record(factory) -> dict:
    """A preset's fields that differ from a default MixedPrecisionConfig (torch dtypes as {"dtype": name})."""
    import dataclasses
    import torch
    from megatron.bridge.training.mixed_precision import MixedPrecisionConfig

    def plain(value):
        if isinstance(value, torch.dtype):
            return {"dtype": str(value).removeprefix("torch.")}
        return value

    made, default = factory(), MixedPrecisionConfig()
    return {field.name: plain(getattr(made, field.name)) for field in dataclasses.fields(made)
            if field.init and getattr(made, field.name) != getattr(default, field.name)}

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out-dir", default=os.path.join(ROOT, "src", "mapping"))
    parser.add_argument("--hf-configs", default=os.path.join(ROOT, "verify", "hf-configs"), help="offline HF cache (<org>/<model>/config.json); '' for none")
    options = parser.parse_args()
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    served_hf = serve_hf_configs(options.hf_configs) if options.hf_configs else []
    stubbed = stubs.install()
    warnings.filterwarnings("ignore")
    logging.basicConfig(level=logging.ERROR)
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(io.StringIO()):
        import importlib.metadata as metadata

        import megatron.bridge.recipes as recipes
        from megatron.bridge.training.config import ConfigContainer
        from megatron.bridge.training.mixed_precision import MIXED_PRECISION_RECIPES

    versions = {name: metadata.version(name) for name in ("megatron-bridge", "megatron-core", "hydra-core", "omegaconf", "torch")}
    out_dir = os.path.abspath(options.out_dir)
    os.makedirs(out_dir, exist_ok=True)
    # Recipes write paths under the working directory: build them in an empty one, written as <cwd>.
    work = tempfile.mkdtemp(prefix="bm-release-")
    os.environ["MEGATRON_CONFIG_LOCK_DIR"] = os.path.join(work, ".locks")
    here = os.getcwd()
    os.chdir(work)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            vanilla = getattr(recipes, VANILLA)()
        hints = resolved_hints(ConfigContainer)
        groups = {}
        for f in dataclasses.fields(ConfigContainer):
            record = group_record(f, hints, vanilla)
            if record is not None:
                groups[f.name] = record
        for view, path in MODEL_VIEWS.items():
            cls = import_class(path)
            groups[view] = {"class": path, "mro": [qualname(k) for k in cls.__mro__ if k is not object], "fields": class_fields(cls)}
        nested = nested_view_record(hints)
        if nested:
            groups[NESTED_VIEW] = nested
        recipes_out, bridges, model_classes = recipe_records(work)
    finally:
        os.chdir(here)
    # The registry holds each preset under its function's name and, for names with "_", a hyphen spelling.
    presets = sorted({factory.__name__ for factory in MIXED_PRECISION_RECIPES.values()})
    preset_fields = {factory.__name__: preset_record(factory) for factory in MIXED_PRECISION_RECIPES.values()}
    header = {
        "extracted_by": "scripts/extract-bridge-release.py",
        "versions": versions,
        "python": sys.version.split()[0],
        "stubbed": stubbed,
        "hf_configs_served": served_hf,
        "hf_hub_offline": True,
    }
    config_out = {
        "header": {**header, "root_class": qualname(ConfigContainer), "field_count": {g: len(r["fields"]) for g, r in groups.items()},
                   "notes": [
                       "fields in dataclasses.fields() order; type is the annotation as written (string annotations kept) or its repr.",
                       "a section's class is the class of vanilla_gpt_pretrain_config()'s value where the recipe has one (in_vanilla_recipe: instance), else the first dataclass of the annotation; alternatives: the annotation's other members.",
                       "default: a JSON literal, or {expr}; default_factory is evaluated when it is a container type or a lambda.",
                       "declared_in: the most derived class whose own body annotates the field.",
                       "post_init_default: the field's value in a default-constructed instance where the class's __post_init__ changes the declared default (classes that need constructor arguments are not checked).",
                       "mixed_precision_presets: the preset names of megatron.bridge.training.mixed_precision.MIXED_PRECISION_RECIPES (its factories' names); mixed_precision_preset_spellings: every key, hyphen spellings included.",
                       "mixed_precision_preset_fields: each preset's MixedPrecisionConfig fields that differ from MixedPrecisionConfig()'s, as the factory returns them (a torch dtype as {\"dtype\": name}).",
                   ]},
        "top_level_fields": top_level_records(ConfigContainer, hints),
        "groups": groups,
        "mixed_precision_presets": presets,
        "mixed_precision_preset_spellings": sorted(MIXED_PRECISION_RECIPES),
        "mixed_precision_preset_fields": dict(sorted(preset_fields.items())),
    }
    recipes_doc = {
        "header": {**header, "count": len(recipes_out), "notes": [
            "keys: qualified function names; names: every name run_recipe.py finds the function by (verify/runner.py find_library_recipe order: package attributes, then <family>.h100), function's own name first.",
            "model_source.view: flat (GPTModelProvider subclass), mla (MLAModelProvider subclass), hybrid (HybridModelProvider subclass), nested (GPTModelConfig builder), unknown; view_from says how it was known.",
            "built: the recipe ran offline (HF_HUB_OFFLINE=1, hf_configs_served as the cache); provider_shape is then the real model's values.",
            "instance_values (vanilla recipe only): every field of the built ConfigContainer, before overrides and runtime_config_update; paths under the working directory are written <cwd>.",
        ]},
        "recipes": recipes_out,
        "model_classes": model_classes,
        "registered_bridges": bridges,
    }
    write(os.path.join(out_dir, "bridge-release.generated.json"), config_out)
    write(os.path.join(out_dir, "bridge-release-recipes.generated.json"), recipes_doc)
    built = sum(1 for r in recipes_out.values() if r["built"])
    views = {}
    for r in recipes_out.values():
        views[r["model_source"]["view"]] = views.get(r["model_source"]["view"], 0) + 1
    print(json.dumps({"bridge": versions["megatron-bridge"], "core": versions["megatron-core"], "groups": len(groups), "presets": len(presets), "recipes": len(recipes_out), "built": built, "views": dict(sorted(views.items()))}))
    return 0


def layout(value, depth: int = 0, pretty_depth: int = 3) -> str:
    """JSON with one line per item below `pretty_depth` levels (one field, one value a line)."""
    if depth >= pretty_depth or not isinstance(value, (dict, list)) or not value:
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {layout(v, depth + 1, pretty_depth)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * depth + "}"
    items = [f"{pad}{layout(v, depth + 1, pretty_depth)}" for v in value]
    return "[\n" + ",\n".join(items) + "\n" + " " * depth + "]"


def write(path: str, document: dict) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(layout(document) + "\n")


if __name__ == "__main__":
    sys.exit(main())
