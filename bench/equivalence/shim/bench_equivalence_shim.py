"""Run-time shim for the training-equivalence bench (bench/equivalence). Never part of the product.

The GPU machine has no Transformer Engine, ModelOpt, nvidia-resiliency-ext, Megatron Energon or
diffusers. Megatron Bridge 0.6.2 imports some of them unguarded (a plain `import` that is not
inside a `try`), so its modules cannot even be imported, and its GPTModelProvider builds Transformer
Engine layers whatever `model.transformer_impl` says. Loaded by the `sitecustomize.py` beside it
(the bench puts this folder on PYTHONPATH for the Bridge side only), this module changes exactly
these things and nothing else:

1. Stub modules for unguarded imports in Bridge's own modules. When a module whose name starts
   with `megatron.bridge.` imports one of STUBBABLE_PACKAGES, the import is not inside a `try`
   block of that module's source, and the real package cannot be imported, the import is answered
   with a stub module. Its attributes are placeholder classes that raise `StubCalled` as soon as
   a function calls them, so a stub that is actually used fails loudly. The one exception is in
   STUB_FUNCTIONS: ModelOpt's `get_tensor_shapes_adjust_fn_for_distillation`, which Bridge's train
   loop calls on every run, returns None, as ModelOpt does for a model that is not distilled
   across pipeline stages. Only where a module or
   class body calls one while it is being defined (`@stateless`, `@stateless(restore_seeds=True)`
   over a method) does a placeholder act as a decorator that returns what it decorates. The stubs are taken out of
   sys.modules as soon as that one import statement returns, so no other module ever sees them:
   Megatron Core, Megatron-LM and Bridge's own guarded `try: import transformer_engine` still
   find the package missing and take their non-TE paths.
2. `megatron.bridge.models.gpt_provider.transformer_engine_layer_spec` (what Bridge's
   `default_layer_spec` calls) returns Bridge's own `local_layer_spec(config)` when
   `config.transformer_impl == "local"`; any other value keeps Bridge's behaviour.
3. Python < 3.12 only (CPU checks on a developer machine): `typing.override` is defined as the
   identity decorator, as in Python 3.12. A no-op on the GPU machine (Python 3.12).
4. Only with BENCH_EQUIVALENCE_SIMULATE_DEVICE=1 (CPU checks): the packages in DEVICE_ABSENT are
   made unimportable, as on the GPU machine, to find out here what must be carried there.

Every stub served and every patch applied is logged on stderr with the prefix `[bench-shim]`.
"""

from __future__ import annotations

import abc
import ast
import builtins
import importlib.abc
import inspect
import importlib.machinery
import os
import sys
import types
import typing

PREFIX = "[bench-shim]"

STUBBABLE_PACKAGES = ("transformer_engine", "modelopt", "nvidia_resiliency_ext", "megatron.energon", "diffusers")
STUBBED_FOR = "megatron.bridge."

# Installed in the session's CPU venv but not on the GPU machine (KINDS.md's package list), less
# what the bench carries there as wheels (datasets, dill, multiprocess, hydra-core, omegaconf, antlr4).
DEVICE_ABSENT = (
    "aiobotocore aioitertools annotated_types botocore braceexpand bracex cffi deprecation "
    "diffusers filetype importlib_metadata jmespath jsonschema jsonschema_specifications lark "
    "lazy_importer megatron.energon mfusepy multistorageclient opentelemetry prettytable "
    "pycparser pydantic pydantic_core pyroute2 ryml referencing rpds s3fs typing_inspection tzdata "
    "wcmatch wcwidth webdataset xattr"
).split()


def log(message: str) -> None:
    print(f"{PREFIX} {message}", file=sys.stderr, flush=True)


class StubCalled(RuntimeError):
    pass


class _StubType(abc.ABCMeta):
    """Metaclass of placeholder classes: any attribute is another placeholder; calling raises.
    (An ABCMeta so that Bridge's `class X(Placeholder, ABC)` can be defined; `Placeholder[T]` is itself.)"""

    def __getitem__(cls, item):
        return cls

    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _placeholder(f"{cls.__qualname__}.{name}", cls.__module__)

    def __call__(cls, *args, **kwargs):
        caller = sys._getframe(1).f_code
        if not caller.co_flags & inspect.CO_NEWLOCALS:  # module or class body: a definition being made
            if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
                log(f"stub {cls.__module__}.{cls.__qualname__} decorates {args[0].__qualname__}: identity")
                return args[0]
            log(f"stub {cls.__module__}.{cls.__qualname__}(...) called at definition time: a placeholder")
            return _placeholder(f"{cls.__qualname__}()", cls.__module__)
        raise StubCalled(
            f"{PREFIX} {cls.__module__}.{cls.__qualname__} was called, but it is a stub served by the "
            "bench shim (the package is not installed on this machine)"
        )


def _placeholder(qualname: str, module_name: str) -> type:
    placeholder = _StubType(qualname.rsplit(".", 1)[-1], (), {"__module__": module_name})
    placeholder.__qualname__ = qualname
    return placeholder


def _no_distillation_tensor_shapes(*args, **kwargs):
    # ModelOpt's own function returns None unless the model is a DistillationModel split over
    # pipeline stages; Bridge's train loop calls it on every run.
    return None


