"""Horizontal levels: support and resistance, round numbers, breakevens, level tests.

Support and resistance
    Swing points (:func:`~smallcaps.technicals.swing_points`) are sorted by price
    and grouped: a group is a run of pivots whose neighbouring prices are within
    ``tolerance`` of each other and whose total span is at most ``2 * tolerance``.
    Each group with at least ``min_touches`` pivots is a level at the mean of its
    prices; its touches are its pivots (each a turn of price at the level).

Level test
    For one level over a window: the sessions whose range (low to high) included
    it, the closes above and below it, the first and last such sessions, and how
    often the close changed sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._checks import (
    as_close,
    check_fraction,
    check_index,
    check_window,
    keep_attrs,
    price_frame,
    to_timestamp,
    window_slice,
)
from .swings import swing_points

__all__ = ["LevelTest", "breakeven_levels", "level_test", "round_numbers", "support_resistance"]


def _groups(prices: np.ndarray, tol: float) -> list[np.ndarray]:
    """Positions (into the sorted array) of each group of nearby prices."""
    groups: list[np.ndarray] = []
    if len(prices) == 0:
        return groups
    gaps = prices[1:] / prices[:-1] - 1.0 > tol
    cuts = np.r_[0, np.flatnonzero(gaps) + 1, len(prices)]
    for a, b in zip(cuts[:-1], cuts[1:], strict=True):
        start = a
        for j in range(a, b):  # split chains wider than 2 * tol greedily
            if prices[j] / prices[start] - 1.0 > 2 * tol:
                groups.append(np.arange(start, j))
                start = j
        groups.append(np.arange(start, b))
    return groups


def support_resistance(prices: pd.DataFrame, start: Any = None, end: Any = None,
                       pct: float = 0.05, tolerance: float = 0.015, min_touches: int = 2,
                       swings: pd.DataFrame | None = None,
                       basis: str = "intraday") -> pd.DataFrame:
    """Horizontal levels from clustered swing points.

    Parameters
    ----------
    prices : price frame.
    start, end : window in which swing points are collected (default: all).
    pct : zig-zag reversal used to find the swing points (ignored with ``swings``).
    tolerance : fraction within which pivots count as the same level (0.015 = 1.5%).
    min_touches : minimum number of pivots for a level.
    swings : swing points already computed (output of ``swing_points``), optional.
    basis : swing-point basis, ``"intraday"`` or ``"close"``.

    Returns
    -------
    DataFrame sorted by level (highest first): ``level`` (mean pivot price),
    ``low, high`` (range of the pivots), ``touches``, ``highs, lows`` (touches by
    kind), ``first_touch, last_touch``, ``role`` ("resistance" above the last
    close, "support" below) and ``distance`` (level / last close - 1).
    """
    tol = check_fraction(tolerance, "tolerance", 0.0, 0.5)
    k = check_window(min_touches, "min_touches")
    win = window_slice(prices, start, end, what="support_resistance", min_rows=3)
    if swings is None:
        swings = swing_points(win, pct=pct, basis=basis)
    elif not {"date", "price", "kind"} <= set(swings.columns):
        raise ValueError("swings: needs columns date, price, kind (the output of swing_points)")
    sw = swings.sort_values("price", kind="stable").reset_index(drop=True)
    last_close = float(as_close(win, "prices").iloc[-1])
    rows = []
    for g in _groups(sw["price"].to_numpy("float64"), tol):
        if len(g) < k:
            continue
        part = sw.iloc[g]
        level = float(part["price"].mean())
        rows.append({
            "level": level, "low": float(part["price"].min()), "high": float(part["price"].max()),
            "touches": len(part), "highs": int((part["kind"] == "high").sum()),
            "lows": int((part["kind"] == "low").sum()),
            "first_touch": part["date"].min(), "last_touch": part["date"].max(),
            "role": "resistance" if level > last_close else "support",
            "distance": level / last_close - 1.0,
        })
    cols = ["level", "low", "high", "touches", "highs", "lows", "first_touch", "last_touch",
            "role", "distance"]
    out = pd.DataFrame(rows, columns=cols).sort_values("level", ascending=False)
    return keep_attrs(out.reset_index(drop=True), prices)


def _last_price(price: float | pd.Series | pd.DataFrame) -> float:
    if isinstance(price, (pd.Series, pd.DataFrame)):
        c = as_close(price, "price").dropna()
        if c.empty:
            raise ValueError("price: no closes")
        return float(c.iloc[-1])
    if isinstance(price, bool) or not isinstance(price, (int, float, np.number)):
        raise TypeError(f"price: expected a number or a price series, got {type(price).__name__}")
    return float(price)


def round_numbers(price: float | pd.Series | pd.DataFrame, step: float | None = None,
                  count: int = 2) -> pd.DataFrame:
    """Round-number levels around a price (the last close of a series).

    Parameters
    ----------
    price : a price, or a close Series / price frame (its last close is used).
    step : spacing of the levels; default ``10 ** (floor(log10(price)) - 1)``, i.e.
        100 for a price in the thousands (RUT 2,050 -> 2,000 and 2,100), 10 in the
        hundreds.
    count : levels on each side.

    Returns
    -------
    DataFrame ``level, side`` ("above"/"below"/"at"), ``distance`` (level / price - 1),
    nearest first on each side, sorted by level.
    """
    p = _last_price(price)
    if not np.isfinite(p) or p <= 0:
        raise ValueError(f"price={p!r}: must be a positive number")
    n = check_window(count, "count")
    if step is None:
        step = 10.0 ** (np.floor(np.log10(p)) - 1)
    elif isinstance(step, bool) or not isinstance(step, (int, float)) or not step > 0:
        raise ValueError(f"step={step!r}: must be a positive number")
    below = np.floor(p / step) * step
    levels = sorted({below - i * step for i in range(n)} | {below + (i + 1) * step
                                                          for i in range(n)})
    levels = [lv for lv in levels if lv > 0]
    side = ["at" if np.isclose(lv, p) else "above" if lv > p else "below" for lv in levels]
    return pd.DataFrame({"level": levels, "side": side,
                         "distance": [lv / p - 1.0 for lv in levels]})


def breakeven_levels(prices: pd.Series | pd.DataFrame, as_of: Any = None,
                     dates: Sequence[Any] = ()) -> pd.DataFrame:
    """Closes that holders since a reference day need to be back to even.

    Always the last close of the previous year (the year-to-date breakeven) and the
    year's first close; plus the close of each day in ``dates`` (for example the
    breakout days of :func:`~smallcaps.technicals.find_ranges`).

    Parameters
    ----------
    prices : close Series or price frame.
    as_of : date whose year is used and against which distances are measured
        (default: last bar).
    dates : extra reference days; each must be a trading day in ``prices``.

    Returns
    -------
    DataFrame ``label, date, level, distance`` (last close / level - 1: the gain or
    loss since that day).
    """
    c = as_close(prices, "prices").dropna()
    check_index(c, "prices")
    if c.empty:
        raise ValueError("prices: no closes")
    if as_of is not None:
        ts = to_timestamp(as_of, "as_of")
        c_now = c.loc[:ts]
        if c_now.empty:
            raise ValueError(f"as_of {ts:%Y-%m-%d} is before the first bar of prices")
    else:
        c_now = c
    now, last = c_now.index[-1], float(c_now.iloc[-1])
    rows = []
    prior = c_now.loc[: pd.Timestamp(now.year - 1, 12, 31)]
    if len(prior):
        rows.append((f"{now.year - 1} close (year-to-date breakeven)", prior.index[-1],
                     float(prior.iloc[-1])))
    this_year = c_now.loc[pd.Timestamp(now.year, 1, 1):]
    rows.append((f"first close of {now.year}", this_year.index[0], float(this_year.iloc[0])))
    for d in dates:
        ts = to_timestamp(d, "dates")
        if ts not in c.index:
            raise ValueError(f"dates: {ts:%Y-%m-%d} is not a trading day in prices")
        if ts > now:
            raise ValueError(f"dates: {ts:%Y-%m-%d} is after as_of {now:%Y-%m-%d}")
        rows.append((f"close on {ts:%Y-%m-%d}", ts, float(c.loc[ts])))
    out = pd.DataFrame(rows, columns=["label", "date", "level"])
    out["distance"] = last / out["level"] - 1.0
    return keep_attrs(out, prices)


@dataclass(frozen=True)
class LevelTest:
    """How price behaved around one level over a window (see :func:`level_test`)."""

    level: float
    start: pd.Timestamp
    end: pd.Timestamp
    sessions: int
    crossed: int
    closes_above: int
    closes_below: int
    close_flips: int
    first_cross: pd.Timestamp | None
    last_cross: pd.Timestamp | None
    cross_dates: pd.DatetimeIndex
    last_close: float

    def describe(self) -> str:
        """One sentence."""
        span = f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
        if not self.crossed:
            side = "above" if self.closes_above == self.sessions else "below" \
                if self.closes_below == self.sessions else "on both sides of"
            return (f"{self.level:,.2f}: not touched in {self.sessions} sessions ({span}); "
                    f"price stayed {side} it")
        return (f"{self.level:,.2f}: crossed intraday in {self.crossed} of {self.sessions} "
                f"sessions ({span}), first {self.first_cross:%Y-%m-%d}, last "
                f"{self.last_cross:%Y-%m-%d}; {self.closes_above} closes above, "
                f"{self.closes_below} below; the close changed sides {self.close_flips} times")

    def to_frame(self) -> pd.DataFrame:
        """The counts as a one-row table."""
        d = {k: getattr(self, k) for k in ("level", "start", "end", "sessions", "crossed",
                                           "closes_above", "closes_below", "close_flips",
                                           "first_cross", "last_cross", "last_close")}
        return pd.DataFrame([d])


def level_test(prices: pd.DataFrame, level: float, start: Any = None, end: Any = None,
               max_distance: float = 0.5) -> LevelTest:
    """Test of a horizontal level over a window.

    Parameters
    ----------
    prices : price frame (``high, low, close``).
    level : the price level.
    start, end : window (inclusive; default all).
    max_distance : a level further than this fraction outside the window's low-high
        range is refused as a probable mistake (wrong symbol or units).

    Returns
    -------
    LevelTest
        ``crossed``: sessions with ``low <= level <= high``; ``closes_above`` /
        ``closes_below``: closes strictly above / below; ``close_flips``: times the
        close changed side; ``first_cross`` / ``last_cross`` dates.

    Raises
    ------
    ValueError
        If the level is not a positive number, or lies far outside the prices.
    """
    if isinstance(level, bool) or not isinstance(level, (int, float, np.number)) \
            or not np.isfinite(level) or level <= 0:
        raise ValueError(f"level={level!r}: must be a positive number")
    lv = float(level)
    dist = check_fraction(max_distance, "max_distance", 0.0, 100.0)
    df = price_frame(prices, need=("high", "low", "close"), what="level_test")
    win = window_slice(df, start, end, what="level_test")
    lo, hi = float(win["low"].min()), float(win["high"].max())
    if lv > hi * (1 + dist) or lv < lo * (1 - dist):
        where = (f"{lv / hi - 1:.0%} above the high" if lv > hi
                 else f"{1 - lv / lo:.0%} below the low")
        raise ValueError(
            f"level {lv:,.2f} is far outside the prices between {win.index[0]:%Y-%m-%d} and "
            f"{win.index[-1]:%Y-%m-%d} (low {lo:,.2f}, high {hi:,.2f}): {where}; "
            "check the symbol and the units of the level")
    cross = (win["low"] <= lv) & (win["high"] >= lv)
    c = win["close"].to_numpy("float64")
    side = np.sign(c - lv)
    nz = side[side != 0]
    flips = int((nz[1:] != nz[:-1]).sum()) if len(nz) > 1 else 0
    dates = win.index[cross.to_numpy()]
    return LevelTest(
        level=lv, start=win.index[0], end=win.index[-1], sessions=len(win),
        crossed=int(cross.sum()), closes_above=int((c > lv).sum()),
        closes_below=int((c < lv).sum()), close_flips=flips,
        first_cross=dates[0] if len(dates) else None,
        last_cross=dates[-1] if len(dates) else None,
        cross_dates=dates, last_close=float(c[-1]))
