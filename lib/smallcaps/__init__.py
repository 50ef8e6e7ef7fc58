"""smallcaps: a research kit for US small-cap markets.

Submodules are imported lazily so that ``import smallcaps`` stays fast: the heavy
libraries (statsmodels, scipy, mplfinance, papermill) load only when a function
that needs them is first used.

>>> import smallcaps as sc
>>> rut = sc.data.load("RUT", start="2018-01-01")   # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

_SUBMODULES = {
    "data",
    "demo",
    "technicals",
    "relative",
    "regimes",
    "sentiment",
    "stats",
    "charts",
    "widgets",
    "briefing",
    "run",
    "runner",
    "params",
    "claims",
    "universe",
    "breadth",
    "pvalues",
    "tables",
    "sections",
}

__all__ = sorted(_SUBMODULES | {"section", "__version__"})

if TYPE_CHECKING:  # pragma: no cover
    from . import (  # noqa: F401
        breadth,
        briefing,
        charts,
        claims,
        data,
        demo,
        params,
        pvalues,
        regimes,
        relative,
        run,
        runner,
        sections,
        sentiment,
        stats,
        tables,
        technicals,
        universe,
        widgets,
    )


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        module = importlib.import_module(f".{name}", __name__)
        globals()[name] = module
        return module
    if name == "section":
        from .sections import section

        return section
    raise AttributeError(f"module 'smallcaps' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
