"""Swing points (pivots): by percentage reversal (zig-zag) or by N-bar fractals.

Zig-zag
    Alternating highs and lows: a high becomes a pivot once price has fallen ``pct``
    below it, a low once price has risen ``pct`` above it. On the intraday basis
    each bar is read as two prices in their likely order, low then high on a bar
    that closed at or above its open, high then low otherwise; so a wide bar can
    end one leg and start the next (RUT on 2025-04-09 made its low, then rallied
    11%). The last extreme is reported as a
    provisional pivot (``confirmed`` is NaT) because the next reversal has not
    happened yet.

Fractal
    Bar ``t`` is a swing high if its high is above the highs of the ``bars`` bars
    before it and not below the highs of the ``bars`` bars after it (lows
    mirrored); it is known ``bars`` bars later (the ``confirmed`` date). This is
    Bill Williams' fractal for ``bars = 2``.

On the ``"intraday"`` basis highs come from ``high`` and lows from ``low``; on
the ``"close"`` basis both from ``close``.

References
----------
A. Merrill, *Filtered Waves* (1977): the percentage-reversal (zig-zag) filter.
B. Williams, *Trading Chaos* (1995): fractals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import as_close, check_fraction, check_index, check_window, keep_attrs, price_frame

__all__ = ["swing_points"]

_COLUMNS = ["date", "price", "kind", "confirmed", "change", "bars"]


def _legs(prices: pd.Series | pd.DataFrame,
          basis: str) -> tuple[pd.DatetimeIndex, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    if basis not in ("close", "intraday"):
        raise ValueError(f"basis={basis!r}: must be 'close' or 'intraday'")
    if basis == "intraday":
        if not isinstance(prices, pd.DataFrame):
            raise ValueError("basis='intraday' needs a price frame with high and low; "
                             "pass basis='close' for a Series")
        df = price_frame(prices, need=("high", "low", "close"), what="swing_points")
        o = (df["open"].to_numpy("float64") if "open" in df.columns
             else np.full(len(df), np.nan))
        return (df.index, df["high"].to_numpy("float64"), df["low"].to_numpy("float64"),
                df["close"].to_numpy("float64"), o)
    c = as_close(prices, "prices")
    check_index(c, "prices")
    if c.isna().any():
        raise ValueError("prices: close has missing values; drop them first")
    v = c.to_numpy("float64")
    return c.index, v, v, v, v


def _ticks(h: np.ndarray, lo: np.ndarray, c: np.ndarray, o: np.ndarray) -> tuple[np.ndarray,
                                                                                  np.ndarray]:
    """Each bar as two prices in their likely order: low then high on an up bar."""
    n = len(h)
    if h is lo:  # close basis: one price per bar
        return h, np.arange(n)
    prev = np.r_[c[0], c[:-1]]
    ref = np.where(np.isfinite(o), o, prev)
    up_bar = c >= ref
    x = np.empty(2 * n)
    x[0::2] = np.where(up_bar, lo, h)
    x[1::2] = np.where(up_bar, h, lo)
    return x, np.repeat(np.arange(n), 2)


def _zigzag(x: np.ndarray, bar: np.ndarray, pct: float) -> list[tuple[int, str, int, float]]:
    """(bar, kind, confirmed bar or -1, price) of each pivot, from a sequence of ticks."""
    out: list[tuple[int, str, int, float]] = []
    if len(x) == 0:
        return out
    trend = 0  # 0 unknown, 1 up (looking for a high), -1 down (looking for a low)
    hi = lo = 0  # tick positions of the running extremes
    up, dn = 1.0 + pct, 1.0 - pct
    for k in range(len(x)):
        v = x[k]
        if trend == 1:
            if v > x[hi]:
                hi = k
            elif v <= x[hi] * dn:
                out.append((bar[hi], "high", bar[k], x[hi]))
                trend, lo = -1, k
        elif trend == -1:
            if v < x[lo]:
                lo = k
            elif v >= x[lo] * up:
                out.append((bar[lo], "low", bar[k], x[lo]))
                trend, hi = 1, k
        else:
            if v > x[hi]:
                hi = k
            if v < x[lo]:
                lo = k
            if v >= x[lo] * up:  # first move of pct: up from the low
                out.append((bar[lo], "low", bar[k], x[lo]))
                trend, hi = 1, k
            elif v <= x[hi] * dn:  # or down from the high
                out.append((bar[hi], "high", bar[k], x[hi]))
                trend, lo = -1, k
    if trend == 1:
        out.append((bar[hi], "high", -1, x[hi]))
    elif trend == -1:
        out.append((bar[lo], "low", -1, x[lo]))
    return out


def _fractal(h: np.ndarray, lo: np.ndarray, k: int) -> list[tuple[int, str, int, float]]:
    from numpy.lib.stride_tricks import sliding_window_view

    n = len(h)
    out: list[tuple[int, str, int, float]] = []
    if n < 2 * k + 1:
        return out
    wh = sliding_window_view(h, 2 * k + 1)
    wl = sliding_window_view(lo, 2 * k + 1)
    mid_h, mid_l = wh[:, k], wl[:, k]
    is_high = (mid_h > wh[:, :k].max(axis=1)) & (mid_h >= wh[:, k + 1:].max(axis=1))
    is_low = (mid_l < wl[:, :k].min(axis=1)) & (mid_l <= wl[:, k + 1:].min(axis=1))
    for j in np.flatnonzero(is_high | is_low):
        t = int(j + k)
        if is_high[j]:
            out.append((t, "high", t + k, h[t]))
        if is_low[j]:
            out.append((t, "low", t + k, lo[t]))
    return out


def swing_points(prices: pd.Series | pd.DataFrame, method: str = "zigzag", pct: float = 0.05,
                 bars: int = 5, basis: str = "intraday") -> pd.DataFrame:
    """Swing highs and lows.

    Parameters
    ----------
    prices : price frame (``high``, ``low``) or, with ``basis="close"``, a close Series.
    method : ``"zigzag"`` (percentage reversal) or ``"fractal"`` (N-bar pivots).
    pct : zig-zag reversal, as a fraction (0.05 = 5%).
    bars : fractal half-width: bars on each side.
    basis : ``"intraday"`` (highs and lows) or ``"close"``.

    Returns
    -------
    DataFrame, one row per pivot in date order: ``date, price, kind`` ("high" or
    "low"), ``confirmed`` (the bar on which the pivot became known; NaT for the
    zig-zag's provisional last pivot), ``change`` (fraction from the previous pivot)
    and ``bars`` (bars since the previous pivot).
    """
    idx, h, lo, c, o = _legs(prices, basis)
    if method == "zigzag":
        p = check_fraction(pct, "pct", 0.0, 1.0)
        piv = _zigzag(*_ticks(h, lo, c, o), p)
    elif method == "fractal":
        k = check_window(bars, "bars")
        if len(h) < 2 * k + 1:
            raise ValueError(f"fractal swing points with bars={k} need at least {2 * k + 1} bars;"
                             f" prices has {len(h)}")
        piv = _fractal(h, lo, k)
    else:
        raise ValueError(f"method={method!r}: must be 'zigzag' or 'fractal'")
    pos = np.array([p[0] for p in piv], dtype=int)
    kind = [p[1] for p in piv]
    price = np.array([p[3] for p in piv], dtype="float64")
    conf = [idx[p[2]] if p[2] >= 0 else pd.NaT for p in piv]
    out = pd.DataFrame({
        "date": idx[pos] if len(pos) else pd.DatetimeIndex([]),
        "price": price,
        "kind": pd.Series(kind, dtype="object"),
        "confirmed": pd.to_datetime(pd.Series(conf, dtype="object")),
        "change": np.r_[np.nan, price[1:] / price[:-1] - 1.0] if len(pos) else [],
        "bars": np.r_[np.nan, np.diff(pos)] if len(pos) else [],
    }, columns=_COLUMNS)
    out["date"] = pd.to_datetime(out["date"])
    out["confirmed"] = pd.to_datetime(out["confirmed"])
    return keep_attrs(out, prices)
