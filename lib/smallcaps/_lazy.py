"""Lazy re-export of public names from a package's submodules.

Packages whose functions live in one module per concept (charts, sentiment) use
this so that ``sc.charts.candles`` works without importing every submodule, and
their heavy dependencies, at ``import smallcaps``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any


def lazy_exports(package: str, submodules: Iterable[str]) -> tuple[Callable, Callable]:
    """Return ``(__getattr__, __dir__)`` for ``package`` searching ``submodules`` in order.

    A submodule's public names are those in its ``__all__``; every listed submodule
    must exist (an import error propagates).
    """
    names = tuple(submodules)

    def _modules() -> Iterable[Any]:
        for sub in names:
            yield importlib.import_module(f"{package}.{sub}")

    def __getattr__(attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        for mod in _modules():
            if attr in getattr(mod, "__all__", ()):
                return getattr(mod, attr)
        raise AttributeError(f"module {package!r} has no attribute {attr!r}")

    def __dir__() -> list[str]:
        out: list[str] = list(names)
        for mod in _modules():
            out.extend(getattr(mod, "__all__", ()))
        return sorted(set(out))

    return __getattr__, __dir__
