"""Cboe daily market statistics (put/call ratios after the 2019 end of Cboe's CSV archive).

One JSON document per trading day::

    https://cdn.cboe.com/data/us/options/market_statistics/daily/<YYYY-MM-DD>_daily_options

Layout (as documented in the snapshot's PROVENANCE-universe.md, section I): an object
with ``ratios``, a list of ``{"name": ..., "value": "0.65"}`` (values are strings with
two decimals; names such as ``TOTAL PUT/CALL RATIO``, ``INDEX PUT/CALL RATIO``,
``EQUITY PUT/CALL RATIO``, ``EXCHANGE TRADED PRODUCTS PUT/CALL RATIO``), then one key
per product (``SUM OF ALL PRODUCTS``, ``INDEX OPTIONS``, ``EQUITY OPTIONS``...), each a
list of ``{"name": "VOLUME" | "OPEN INTEREST", "call": int, "put": int, "total": int}``.

:func:`fetch` fills the ``putcall_ratios`` catalog series (equity, total and index
ratios) day by day; days without a document (market holidays) are skipped. The long
history comes from the snapshot (``sentiment/putcall_equity_ycharts.csv``); this source
extends it. Release rule ``same_day`` (Cboe posts the statistics after the close).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import spec as get_spec
from ..errors import DataError
from . import _http
from ._common import finish_series

SOURCE = "Cboe daily market statistics"
URL = "https://cdn.cboe.com/data/us/options/market_statistics/daily/{day:%Y-%m-%d}_daily_options"
DEFAULT_DAYS = 30
RATIOS = {"EQUITY": "equity_pc_ratio", "TOTAL": "total_pc_ratio", "INDEX": "index_pc_ratio"}

__all__ = ["fetch", "parse_daily_options"]


def parse_daily_options(content: bytes | str, day: Any, name: str = "putcall_ratios") -> dict[str, float]:
    """The equity, total and index put/call ratios of one daily document.

    Returns
    -------
    dict ``{"equity_pc_ratio": 0.62, "total_pc_ratio": ..., "index_pc_ratio": ...}``
    (NaN for a ratio the document lacks).

    Raises
    ------
    DataError
        Not JSON (e.g. an HTML page), no ``ratios`` list, or a ratio value that is
        not a number (the day and the ratio are named).
    """
    label = f"{name} {pd.Timestamp(day):%Y-%m-%d}"
    raw = content if isinstance(content, bytes) else content.encode()
    if _http.looks_like_html(raw):
        raise DataError(label, f"got an HTML page, not Cboe's daily statistics ({_http.html_title(raw)})")
    try:
        doc = json.loads(_http.decode_text(raw))
    except ValueError as exc:
        raise DataError(label, f"Cboe daily statistics are not valid JSON ({exc})") from None
    ratios = doc.get("ratios") if isinstance(doc, dict) else None
    if not isinstance(ratios, list):
        raise DataError(label, "Cboe daily statistics have no 'ratios' list",
                        hint=f"keys found: {', '.join(doc) if isinstance(doc, dict) else type(doc).__name__}")
    out = {col: np.nan for col in RATIOS.values()}
    for item in ratios:
        if not isinstance(item, dict):
            continue
        key = " ".join(str(item.get("name", "")).upper().split())
        if not key.endswith("PUT/CALL RATIO"):
            continue
        product = key[: -len("PUT/CALL RATIO")].strip()
        if product in RATIOS:
            try:
                out[RATIOS[product]] = float(str(item.get("value", "")).strip())
            except ValueError:
                raise DataError(label, f"{key} value {item.get('value')!r} is not a number") from None
    return out


def fetch(name: str = "putcall_ratios", start: Any = None, end: Any = None, **http: Any) -> pd.DataFrame:
    """Daily put/call ratios from Cboe's daily statistics, ``start`` to ``end``.

    ``start`` defaults to 30 days before ``end`` (one request per trading day: the
    long history comes from a snapshot or an import).

    Raises
    ------
    DataError
        No document found in the window, or a document that breaks the layout.
    """
    sp = get_spec(name)
    e = pd.Timestamp(end).normalize() if end is not None else pd.Timestamp.today().normalize()
    s = pd.Timestamp(start).normalize() if start is not None else e - pd.Timedelta(days=DEFAULT_DAYS)
    rows = {}
    for day in pd.bdate_range(s, e):
        url = URL.format(day=day)
        try:
            resp = _http.get(url, series=sp.name, retries=1, **http)
        except _http.FetchError as exc:
            if exc.status in (403, 404):
                continue  # a market holiday, or not published yet
            raise
        rows[day] = parse_daily_options(resp.content, day, sp.name)
    if not rows:
        raise _http.FetchError(sp.name, f"no Cboe daily statistics between {s.date()} and {e.date()}",
                               url=URL.format(day=e))
    df = pd.DataFrame.from_dict(rows, orient="index")[list(RATIOS.values())]
    df.index.name = "date"
    df = df[["equity_pc_ratio", "total_pc_ratio", "index_pc_ratio"]]
    return finish_series(df, sp, SOURCE, URL.format(day=df.index[-1]),
                         ("one document per trading day; holidays have none",))
