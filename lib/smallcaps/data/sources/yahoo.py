"""Yahoo Finance daily prices: through yfinance, or the raw v8 chart JSON.

Tickers come from the catalog (RUT=^RUT, SPX=^GSPC, NDX=^NDX, COMPQ=^IXIC,
VIX=^VIX, ETFs by their own ticker); any other name is used as a ticker.

Contract mapping (kept apart, never mixed):

- ``close``: Yahoo's "Close": split-adjusted, *not* dividend-adjusted.
- ``adj_close``: Yahoo's "Adj Close" (dividends and splits, total return) for
  ETFs and stocks; NaN for price indices (use ``close``).
- ``volume``: shares; NaN for RUT, NDX and VIX, whose Yahoo "volume" is not
  theirs (^RUT's is a copy of S&P 500 volume).
- Dates: the session date in the exchange's time zone (the chart API stamps each
  bar with the session's opening instant in UTC).
- Yahoo sends float32 numbers (``168.97000122070312``); they are snapped to the
  shortest decimal (``168.97``). Bars whose open/close miss the high/low by a
  rounding-sized amount are widened, with a note; null bars are dropped.
"""

from __future__ import annotations

import json
import logging
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd

from ..catalog import SeriesSpec
from ..catalog import spec as get_spec
from ..errors import DataError
from . import _http
from ._common import finish_prices, repair_ohlc, snap_float32, window

SOURCE = "Yahoo Finance"
CHART_URL = "https://query2.finance.yahoo.com/v8/finance/chart/{ticker}"
NO_VOLUME = frozenset({"RUT", "NDX", "VIX"})

__all__ = ["fetch", "fetch_chart", "from_history", "parse_chart", "ticker_for"]


def ticker_for(name: str) -> tuple[str, SeriesSpec | None]:
    """Yahoo ticker for a catalog name (or the name itself), and the catalog entry if any."""
    try:  # built-in, registered or any ticker (catalog.spec); else the name itself
        sp = get_spec(name)
    except DataError:
        sp = None
    if sp is not None:
        if sp.kind != "prices" or not sp.yahoo:
            raise DataError(sp.name, "not a price series with a Yahoo ticker")
        return sp.yahoo, sp
    return name, None


def _finish(raw: pd.DataFrame, name: str, sp: SeriesSpec | None, ticker: str, is_index: bool,
            url: str, source: str) -> pd.DataFrame:
    """Common tail of both parsers: clean, map to the contract, validate."""
    notes: list[str] = []
    label = sp.name if sp is not None else name
    df = raw.copy()
    for col in ("open", "high", "low", "close", "adj_close", "volume"):
        if col not in df.columns:
            df[col] = np.nan
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    null = df["close"].isna()
    if null.any():
        notes.append(f"dropped {int(null.sum())} bar(s) without a close")
        df = df[~null.to_numpy()]
    if df.empty:
        raise DataError(label, f"Yahoo returned no price rows for {ticker}")
    for col in ("open", "high", "low", "close", "adj_close"):
        df[col] = snap_float32(df[col])
    # a missing open/high/low (Yahoo sends null for some index sessions): use the close
    for col in ("open", "high", "low"):
        df[col] = df[col].fillna(df["close"])
    if df.index.has_duplicates:
        notes.append("kept the last of duplicated session dates")
        df = df[~df.index.duplicated(keep="last")]
    df = df.sort_index()
    if is_index:
        df["adj_close"] = np.nan
    if label in NO_VOLUME:
        df["volume"] = np.nan
    df, repaired = repair_ohlc(df)
    if repaired:
        notes.append(f"widened high/low to contain open/close on {len(repaired)} day(s) "
                     f"({', '.join(repaired[:5])}{'...' if len(repaired) > 5 else ''})")
    notes.append("close is split-adjusted only; adj_close is total return"
                 if not is_index else "price index: adj_close empty, use close")
    return finish_prices(df[["open", "high", "low", "close", "adj_close", "volume"]],
                         sp if sp is not None else label, source, url, notes)


