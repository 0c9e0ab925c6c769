"""Import stubs for packages that exist only as CUDA builds, for checking configurations on a CPU.

The verifier checks whether a migrated launch *starts*: Bridge's runner, recipe loading, Hydra
overrides and ConfigContainer.validate(). None of that runs a GPU kernel, but Bridge imports a few
CUDA-only packages at module level. Each stub below serves such an import with a module whose every
attribute is an inert placeholder, and says why it is safe. Nothing else is stubbed: every other
package is the real one, pinned in verify/requirements.lock.

Only the packages in STUBBED are served, and only where they are not installed. A launch that needs one of them for real (for example a
Transformer Engine-only setting whose check calls into TE) fails in the verifier with the import
error it would raise, which the verifier reports.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
import types

#: the version each stub reports: the CUDA releases a Bridge 0.6.2 GPU environment installs, so
#: version-gated settings (`is_te_min_version(...)`) are judged as on such a machine
VERSIONS = {"transformer_engine": "2.12.0", "modelopt": "0.44.0"}

#: package -> why a stub is enough for a configuration check
STUBBED = {
    "transformer_engine": (
        "Transformer Engine ships only CUDA builds. Bridge imports it unguarded (model specs, "
        "mixed-precision helpers); layer specs are built at model construction, which the verifier "
        "never reaches."
    ),
    "modelopt": (
        "NVIDIA ModelOpt (nvidia-modelopt) is imported by megatron.bridge's package __init__ and by "
        "quantization recipes; its wheels pull CUDA builds. Pretrain recipes do not call it."
    ),
}

#: Python 3.12 names Bridge uses, served on older interpreters (Bridge declares >=3.12; its sources
#: parse under 3.11, and this is the only 3.12 library name an import reaches).
def _shim_python_312() -> None:
    import typing

    if not hasattr(typing, "override"):
        import typing_extensions

        typing.override = typing_extensions.override  # type: ignore[attr-defined]


class _PlaceholderMeta(type):
    def __getattr__(cls, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Placeholder

    def __call__(cls, *args, **kwargs):
        # Used as a decorator (`@te.something`): give the function back unchanged.
        if len(args) == 1 and callable(args[0]) and not kwargs:
            return args[0]
        return _Placeholder

    def __getitem__(cls, key):
        return _Placeholder

    def __or__(cls, other):
        return _Placeholder

    def __ror__(cls, other):
        return _Placeholder

    def __iter__(cls):
        return iter(())

    def __bool__(cls):
        return False


class _Placeholder(metaclass=_PlaceholderMeta):
    """Any attribute of a stubbed module: a class usable as a base, decorator or value."""


class _StubModule(types.ModuleType):
    __stub__ = True

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _Placeholder


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, names):
        self.names = set(names)

    def find_spec(self, fullname, path, target=None):
        top = fullname.split(".", 1)[0]
        if top in self.names:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        module = _StubModule(spec.name)
        module.__path__ = []
        module.__version__ = VERSIONS.get(spec.name.split(".", 1)[0], "0.0.0")
        return module

    def exec_module(self, module):
        pass


_served: list[str] | None = None


def install() -> list[str]:
    """Serve the stubbed packages that are not installed (idempotent); returns their names.

    Call before importing megatron.bridge. Where a real package is installed (a user's GPU
    environment), the real one is used.
    """
    global _served
    if _served is not None:
        return _served
    import importlib.util

    _shim_python_312()
    _served = [name for name in STUBBED if importlib.util.find_spec(name) is None]
    if _served:
        sys.meta_path.insert(0, _StubFinder(_served))
    return _served