# Stub attributes that are plain functions with ModelOpt's own result for a model that is not being
# distilled, because Bridge calls them unconditionally. Every other attribute is a placeholder.
STUB_FUNCTIONS = {
    "modelopt.torch.distill.plugins.megatron.get_tensor_shapes_adjust_fn_for_distillation": _no_distillation_tensor_shapes,
}


class _StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        value = STUB_FUNCTIONS.get(f"{self.__name__}.{name}") or _placeholder(name, self.__name__)
        setattr(self, name, value)
        return value


class _StubLoader(importlib.abc.Loader):
    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        return module

    def exec_module(self, module):
        return None


class _StubFinder(importlib.abc.MetaPathFinder):
    """Active only while one unguarded import statement runs; serves every module under `package`."""

    def __init__(self, package: str):
        self.package = package

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.package or fullname.startswith(self.package + "."):
            return importlib.machinery.ModuleSpec(fullname, _StubLoader(), is_package=True)
        return None


_guarded_lines_by_file: dict[str, set[int]] = {}


def _guarded_import_lines(filename: str) -> set[int]:
    """Line numbers of import statements that sit inside the body of a `try` in this file."""
    if filename not in _guarded_lines_by_file:
        lines: set[int] = set()
        try:
            with open(filename, encoding="utf-8") as source:
                tree = ast.parse(source.read(), filename)
        except (OSError, SyntaxError, ValueError):
            tree = None
        try_types = (ast.Try, getattr(ast, "TryStar", ast.Try))
        for node in ast.walk(tree) if tree is not None else ():
            if isinstance(node, try_types):
                for statement in node.body:
                    for inner in ast.walk(statement):
                        if isinstance(inner, (ast.Import, ast.ImportFrom)):
                            lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
        _guarded_lines_by_file[filename] = lines
    return _guarded_lines_by_file[filename]


_original_import = builtins.__import__


def _drop_stub_modules(package: str) -> None:
    for name in [name for name, module in list(sys.modules.items()) if isinstance(module, _StubModule)]:
        if name == package or name.startswith(package + "."):
            del sys.modules[name]


def _import_with_stubs(name, globals=None, locals=None, fromlist=(), level=0):
    importer = globals.get("__name__", "") if (level == 0 and globals is not None) else ""
    if not importer.startswith(STUBBED_FOR):
        return _original_import(name, globals, locals, fromlist, level)
    package = next((p for p in STUBBABLE_PACKAGES if name == p or name.startswith(p + ".")), None)
    if package is None:
        return _original_import(name, globals, locals, fromlist, level)
    try:
        return _original_import(name, globals, locals, fromlist, level)
    except ImportError:
        caller = sys._getframe(1)
        if caller.f_lineno in _guarded_import_lines(caller.f_code.co_filename):
            raise  # inside a try: Bridge handles the missing package itself
    finder = _StubFinder(package)
    # A simulated absence (BENCH_EQUIVALENCE_SIMULATE_DEVICE) is a None entry: lift it meanwhile.
    blocked = {
        key: sys.modules.pop(key)
        for key, module in list(sys.modules.items())
        if module is None and (key == package or key.startswith(package + "."))
    }
    sys.meta_path.insert(0, finder)
    try:
        result = _original_import(name, globals, locals, fromlist, level)
    finally:
        sys.meta_path.remove(finder)
        _drop_stub_modules(package)
        sys.modules.update(blocked)
    names = f" ({', '.join(fromlist)})" if fromlist else ""
    log(f"stub served: {importer} line {sys._getframe(1).f_lineno} imports {name}{names}")
    return result


def _local_spec_when_asked(original):
    def transformer_engine_layer_spec(config):
        if getattr(config, "transformer_impl", None) == "local":
            from megatron.bridge.models.gpt_provider import local_layer_spec

            log("layer spec: transformer_impl=local, so Bridge's local_layer_spec instead of Transformer Engine layers")
            return local_layer_spec(config)
        return original(config)

    return transformer_engine_layer_spec


def _patch_gpt_provider(module) -> None:
    module.transformer_engine_layer_spec = _local_spec_when_asked(module.transformer_engine_layer_spec)
    log("patched megatron.bridge.models.gpt_provider.transformer_engine_layer_spec to honour transformer_impl=local")


_AFTER_IMPORT = {"megatron.bridge.models.gpt_provider": _patch_gpt_provider}


class _PatchAfterImportFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        patch = _AFTER_IMPORT.get(fullname)
        if patch is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                break
        else:
            return None
        original_exec = spec.loader.exec_module

        def exec_module(module):
            original_exec(module)
            patch(module)

        spec.loader.exec_module = exec_module
        return spec


def install() -> None:
    if builtins.__import__ is _import_with_stubs:
        return
    if not hasattr(typing, "override"):
        typing.override = lambda function: function
        log("typing.override defined (Python < 3.12)")
    if os.environ.get("BENCH_EQUIVALENCE_SIMULATE_DEVICE") == "1":
        for absent in DEVICE_ABSENT:
            sys.modules[absent] = None  # import raises ModuleNotFoundError; find_spec returns None
    sys.meta_path.insert(0, _PatchAfterImportFinder())
    builtins.__import__ = _import_with_stubs
