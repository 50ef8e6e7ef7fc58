"""Universes of symbols: point-in-time membership, panels of prices, bulk pulls.

Public API::

    sc.universe.members("russell2000", as_of="2023-12-29")   # sorted tickers that day
    sc.universe.membership("russell2000")                   # Membership (dated observations)
    sc.universe.load_panel(symbols, start=, end=, fields=)  # Panel: .close .high .low ...
    sc.universe.panel(symbols, field="close", start=, end=) # one wide DataFrame
    sc.universe.read_holdings(path) / parse_holdings(bytes) # iShares holdings CSV (both layouts)
    sc.universe.pull_holdings("IWM", as_of=DATE)            # iShares file into the cache
    sc.universe.pull_prices(symbols)                        # concurrent, polite, resumable
    sc.universe.scan("russell2000", as_of=DATE, filters=[...]) # screen (universe/screen.py, docs/scan.md)
    sc.universe.universe_short_interest("russell2000")      # members' FINRA short interest

See :mod:`smallcaps.universe.membership` for how membership is read (latest
observation on or before a date) and docs/universe.md.
"""

from .holdings import (
    FUNDS,
    equity_tickers,
    holdings_url,
    parse_holdings,
    pull_holdings,
    read_holdings,
)
from .membership import (
    Membership,
    from_holdings,
    from_intervals,
    from_list,
    members,
    membership,
    read_intervals,
    read_list,
    universe_param,
    universes_dir,
)
from .panel import FIELDS, Panel, load_panel, panel, panel_dates
from .short_interest import compare_short_interest, universe_short_interest

__all__ = [
    "FIELDS",
    "FUNDS",
    "Membership",
    "Panel",
    "compare_short_interest",
    "equity_tickers",
    "from_holdings",
    "from_intervals",
    "from_list",
    "holdings_url",
    "load_panel",
    "members",
    "membership",
    "panel",
    "panel_dates",
    "parse_holdings",
    "pull_holdings",
    "pull_prices",
    "read_holdings",
    "read_intervals",
    "read_list",
    "universe_param",
    "universe_short_interest",
    "universes_dir",
]


def __getattr__(name: str):
    if name in ("scan", "scan_panel", "ScanResult", "DETECTORS", "FILTERS"):  # scan branch: universe screens
        from . import screen as _scan_module

        return getattr(_scan_module, name)
    if name == "pull_prices":
        from .bulk import pull_prices

        return pull_prices
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
