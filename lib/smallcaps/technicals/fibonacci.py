"""Fibonacci retracements and extensions of a move between a high and a low.

For a move from ``start`` to ``end`` (a decline: high then low; a rally: low then
high) with span ``d = high - low``:

- retracement ``r`` of a decline: ``low + r d`` (how far a rebound has recovered);
- retracement ``r`` of a rally: ``high - r d`` (how far a pullback has given back);
- extension ``x`` projects the move beyond its end: ``low - (x - 1) d`` below the
  low of a decline, ``high + (x - 1) d`` above the high of a rally.

Standard ratios: 23.6, 38.2, 50, 61.8 and 78.6% (50% is not a Fibonacci ratio
but is conventionally included); extensions 127.2, 161.8, 200 and 261.8%.

Reference: R. Fischer, *Fibonacci Applications and Strategies for Traders* (1993).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._checks import price_frame, window_slice

__all__ = ["RETRACEMENTS", "EXTENSIONS", "fib_extensions", "fib_retracements", "fib_swing"]

RETRACEMENTS = (0.236, 0.382, 0.5, 0.618, 0.786)
EXTENSIONS = (1.272, 1.618, 2.0, 2.618)


def _check(high: Any, low: Any, move: str) -> tuple[float, float]:
    for name, v in (("high", high), ("low", low)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)) or not np.isfinite(v):
            raise ValueError(f"{name}={v!r}: must be a finite number")
    if not high > low:
        raise ValueError(f"high={high!r} must be above low={low!r}")
    if move not in ("down", "up"):
        raise ValueError(f"move={move!r}: must be 'down' (high then low) or 'up' (low then high)")
    return float(high), float(low)


def _ratios(ratios: Sequence[float], arg: str) -> list[float]:
    out = []
    for r in ratios:
        if isinstance(r, bool) or not isinstance(r, (int, float, np.number)) or not r > 0:
            raise ValueError(f"{arg}: {r!r} is not a positive ratio")
        out.append(float(r))
    return out


def fib_retracements(high: float, low: float, move: str = "down",
                     ratios: Sequence[float] = RETRACEMENTS) -> pd.DataFrame:
    """Retracement levels of the move between ``high`` and ``low``.

    Parameters
    ----------
    high, low : the move's extremes.
    move : ``"down"`` (a decline from high to low: levels measure a rebound) or
        ``"up"`` (a rally from low to high: levels measure a pullback).
    ratios : retracement ratios (fractions).

    Returns
    -------
    DataFrame indexed by label ("23.6%", ...) with ``ratio`` and ``level``, ordered
    from the end of the move back towards its start.

    Examples
    --------
    The 50% retracement of RUT's fall from the 2024-11-25 high (2466.49) to the
    2025-04-09 low (1732.99) is 2099.74.
    """
    hi, lo = _check(high, low, move)
    rs = _ratios(ratios, "ratios")
    d = hi - lo
    levels = [lo + r * d if move == "down" else hi - r * d for r in rs]
    return pd.DataFrame({"ratio": rs, "level": levels},
                        index=pd.Index([f"{r:.1%}" for r in rs], name="retracement"))


def fib_extensions(high: float, low: float, move: str = "down",
                   ratios: Sequence[float] = EXTENSIONS) -> pd.DataFrame:
    """Extension levels beyond the end of the move (targets if it resumes).

    ``high + (x - 1)(high - low)`` after a rally, ``low - (x - 1)(high - low)`` after
    a decline; levels at or below zero are dropped.

    Returns
    -------
    DataFrame indexed by label ("161.8%", ...) with ``ratio`` and ``level``.
    """
    hi, lo = _check(high, low, move)
    rs = _ratios(ratios, "ratios")
    d = hi - lo
    levels = [hi + (x - 1) * d if move == "up" else lo - (x - 1) * d for x in rs]
    out = pd.DataFrame({"ratio": rs, "level": levels},
                       index=pd.Index([f"{x:.1%}" for x in rs], name="extension"))
    return out[out["level"] > 0]


def fib_swing(prices: pd.DataFrame, start: Any = None, end: Any = None,
              ratios: Sequence[float] = RETRACEMENTS,
              basis: str = "intraday") -> pd.DataFrame:
    """Retracements of the largest move inside a window, found from the data.

    The window's extremes are the move's ends; whichever came first sets the
    direction (high first = a decline).

    Parameters
    ----------
    prices : price frame.
    start, end : the window.
    ratios : retracement ratios.
    basis : ``"intraday"`` (highest high and lowest low, the default) or
        ``"close"`` (highest and lowest close, as on a line chart of closes).

    Returns
    -------
    The :func:`fib_retracements` table, with ``attrs`` ``high_date``, ``low_date``,
    ``move`` and ``basis`` (and the input's provenance).
    """
    if basis not in ("intraday", "close"):
        raise ValueError(f"basis={basis!r}: must be 'intraday' (high/low) or 'close'")
    need = ("high", "low") if basis == "intraday" else ("close",)
    df = price_frame(prices, need=need, what="fib_swing")
    win = window_slice(df, start, end, min_rows=2, what="fib_swing")
    hi_col, lo_col = ("high", "low") if basis == "intraday" else ("close", "close")
    hd, ld = win[hi_col].idxmax(), win[lo_col].idxmin()
    if hd == ld:
        raise ValueError(f"fib_swing: the high and the low of the window are on the same bar "
                         f"({hd:%Y-%m-%d}); widen the window")
    move = "down" if hd < ld else "up"
    out = fib_retracements(float(win.loc[hd, hi_col]), float(win.loc[ld, lo_col]), move, ratios)
    out.attrs = dict(prices.attrs)
    out.attrs.update(high_date=hd.isoformat(), low_date=ld.isoformat(), move=move, basis=basis)
    return out
