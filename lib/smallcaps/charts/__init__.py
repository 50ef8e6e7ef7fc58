"""Figures in one kit style; every function returns a matplotlib Figure.

One module per family of figures (``overview``, ``price``, ``relative``,
``sentiment``, ``stats``); their public names are re-exported here lazily, so
``sc.charts.candles(...)`` works without importing mplfinance at start-up.
:mod:`smallcaps.charts._style` holds the shared style and the provenance footer.
"""

from .._lazy import lazy_exports

__getattr__, __dir__ = lazy_exports(
    __name__, ("overview", "price", "relative", "sentiment", "stats", "breadth", "overlays",
                "interactive", "_style")
)