def parse_chart(body: bytes | str | dict[str, Any], name: str | None = None, *,
                url: str = "") -> pd.DataFrame:
    """Parse a Yahoo ``/v8/finance/chart`` JSON body into a contract price frame.

    Parameters
    ----------
    body : the raw body (bytes/str) or the decoded JSON object.
    name : catalog name (e.g. "RUT") or ticker; default the symbol in the body.
    url : where it came from (for provenance).

    Returns
    -------
    Validated price frame (see the module docstring) with provenance.

    Raises
    ------
    DataError
        Not JSON (HTML error page, truncated body), a Yahoo error object, no
        result, arrays of unequal length, or a bar breaking the price rules.
    """
    label = name or "Yahoo chart"
    if isinstance(body, (bytes, str)):
        raw = body.encode() if isinstance(body, str) else body
        _http.check_kind(raw, "json", label)
        try:
            data = json.loads(_http.decode_text(raw))
        except json.JSONDecodeError as exc:
            raise DataError(label, f"Yahoo chart body is not valid JSON ({exc.msg} at char "
                                   f"{exc.pos}; truncated download?)") from None
    else:
        data = body
    chart = data.get("chart") if isinstance(data, dict) else None
    if not isinstance(chart, dict):
        raise DataError(label, "Yahoo chart body has no 'chart' object")
    err = chart.get("error")
    if err:
        desc = err.get("description") if isinstance(err, dict) else str(err)
        raise DataError(label, f"Yahoo chart error: {desc}")
    results = chart.get("result") or []
    if not results:
        raise DataError(label, "Yahoo chart body has no result")
    res = results[0]
    meta = res.get("meta") or {}
    ticker = meta.get("symbol") or (name or "")
    if name is None:
        name = ticker
    _, sp = ticker_for(name)
    stamps = res.get("timestamp") or []
    ind = res.get("indicators") or {}
    quote_ = (ind.get("quote") or [{}])[0] or {}
    adj = ((ind.get("adjclose") or [{}])[0] or {}).get("adjclose")
    if not stamps:
        raise DataError(label, f"Yahoo returned no bars for {ticker}")
    cols: dict[str, Any] = {}
    for key in ("open", "high", "low", "close", "volume"):
        values = quote_.get(key)
        if values is None:
            values = [None] * len(stamps)
        if len(values) != len(stamps):
            raise DataError(label, f"Yahoo chart: {key} has {len(values)} values for "
                                   f"{len(stamps)} timestamps")
        cols[key] = [np.nan if v is None else v for v in values]
    cols["adj_close"] = ([np.nan if v is None else v for v in adj] if adj is not None
                         and len(adj) == len(stamps) else [np.nan] * len(stamps))
    tz = meta.get("exchangeTimezoneName") or "America/New_York"
    when = pd.to_datetime(pd.Series(stamps, dtype="int64"), unit="s", utc=True)
    try:
        local = when.dt.tz_convert(tz)
    except Exception:  # unknown zone name: fall back to the fixed offset
        local = when + pd.Timedelta(seconds=int(meta.get("gmtoffset") or 0))
    dates = pd.DatetimeIndex(local.dt.tz_localize(None) if local.dt.tz is not None else local)
    frame = pd.DataFrame(cols, index=dates.normalize().rename("date"))
    is_index = meta.get("instrumentType") == "INDEX" or ticker.startswith("^")
    return _finish(frame, name, sp, ticker, is_index, url, f"{SOURCE} (chart API)")


