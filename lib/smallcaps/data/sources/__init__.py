"""Live public data sources, one module per source, no API keys.

============  ==========================================  ==========================
module        source                                      catalog series
============  ==========================================  ==========================
yahoo         Yahoo Finance (yfinance; v8 chart JSON)     prices (RUT, IWM, SPX...)
stooq         Stooq daily CSV (fallback)                  prices with a Stooq ticker
finra         FINRA margin statistics xlsx                margin_debt
cftc          CFTC COT annual files (TFF, legacy)         cot:russell2000/sp500/nasdaq100
cboe          Cboe put/call ratio history CSVs            putcall
fred          FRED graph CSV                              fred:BAMLH0A0HYM2, T10Y2Y, NFCI
finra_short_interest  FINRA consolidated short interest   short_interest:SYMBOL (any symbol)
              files (cdn.finra.org, twice monthly)
cboe_daily    Cboe daily market statistics JSON           putcall_ratios (after 2019)
local_csv     local CSV with a column mapping             nfib, vendor files
============  ==========================================  ==========================

Each module has a pure ``parse...`` function (bytes -> contract frame) and a
``fetch`` function that downloads through :mod:`._http`. Importing this package
touches no network and imports neither ``requests`` nor ``yfinance``.

:func:`plan` lists, for a catalog name, the sources ``smallcaps data pull`` tries
in order.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..catalog import SeriesSpec
from ..catalog import spec as get_spec

SUBMODULES = ("yahoo", "stooq", "finra", "cftc", "cboe", "fred", "local_csv",
              "finra_short_interest", "cboe_daily")

__all__ = ["SUBMODULES", "Source", "plan"]


@dataclass(frozen=True)
class Source:
    """One way to fetch a catalog series.

    Attributes
    ----------
    label : shown in the pull summary ("Yahoo Finance (yfinance)", "Stooq"...).
    module, function : where the fetch function lives (imported on use).
    incremental : True when the source can fetch only a date range.
    adjusted_close : True when the source's close is dividend-adjusted (Stooq):
        its rows may only extend a cache they agree with.
    """

    label: str
    module: str
    function: str = "fetch"
    incremental: bool = True
    adjusted_close: bool = False

    def fetcher(self) -> Callable[..., Any]:
        mod = importlib.import_module(f"{__name__}.{self.module}")
        return getattr(mod, self.function)


def plan(name: str | SeriesSpec) -> list[Source]:
    """Sources to try, in order, for catalog series ``name`` (empty: no public feed)."""
    sp = name if isinstance(name, SeriesSpec) else get_spec(name)
    if sp.kind == "prices":
        out = [Source("Yahoo Finance (yfinance)", "yahoo", "fetch"),
               Source("Yahoo Finance (chart API)", "yahoo", "fetch_chart")]
        if sp.stooq:
            out.append(Source("Stooq", "stooq", adjusted_close=True))
        return out
    if sp.kind == "margin_debt":
        return [Source("FINRA", "finra", incremental=False)]
    if sp.kind == "cot":
        return [Source("CFTC", "cftc")]
    if sp.kind == "putcall" and sp.name == "putcall_ratios":
        return [Source("Cboe daily statistics", "cboe_daily")]
    if sp.kind == "putcall":
        return [Source("Cboe", "cboe", incremental=False)]
    if sp.kind == "macro" and sp.name.lower().startswith("fred:"):
        return [Source("FRED", "fred", "fetch_catalog")]
    if sp.kind == "short_interest":
        return [Source("FINRA short interest files", "finra_short_interest")]
    return []  # surveys (import), vendor breadth, FRED (snapshot; see fred.py), put/call ratios


def __getattr__(name: str) -> Any:
    if name in SUBMODULES or name == "_http":
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
