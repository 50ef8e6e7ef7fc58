"""Data layer: catalog, snapshot reader, cache, validation, provenance, point in time.

Public API::

    sc.data.catalog()                       # the catalog as a DataFrame
    sc.data.load("RUT", start="2018-01-01") # a validated frame with provenance
    sc.data.provenance(df)                  # where it came from
    sc.data.align_published(series, index)  # point-in-time alignment
    sc.data.adjusted_as_of(iwm, "2025-06-13")  # dividend-adjusted as a chart on that day showed it
    sc.data.DataError                       # raised for bad or missing data
    sc.data.registry.entries()              # user-added series (registry.json beside the cache)
"""

from . import registry
from .adjust import adjusted_as_of
from .cache import CacheCorrupt, cache_dir
from .catalog import CATALOG, SeriesSpec, catalog, price_names, spec
from .coverage import coverage, gaps
from .errors import DataError
from .importer import import_csv, read_csv
from .loader import available, load
from .pointintime import align_published, published_dates
from .provenance import SYNTHETIC_LABEL, Provenance, is_synthetic, provenance

__all__ = [
    "CATALOG",
    "SYNTHETIC_LABEL",
    "CacheCorrupt",
    "DataError",
    "Provenance",
    "SeriesSpec",
    "adjusted_as_of",
    "align_published",
    "available",
    "cache_dir",
    "catalog",
    "coverage",
    "gaps",
    "import_csv",
    "is_synthetic",
    "load",
    "price_names",
    "provenance",
    "published_dates",
    "registry",
    "read_csv",
    "spec",
]


def __getattr__(name: str):
    # the network-facing modules load only when used (requests, yfinance are heavy)
    if name in ("pull", "sources"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
