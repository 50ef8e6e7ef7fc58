"""Bar events: gaps, outside days, key reversals, moving-average crosses and order,
new closing highs.

Definitions (bar ``t``, previous bar ``t-1``)
---------------------------------------------
- Gap up: ``low_t > high_{t-1}`` (a full gap, an empty price zone); gap down:
  ``high_t < low_{t-1}``. Size is measured across the empty zone. Opens are not
  used, because several index histories copy the previous close into the open.
  A gap is *filled* on the first later bar that trades back across the zone.
- Outside day: ``high_t > high_{t-1}`` and ``low_t < low_{t-1}``; bullish if the
  close is above the previous close, bearish if below.
- Key reversal: a bar that makes a new ``lookback``-bar high (low) and closes
  below (above) the previous close: bearish (bullish).
- Moving-average cross: the fast average closes above (below) the slow one after
  being below (above); for 50/200-day simple averages, golden (death) cross.
- MA order: the ranking of several averages, e.g. "200 > 100 > 50" when the
  longest is on top (a falling market's order).
- New closing high: a close above every earlier close in the history given
  (all-time) or in the previous ``window - 1`` bars.

Reference: J. Murphy, *Technical Analysis of the Financial Markets* (1999), ch. 4
(gaps, key reversal days) and ch. 9 (moving averages).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._checks import as_close, check_fraction, check_index, check_window, keep_attrs, price_frame
from .indicators import ema, sma

__all__ = ["events", "gaps", "key_reversals", "ma_crosses", "ma_order", "new_highs",
           "outside_days"]

_EVENT_COLUMNS = ["date", "event", "direction", "price", "detail"]


def _frame(rows: list[dict], src: Any, columns: Sequence[str]) -> pd.DataFrame:
    out = pd.DataFrame(rows, columns=list(columns))
    if "date" in out.columns:
        out["date"] = pd.to_datetime(out["date"])
    return keep_attrs(out, src)


def _first_reach(x: np.ndarray, start: int, level: float, below: bool) -> int:
    """First position >= ``start`` where ``x`` is at or below (above) ``level``, or -1.

    Searched in growing blocks: most gaps fill within days, so this stays linear in
    the number of bars looked at instead of scanning the rest of history per gap.
    """
    n, a, step = len(x), start, 32
    while a < n:
        b = min(n, a + step)
        seg = x[a:b]
        hit = np.flatnonzero(seg <= level if below else seg >= level)
        if len(hit):
            return a + int(hit[0])
        a, step = b, step * 4
    return -1


def gaps(prices: pd.DataFrame, min_pct: float = 0.0) -> pd.DataFrame:
    """Full gaps up and down.

    Parameters
    ----------
    prices : price frame (``high, low``).
    min_pct : smallest gap kept, as a fraction of the previous bar's high/low.

    Returns
    -------
    DataFrame ``date, kind`` ("gap_up"/"gap_down"), ``gap`` (signed fraction:
    ``low_t / high_{t-1} - 1`` up, ``high_t / low_{t-1} - 1`` down), ``zone_low,
    zone_high`` (the empty price zone) and ``filled`` (date the zone was traded
    again; NaT if still open).
    """
    mp = check_fraction(min_pct, "min_pct", 0.0, 1.0, inclusive_lo=True)
    df = price_frame(prices, need=("high", "low"), min_rows=2, what="gaps")
    h, lo = df["high"].to_numpy("float64"), df["low"].to_numpy("float64")
    idx = df.index
    up = np.flatnonzero(lo[1:] > h[:-1] * (1 + mp)) + 1
    dn = np.flatnonzero(h[1:] < lo[:-1] * (1 - mp)) + 1
    rows = []
    for t in np.union1d(up, dn):
        is_up = lo[t] > h[t - 1]
        zl, zh = (h[t - 1], lo[t]) if is_up else (h[t], lo[t - 1])
        fill = _first_reach(lo, t + 1, zl, below=True) if is_up else \
            _first_reach(h, t + 1, zh, below=False)
        rows.append({"date": idx[t], "kind": "gap_up" if is_up else "gap_down",
                     "gap": (lo[t] / h[t - 1] - 1) if is_up else (h[t] / lo[t - 1] - 1),
                     "zone_low": zl, "zone_high": zh,
                     "filled": idx[fill] if fill >= 0 else pd.NaT})
    out = _frame(rows, prices, ["date", "kind", "gap", "zone_low", "zone_high", "filled"])
    out["filled"] = pd.to_datetime(out["filled"])
    return out


def outside_days(prices: pd.DataFrame) -> pd.DataFrame:
    """Outside days (a range engulfing the previous bar's), bullish or bearish.

    Returns
    -------
    DataFrame ``date, kind`` ("bullish_outside", "bearish_outside" or
    "neutral_outside"), ``change`` (close / previous close - 1).
    """
    df = price_frame(prices, need=("high", "low", "close"), min_rows=2, what="outside_days")
    h, lo, c = (df[k].to_numpy("float64") for k in ("high", "low", "close"))
    t = np.flatnonzero((h[1:] > h[:-1]) & (lo[1:] < lo[:-1])) + 1
    chg = c[t] / c[t - 1] - 1
    kind = np.where(chg > 0, "bullish_outside", np.where(chg < 0, "bearish_outside",
                                                         "neutral_outside"))
    rows = [{"date": df.index[i], "kind": k, "change": x} for i, k, x in zip(t, kind, chg,
                                                                             strict=True)]
    return _frame(rows, prices, ["date", "kind", "change"])


def key_reversals(prices: pd.DataFrame, lookback: int = 20) -> pd.DataFrame:
    """Key reversal days.

    Bearish: ``high_t > max(high_{t-lookback} .. high_{t-1})`` and ``close_t <
    close_{t-1}``; bullish: ``low_t < min(low_{t-lookback} .. low_{t-1})`` and
    ``close_t > close_{t-1}``.

    Returns
    -------
    DataFrame ``date, kind`` ("bearish_key_reversal"/"bullish_key_reversal"),
    ``change`` (close / previous close - 1).
    """
    n = check_window(lookback, "lookback")
    df = price_frame(prices, need=("high", "low", "close"), min_rows=n + 1,
                     what=f"key_reversals(lookback={n})")
    prior_hi = df["high"].rolling(n).max().shift(1).to_numpy()
    prior_lo = df["low"].rolling(n).min().shift(1).to_numpy()
    h, lo, c = (df[k].to_numpy("float64") for k in ("high", "low", "close"))
    prev = np.r_[np.nan, c[:-1]]
    with np.errstate(invalid="ignore"):
        bear = (h > prior_hi) & (c < prev)
        bull = (lo < prior_lo) & (c > prev)
    rows = []
    for t in np.flatnonzero(bear | bull):
        rows.append({"date": df.index[t],
                     "kind": "bearish_key_reversal" if bear[t] else "bullish_key_reversal",
                     "change": c[t] / prev[t] - 1})
    return _frame(rows, prices, ["date", "kind", "change"])


def _ma(close: pd.Series, window: int, kind: str) -> pd.Series:
    if kind == "sma":
        return sma(close, window)
    if kind == "ema":
        return ema(close, window)
    raise ValueError(f"kind={kind!r}: must be 'sma' or 'ema'")


def ma_crosses(prices: pd.Series | pd.DataFrame, fast: int = 50, slow: int = 200,
               kind: str = "sma") -> pd.DataFrame:
    """Crosses of a fast moving average over a slow one.

    Returns
    -------
    DataFrame ``date, kind`` ("golden_cross"/"death_cross" for the 50/200 pair,
    "bullish_cross"/"bearish_cross" otherwise), ``fast, slow`` (the averages' values).
    """
    f, s = check_window(fast, "fast"), check_window(slow, "slow")
    if f >= s:
        raise ValueError(f"fast={f} must be shorter than slow={s}")
    c = as_close(prices, "prices")
    check_index(c, "prices")
    mf, ms = _ma(c, f, kind).to_numpy(), _ma(c, s, kind).to_numpy()
    diff = mf - ms
    ok = np.isfinite(diff)
    above = diff > 0
    t = np.flatnonzero(ok[1:] & ok[:-1] & (above[1:] != above[:-1])) + 1
    golden = (f, s) == (50, 200)
    rows = []
    for i in t:
        bull = bool(above[i])
        name = ("golden_cross" if bull else "death_cross") if golden else \
            ("bullish_cross" if bull else "bearish_cross")
        rows.append({"date": c.index[i], "kind": name, "fast": mf[i], "slow": ms[i]})
    return _frame(rows, prices, ["date", "kind", "fast", "slow"])


def ma_order(prices: pd.Series | pd.DataFrame, windows: Iterable[int] = (50, 100, 200),
             kind: str = "sma") -> pd.DataFrame:
    """Ranking of several moving averages on each date.

    Returns
    -------
    DataFrame on the price index: one column per average (``sma_50``...), ``order``
    (windows from the highest average to the lowest, e.g. "200 > 100 > 50"),
    ``bullish`` (close above every average and shorter averages above longer ones)
    and ``bearish`` (the reverse). Rows before the longest average exists have an
    empty order.
    """
    ws = sorted({check_window(w, "windows") for w in windows})
    if len(ws) < 2:
        raise ValueError("windows: give at least two different moving-average lengths")
    c = as_close(prices, "prices")
    check_index(c, "prices")
    mas = pd.DataFrame({f"{kind}_{w}": _ma(c, w, kind) for w in ws})
    vals = mas.to_numpy()
    ok = np.isfinite(vals).all(axis=1)
    rank = np.argsort(-np.where(ok[:, None], vals, 0), axis=1)
    labels = np.array([str(w) for w in ws])
    order = np.where(ok, [" > ".join(labels[r]) for r in rank], "")
    inc = np.all(np.diff(vals, axis=1) < 0, axis=1)  # shorter above longer
    dec = np.all(np.diff(vals, axis=1) > 0, axis=1)
    cv = c.to_numpy()
    mas["order"] = order
    mas["bullish"] = ok & inc & (cv > vals[:, 0])
    mas["bearish"] = ok & dec & (cv < vals[:, 0])
    return keep_attrs(mas, prices)


def new_highs(prices: pd.Series | pd.DataFrame, window: int | None = None,
              basis: str = "close") -> pd.Series:
    """Bars that set a new high: all-time (in the data given) or over ``window`` bars.

    All-time means all-time *in the data given*: pass the full history.

    Parameters
    ----------
    prices : close Series or price frame.
    window : None (all-time) or N: above the previous ``N - 1`` bars.
    basis : ``"close"`` (a close above every earlier close, the default) or
        ``"intraday"`` (a high above every earlier high; needs a ``high`` column).

    Returns
    -------
    Boolean Series on the price index (the first bar is never a new high).
    """
    if basis not in ("close", "intraday"):
        raise ValueError(f"basis={basis!r}: must be 'close' or 'intraday'")
    if basis == "intraday":
        if not isinstance(prices, pd.DataFrame) or "high" not in prices.columns:
            raise ValueError("prices: basis='intraday' needs a price frame with a 'high' column")
        c = prices["high"].astype(float)
    else:
        c = as_close(prices, "prices")
    check_index(c, "prices")
    word = "closing" if basis == "close" else "intraday"
    if window is None:
        prior = c.cummax().shift(1)
        name = f"all_time_{word}_high"
    else:
        n = check_window(window, "window", minimum=2)
        prior = c.rolling(n - 1, min_periods=n - 1).max().shift(1)
        name = f"{n}_day_{word}_high"
    out = pd.Series((c > prior).to_numpy(), index=c.index, name=name)
    return keep_attrs(out, prices)


def events(prices: pd.DataFrame, start: Any = None, end: Any = None,
           ma_pairs: Sequence[tuple[int, int]] = ((50, 200),), high_window: int = 252,
           gap_min: float = 0.0, lookback: int = 20) -> pd.DataFrame:
    """All bar events in one table, computed on the full history, listed for a window.

    Parameters
    ----------
    prices : price frame (the full history: all-time highs and averages need it).
    start, end : window of dates listed (default: all).
    ma_pairs : (fast, slow) pairs of simple averages for crosses.
    high_window : N for "new N-day closing high" (252 = 52 weeks).
    gap_min : smallest gap listed (fraction).
    lookback : key-reversal lookback.

    Returns
    -------
    DataFrame ``date, event, direction`` (+1 bullish, -1 bearish, 0 neutral),
    ``price`` (the close), ``detail``, sorted by date.
    """
    df = price_frame(prices, need=("high", "low", "close"), min_rows=2, what="events")
    close = df["close"]
    rows: list[dict] = []
    for r in gaps(df, gap_min).itertuples():
        rows.append({"date": r.date, "event": r.kind, "direction": 1 if r.kind == "gap_up"
                     else -1, "detail": f"gap {r.gap:+.2%} ({r.zone_low:,.2f}-{r.zone_high:,.2f})"})
    for r in outside_days(df).itertuples():
        rows.append({"date": r.date, "event": r.kind,
                     "direction": int(np.sign(r.change)), "detail": f"close {r.change:+.2%}"})
    if len(df) > lookback:
        for r in key_reversals(df, lookback).itertuples():
            rows.append({"date": r.date, "event": r.kind,
                         "direction": 1 if r.kind.startswith("bull") else -1,
                         "detail": f"new {lookback}-bar extreme, close {r.change:+.2%}"})
    for f, s in ma_pairs:
        if len(df) >= s + 1:
            for r in ma_crosses(df, f, s).itertuples():
                bull = r.kind in ("golden_cross", "bullish_cross")
                rows.append({"date": r.date, "event": r.kind, "direction": 1 if bull else -1,
                             "detail": f"{f}-day {r.fast:,.2f} vs {s}-day {r.slow:,.2f}"})
    ath = new_highs(df)
    for d in ath.index[ath.to_numpy()]:
        rows.append({"date": d, "event": "all_time_closing_high", "direction": 1,
                     "detail": "above every earlier close in the data"})
    if len(df) >= high_window:
        nh = new_highs(df, high_window) & ~ath
        for d in nh.index[nh.to_numpy()]:
            rows.append({"date": d, "event": f"{high_window}_day_closing_high", "direction": 1,
                         "detail": f"highest close in {high_window} bars"})
    out = pd.DataFrame(rows, columns=["date", "event", "direction", "detail"])
    out["date"] = pd.to_datetime(out["date"])
    out["price"] = close.reindex(out["date"]).to_numpy()
    s = None if start is None or start == "" else pd.Timestamp(start)
    e = None if end is None or end == "" else pd.Timestamp(end)
    if s is not None:
        out = out[out["date"] >= s]
    if e is not None:
        out = out[out["date"] <= e]
    out = out.sort_values(["date", "event"], kind="stable").reset_index(drop=True)
    return keep_attrs(out[_EVENT_COLUMNS], prices)