def from_history(hist: pd.DataFrame, name: str, *, url: str = "") -> pd.DataFrame:
    """Map a yfinance ``history(auto_adjust=False)`` frame to a contract price frame.

    Expects columns Open, High, Low, Close, Adj Close, Volume (others ignored) and
    a (time-zone aware) DatetimeIndex of sessions.
    """
    ticker, sp = ticker_for(name)
    label = sp.name if sp is not None else name
    if not isinstance(hist, pd.DataFrame) or hist.empty:
        raise DataError(label, f"Yahoo (yfinance) returned no rows for {ticker}")
    if isinstance(hist.columns, pd.MultiIndex):  # yf.download layout
        hist = hist.droplevel(1, axis=1) if hist.columns.nlevels > 1 else hist
    if "Close" not in hist.columns:
        raise DataError(label, "yfinance frame has no 'Close' column",
                        hint=f"columns found: {', '.join(map(str, hist.columns))}")
    if "Adj Close" not in hist.columns and not ticker.startswith("^"):
        raise DataError(label, "yfinance frame has no 'Adj Close' column (called with "
                               "auto_adjust=True?), so close and adj_close cannot be kept apart")
    idx = pd.DatetimeIndex(hist.index)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    frame = pd.DataFrame({
        "open": hist.get("Open"), "high": hist.get("High"), "low": hist.get("Low"),
        "close": hist["Close"], "adj_close": hist.get("Adj Close"), "volume": hist.get("Volume"),
    }).set_axis(idx.normalize().rename("date"))
    return _finish(frame, name, sp, ticker, ticker.startswith("^"),
                   url or f"yfinance:{ticker}", f"{SOURCE} (yfinance)")


def _yf_history(ticker: str, start: pd.Timestamp | None, end: pd.Timestamp | None,
                timeout: float) -> pd.DataFrame:
    """The one place yfinance is called (tests replace this function)."""
    import yfinance as yf

    kw: dict[str, Any] = {"interval": "1d", "auto_adjust": False, "actions": False,
                          "timeout": timeout}
    if start is None and end is None:
        kw["period"] = "max"
    else:
        kw["start"] = (start or pd.Timestamp("1900-01-01")).date().isoformat()
        if end is not None:
            kw["end"] = (end + pd.Timedelta(days=1)).date().isoformat()  # yfinance end is exclusive
    yf_log = logging.getLogger("yfinance")
    level = yf_log.level
    yf_log.setLevel(logging.CRITICAL)
    try:
        return yf.Ticker(ticker).history(**kw)
    finally:
        yf_log.setLevel(level)


def fetch(name: str, start: str | pd.Timestamp | None = None,
          end: str | pd.Timestamp | None = None, *, timeout: float = 30.0) -> pd.DataFrame:
    """Daily prices from Yahoo Finance through yfinance.

    Parameters
    ----------
    name : catalog name ("RUT", "IWM", ...) or a Yahoo ticker.
    start, end : inclusive bounds (default: the whole history).

    Raises
    ------
    FetchError
        yfinance failed or returned nothing.
    DataError
        The rows break the price contract.
    """
    ticker, sp = ticker_for(name)
    label = sp.name if sp is not None else name
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    try:
        hist = _yf_history(ticker, s, e, timeout)
    except Exception as exc:  # yfinance raises many types (HTTP, JSON, its own)
        raise _http.FetchError(label, f"yfinance failed for {ticker}: {type(exc).__name__}: {str(exc)[:160]}",
                               url=f"yfinance:{ticker}", outage=True) from None
    if hist is None or len(hist) == 0:
        raise _http.FetchError(label, f"yfinance returned no rows for {ticker}",
                               url=f"yfinance:{ticker}",
                               hint="Yahoo may be rate-limiting or the network is down")
    return window(from_history(hist, name), s, e)


def chart_url(ticker: str, start: pd.Timestamp | None, end: pd.Timestamp | None) -> str:
    """The v8 chart URL for daily bars between ``start`` and ``end`` (inclusive)."""
    p1 = int((start or pd.Timestamp("1900-01-01")).timestamp())
    p2 = int(((end + pd.Timedelta(days=1)) if end is not None
              else pd.Timestamp.now().normalize() + pd.Timedelta(days=1)).timestamp())
    return _http.build_url(CHART_URL.format(ticker=quote(ticker, safe="")),
                           {"period1": p1, "period2": p2, "interval": "1d",
                            "events": "div,split", "includeAdjustedClose": "true"})


def fetch_chart(name: str, start: str | pd.Timestamp | None = None,
                end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """Daily prices from Yahoo's v8 chart API through the kit's HTTP layer.

    The fallback when yfinance fails; ``http`` options go to :func:`_http.get`.
    """
    ticker, sp = ticker_for(name)
    label = sp.name if sp is not None else name
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    url = chart_url(ticker, s, e)
    resp = _http.get(url, series=label, expect="json", **http)
    return window(parse_chart(resp.content, name, url=url), s, e)
