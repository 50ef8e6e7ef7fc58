"""Stooq daily CSV: the fallback price source.

Format (``https://stooq.com/q/d/l/?s=spy.us&i=d``): ``Date,Open,High,Low,Close,Volume``
with ISO dates and CRLF line endings; indices may have no Volume column. When
Stooq has nothing it answers ``No data`` (status 200), and when a client asks
too often ``Exceeded the daily hits limit``: both raise.

Contract mapping: Stooq adjusts ETF and stock prices for splits **and
dividends**, so its close is not Yahoo's split-only close. The adapter stores it
in both ``close`` and ``adj_close`` and says so in the provenance notes; for
price indices ``adj_close`` is NaN as everywhere in the kit. ``smallcaps data
pull`` therefore only appends Stooq rows to a cached Yahoo series when the two
agree on the overlapping days, and otherwise keeps the cache.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..catalog import SeriesSpec
from ..catalog import spec as get_spec
from ..errors import DataError
from ..validation import parse_dates
from . import _http
from ._common import csv_frame, finish_prices, window
from .yahoo import NO_VOLUME

SOURCE = "Stooq"
URL = "https://stooq.com/q/d/l/"

__all__ = ["fetch", "parse_csv", "ticker_for", "url_for"]


def ticker_for(name: str) -> tuple[str, SeriesSpec | None]:
    """Stooq ticker for a catalog name (``iwm.us``, ``^spx``...) or the name itself."""
    try:  # built-in, registered or any ticker (catalog.spec); else the name itself
        sp = get_spec(name)
    except DataError:
        sp = None
    if sp is not None:
        if sp.kind != "prices" or not sp.stooq:
            raise DataError(sp.name, "Stooq has no ticker for this series in the catalog")
        return sp.stooq, sp
    return name, None


def parse_csv(content: bytes | str, name: str, *, url: str = "") -> pd.DataFrame:
    """Parse a Stooq daily CSV into a contract price frame.

    Parameters
    ----------
    content : the raw body.
    name : catalog name ("IWM") or ticker ("spy.us").
    url : where it came from (provenance).

    Raises
    ------
    DataError
        "No data", the hits-limit message, an HTML page, a truncated last line,
        missing columns, unparsable values or a bar breaking the price rules.
    """
    _, sp = ticker_for(name)
    label = sp.name if sp is not None else name
    text = _http.decode_text(content).strip()
    first = text.splitlines()[0].strip() if text else ""
    if not text or first.lower() in ("no data", "brak danych"):
        raise DataError(label, "Stooq answered 'No data' (unknown ticker or empty date range)")
    if "exceeded the daily hits limit" in text[:200].lower():
        raise _http.FetchError(label, "Stooq refused: exceeded the daily hits limit", url=url,
                               hint="try again tomorrow")
    raw, first_line = csv_frame(content, label)
    cols = {c.lower(): c for c in raw.columns}
    missing = [c for c in ("date", "open", "high", "low", "close") if c not in cols]
    if missing:
        raise DataError(label, f"Stooq CSV lacks column(s) {', '.join(missing)}",
                        hint=f"columns found: {', '.join(raw.columns)}")
    idx = parse_dates(raw[cols["date"]], label, first_line)
    frame = pd.DataFrame({k: raw[cols[k]].to_numpy() for k in ("open", "high", "low", "close")},
                         index=idx)
    frame["volume"] = raw[cols["volume"]].to_numpy() if "volume" in cols else ""
    # numbers are parsed (and bad cells reported with their file line) by validation
    is_index = (sp.stooq if sp is not None else name).startswith("^")
    frame["adj_close"] = np.nan if is_index else frame["close"]
    if label in NO_VOLUME:
        frame["volume"] = np.nan
    notes = (["price index: adj_close empty, use close"] if is_index else
             ["Stooq prices are split- and dividend-adjusted: close here is NOT the "
              "unadjusted close (adj_close = close)"])
    return finish_prices(frame, sp if sp is not None else label, SOURCE, url, notes,
                         line_offset=first_line)


def url_for(ticker: str, start: pd.Timestamp | None = None, end: pd.Timestamp | None = None) -> str:
    params: dict[str, Any] = {"s": ticker, "i": "d"}
    if start is not None:
        params["d1"] = start.strftime("%Y%m%d")
    if end is not None or start is not None:
        params["d2"] = (end or pd.Timestamp.now()).strftime("%Y%m%d")
    return _http.build_url(URL, params)


def fetch(name: str, start: str | pd.Timestamp | None = None,
          end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """Daily prices from Stooq (``http`` options go to :func:`_http.get`).

    Raises
    ------
    FetchError, DataError
        Download failed, or the body is not a valid Stooq price file.
    """
    ticker, sp = ticker_for(name)
    label = sp.name if sp is not None else name
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    url = url_for(ticker, s, e)
    resp = _http.get(url, series=label, expect="csv", **http)
    return window(parse_csv(resp.content, name, url=url), s, e)
