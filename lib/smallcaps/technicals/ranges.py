"""Trading ranges (consolidations): detection, exits and retests.

Definition
----------
A run of bars ``[s, e]`` is a *trading range* when it has at least ``min_bars``
bars and some price band ``[low, high]`` with ``high / low - 1 <= max_width``
holds at least ``coverage`` of its closes. The band reported is the narrowest
such band (the shortest interval of sorted closes containing
``ceil(coverage * n)`` of them).

Detection is greedy and left to right: a range starts at the first bar whose
next ``min_bars`` bars qualify, and grows one bar at a time while it still
qualifies. Adding a close inside the band can never disqualify it, so growth stops
on a close outside the band. Because ``coverage < 1`` lets a range absorb the
first closes of a breakout, the exit is dated at the *start* of the run of
consecutive closes beyond the same edge that ends on the disqualifying bar: the
range ends the bar before, and the exit direction is ``"up"`` (closes above the
band) or ``"down"`` (below). A range still qualifying on the last bar is
``"open"``. The next range is searched from the exit bar on, so ranges do not
overlap.

Point in time: the scan only ever looks back, so whether a range existed and
that it ended is known on ``known_date`` (the disqualifying close); dating the
exit at the start of its run is hindsight, fine for describing the chart but not
for trading rules or event studies, which should use ``known_date``.

Retests: after an exit, once a whole bar has traded beyond the broken edge (by
more than ``tolerance``), the first session within ``retest_bars`` of the exit
whose low (up exit) or high (down exit) came back within ``tolerance`` of the
edge; and the first close back inside the band (a failed breakout) if any.

The method is a band-coverage version of the box methods in N. Darvas, *How I
Made $2,000,000 in the Stock Market* (1960) and the rectangle consolidations of
Edwards & Magee, *Technical Analysis of Stock Trends* (1948).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_fraction, check_window, keep_attrs, price_frame, window_slice

__all__ = ["find_ranges"]

_COLUMNS = ["start", "end", "low", "high", "width", "bars", "coverage", "exit", "exit_date",
            "exit_close", "known_date", "retest_date", "back_inside"]


def _need(n: int, q: float) -> int:
    return max(1, math.ceil(q * n - 1e-9))


def _band(sorted_c: np.ndarray, q: float) -> tuple[float, float]:
    """Narrowest [lo, hi] holding ceil(q * n) of the sorted closes."""
    n = len(sorted_c)
    k = _need(n, q)
    ratio = sorted_c[k - 1:] / sorted_c[: n - k + 1]
    j = int(np.argmin(ratio))
    return float(sorted_c[j]), float(sorted_c[j + k - 1])


def _first_windows_ok(c: np.ndarray, m: int, q: float, w: float, flat: float) -> np.ndarray:
    """For each start s, does the window c[s:s+m] qualify? (vectorised)"""
    from numpy.lib.stride_tricks import sliding_window_view

    k = _need(m, q)
    out = np.zeros(len(c), dtype=bool)
    if len(c) < m:
        return out
    y = np.log(c)
    t = np.arange(m) - (m - 1) / 2.0
    tt = (t * t).sum()
    step = max(1, 2_000_000 // m)  # in chunks, to bound memory on long histories
    for a in range(0, len(c) - m + 1, step):
        b = min(len(c) - m + 1, a + step)
        win = np.sort(sliding_window_view(c[a:b + m - 1], m), axis=1)
        ratio = win[:, k - 1:] / win[:, : m - k + 1]
        j = ratio.argmin(axis=1)
        width = ratio[np.arange(len(j)), j] - 1.0
        drift = np.abs(sliding_window_view(y[a:b + m - 1], m) @ t / tt) * (m - 1)
        out[a:b] = (width <= w) & (drift <= flat * np.log1p(width))
    return out


def _scan(c: np.ndarray, m: int, q: float, w: float, flat: float,
          confirm: int | None) -> list[tuple[int, int, float, float, int, int]]:
    """(start, end, band low, band high, exit bar or -1, bar the exit became known or -1)
    of each range."""
    n = len(c)
    ok = _first_windows_ok(c, m, q, w, flat)
    found = []
    s = 0
    while s <= n - m:
        nxt = np.flatnonzero(ok[s: n - m + 1])
        if not len(nxt):
            break
        s += int(nxt[0])
        srt = np.sort(c[s:s + m])
        bands = [_band(srt, q)]  # band of [s, s + m - 1 + i]
        e = s + m  # next bar to add
        exit_bar = -1
        while e < n:
            # a run of `confirm` closes beyond one edge of the band held before it: exit
            if confirm and e - confirm + 1 >= s + m:
                lo, hi = bands[e - confirm - (s + m - 1)]
                run = c[e - confirm + 1: e + 1]
                if (run > hi).all() or (run < lo).all():
                    exit_bar = e - confirm + 1
                    break
            pos = np.searchsorted(srt, c[e])
            trial = np.insert(srt, pos, c[e])
            lo, hi = _band(trial, q)
            if hi / lo - 1.0 > w:
                # disqualified by close e (outside the band): date the exit at the start
                # of the run of closes beyond the same edge
                lo, hi = bands[-1]
                up = c[e] > hi
                r, prev = e, -1
                while r != prev:  # the band held before the run may sit lower: repeat
                    prev = r
                    lo, hi = bands[r - 1 - (s + m - 1)]
                    while r - 1 >= s + m and (c[r - 1] > hi if up else c[r - 1] < lo):
                        r -= 1
                exit_bar = r
                break
            srt = trial
            bands.append((lo, hi))
            e += 1
        if exit_bar < 0:
            lo, hi = bands[-1]
            found.append((s, n - 1, lo, hi, -1, -1))
            break
        lo, hi = bands[exit_bar - 1 - (s + m - 1)]
        found.append((s, exit_bar - 1, lo, hi, exit_bar, e))
        s = exit_bar
    return found


def find_ranges(prices: pd.DataFrame, start: Any = None, end: Any = None, min_bars: int = 120,
                max_width: float = 0.15, coverage: float = 0.85, confirm: int | None = None,
                flatness: float = 0.5, retest_bars: int = 40,
                tolerance: float = 0.01) -> pd.DataFrame:
    """Find trading ranges and how each ended.

    Parameters
    ----------
    prices : price frame (``high, low, close``).
    start, end : window searched (default: all bars).
    min_bars : shortest range, in bars.
    max_width : widest band, as ``high / low - 1`` (0.15 = 15%).
    coverage : share of closes the band must hold, in (0, 1] (1 = every close).
    retest_bars : bars after an exit in which a retest of the broken edge is looked for.
    tolerance : how close (fraction) a low/high must come to the edge to count as a retest.

    Returns
    -------
    DataFrame, one row per range in date order: ``start, end`` (dates), ``low, high``
    (the band), ``width`` (high / low - 1), ``bars``, ``coverage`` (share of closes
    in the band), ``exit`` ("up", "down" or "open"), ``exit_date`` and ``exit_close``
    (first close of the exit run), ``known_date`` (the bar on which the exit became
    known: the close that no band could hold any more, or the last close of the
    ``confirm`` run; use it, not ``exit_date``, for anything traded in real time),
    ``retest_date`` (NaT if none) and
    ``back_inside`` (first close back inside the band within ``retest_bars``; NaT if
    none).

    Raises
    ------
    ValueError
        On bad parameters, or if the window has fewer than ``min_bars`` bars.
    """
    m = check_window(min_bars, "min_bars", minimum=5)
    w = check_fraction(max_width, "max_width", 0.0, 5.0)
    q = check_fraction(coverage, "coverage", 0.5, 1.0)
    k = None if confirm is None else check_window(confirm, "confirm")
    fl = check_fraction(flatness, "flatness", 0.0, 10.0)
    rb = check_window(retest_bars, "retest_bars")
    tol = check_fraction(tolerance, "tolerance", 0.0, 0.5, inclusive_lo=True)
    df = price_frame(prices, need=("high", "low", "close"), what="find_ranges")
    win = window_slice(df, start, end, min_rows=m, what=f"find_ranges(min_bars={m})")
    c = win["close"].to_numpy("float64")
    h, lo_ = win["high"].to_numpy("float64"), win["low"].to_numpy("float64")
    idx = win.index
    rows = []
    for s, e, lo, hi, x, known in _scan(c, m, q, w, fl, k):
        seg = c[s:e + 1]
        row = {"start": idx[s], "end": idx[e], "low": lo, "high": hi, "width": hi / lo - 1.0,
               "bars": e - s + 1, "coverage": float(((seg >= lo) & (seg <= hi)).mean()),
               "exit": "open", "exit_date": pd.NaT, "exit_close": np.nan,
               "known_date": pd.NaT,
               "retest_date": pd.NaT, "back_inside": pd.NaT}
        if x >= 0:
            up = c[x] > (lo + hi) / 2
            row.update(exit="up" if up else "down", exit_date=idx[x], exit_close=c[x],
                       known_date=idx[known])
            after = slice(x + 1, min(len(c), x + 1 + rb))
            touch = lo_[after] <= hi * (1 + tol) if up else h[after] >= lo * (1 - tol)
            inside = c[after] <= hi if up else c[after] >= lo
            # a retest needs price to have left the edge first (a whole bar beyond it)
            away = np.flatnonzero(~touch)
            if len(away) and touch[away[0]:].any():
                row["retest_date"] = idx[after][away[0] + np.argmax(touch[away[0]:])]
            if inside.any():
                row["back_inside"] = idx[after][np.argmax(inside)]
        rows.append(row)
    out = pd.DataFrame(rows, columns=_COLUMNS)
    for col in ("start", "end", "exit_date", "known_date", "retest_date", "back_inside"):
        out[col] = pd.to_datetime(out[col])
    out["bars"] = out["bars"].astype("int64")
    return keep_attrs(out, prices)
