"""Drawdowns, run-ups and pullback episodes.

Two bases:

- ``"close"``: closes against the running closing peak (trough);
- ``"intraday"``: each bar's low against the running peak of highs (for a
  drawdown), each bar's high against the running trough of lows (for a run-up).

``drawdown_t = P_t / max_{s<=t} Q_s - 1`` and ``run_up_t = Q_t / min_{s<=t} P_s - 1``
where ``P`` is the close (or low) and ``Q`` the close (or high).
"""

from __future__ import annotations

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

__all__ = ["LevelBelowHigh", "drawdown", "level_below_high", "pullbacks", "run_up"]

_BASES = ("close", "intraday")


def _legs(prices: pd.Series | pd.DataFrame, basis: str) -> tuple[pd.Series, pd.Series]:
    """(peak leg, trough leg): close/close, or high/low for the intraday basis."""
    if basis not in _BASES:
        raise ValueError(f"basis={basis!r}: must be 'close' or 'intraday'")
    if basis == "close":
        c = as_close(prices, "prices")
        check_index(c, "prices")
        if c.isna().any():
            raise ValueError("prices: close has missing values; drop them first")
        return c, c
    if not isinstance(prices, pd.DataFrame):
        raise ValueError("basis='intraday' needs a price frame with high and low columns, "
                         "got a Series")
    df = price_frame(prices, need=("high", "low"), what="an intraday drawdown")
    return df["high"].astype("float64"), df["low"].astype("float64")


def drawdown(prices: pd.Series | pd.DataFrame, basis: str = "close",
             start: Any = None) -> pd.Series:
    """Decline from the running peak, as a fraction (0 at a new peak, negative below).

    Parameters
    ----------
    prices : close Series or price frame.
    basis : ``"close"`` (close vs running max close) or ``"intraday"`` (low vs running
        max high).
    start : optional first date; the running peak is measured from there.

    Returns
    -------
    Series named ``drawdown`` (e.g. -0.297 for a 29.7% decline).

    Examples
    --------
    Peak-to-trough of RUT from the 2024-11-25 record high to the 2025-04-09 low:
    ``drawdown(rut, "intraday").loc["2025-04-09"]`` is -0.297.
    """
    hi, lo = _legs(prices, basis)
    if start is not None:
        hi = window_slice(hi, start, None, what="drawdown")
        lo = lo.loc[hi.index]
    peak = hi.cummax()
    out = pd.Series(lo.to_numpy() / peak.to_numpy() - 1.0, index=hi.index, name="drawdown")
    return keep_attrs(out, prices)


def run_up(prices: pd.Series | pd.DataFrame, basis: str = "close", start: Any = None) -> pd.Series:
    """Rise from the running trough, as a fraction (0 at a new low, positive above).

    The mirror of :func:`drawdown`: ``high_t / min(low_s, s <= t) - 1`` on the
    intraday basis. Pass ``start`` at a low to measure a rally from it, e.g. RUT from
    the 2025-04-09 low to the 2025-05-16 high is +22.0%.

    Returns
    -------
    Series named ``run_up``.
    """
    hi, lo = _legs(prices, basis)
    if start is not None:
        lo = window_slice(lo, start, None, what="run_up")
        hi = hi.loc[lo.index]
    trough = lo.cummin()
    out = pd.Series(hi.to_numpy() / trough.to_numpy() - 1.0, index=lo.index, name="run_up")
    return keep_attrs(out, prices)


def pullbacks(prices: pd.Series | pd.DataFrame, threshold: float = 0.05,
              basis: str = "close") -> pd.DataFrame:
    """Pullback episodes: from a running peak, through the trough, to recovery.

    An episode starts at a peak (a new running high), reaches its trough (the lowest
    point before the peak is regained) and ends on the recovery date, the first bar
    whose close (intraday: high) is back at or above the peak. Episodes whose depth
    is at least ``threshold`` are listed; the last one may still be open.

    Parameters
    ----------
    prices : close Series or price frame.
    threshold : minimum depth as a positive fraction (0.05 = 5%).
    basis : ``"close"`` or ``"intraday"``.

    Returns
    -------
    DataFrame with one row per episode: ``peak_date, peak, trough_date, trough,
    depth`` (negative fraction), ``bars_to_trough, recovery_date`` (NaT if still
    below the peak), ``bars_to_recover``.
    """
    th = check_fraction(threshold, "threshold", 0.0, 1.0)
    hi, lo = _legs(prices, basis)
    h, low = hi.to_numpy(), lo.to_numpy()
    idx = hi.index
    n = len(h)
    cols = ["peak_date", "peak", "trough_date", "trough", "depth", "bars_to_trough",
            "recovery_date", "bars_to_recover"]
    rows = []
    if n:
        peak = np.maximum.accumulate(h)
        # a new episode starts at each bar that sets a new running peak
        new_peak = np.r_[True, h[1:] > peak[:-1]]
        starts = np.flatnonzero(new_peak)
        ends = np.r_[starts[1:], n]  # recovery bar = next new peak (or >= peak, below)
        for s, e in zip(starts, ends, strict=True):
            seg = low[s:e]
            j = int(np.argmin(seg))
            depth = seg[j] / h[s] - 1.0
            if -depth < th:
                continue
            # recovery: first bar after the trough back at or above the peak
            after = np.flatnonzero(h[s + j + 1:] >= h[s])
            rec = s + j + 1 + int(after[0]) if len(after) else None
            rows.append({
                "peak_date": idx[s], "peak": h[s], "trough_date": idx[s + j], "trough": seg[j],
                "depth": depth, "bars_to_trough": j,
                "recovery_date": idx[rec] if rec is not None else pd.NaT,
                "bars_to_recover": (rec - s) if rec is not None else np.nan,
            })
    out = pd.DataFrame(rows, columns=cols)
    for c in ("peak_date", "trough_date", "recovery_date"):
        out[c] = pd.to_datetime(out[c])
    return keep_attrs(out, prices)


@dataclass(frozen=True)
class LevelBelowHigh:
    """The level ``pct`` below the last closing high (as of ``as_of``)."""

    high: float
    high_date: pd.Timestamp
    pct: float
    level: float
    as_of: pd.Timestamp
    last_close: float
    column: str = "close"

    @property
    def distance(self) -> float:
        """Last close relative to the level (positive = above it)."""
        return self.last_close / self.level - 1.0

    def describe(self) -> str:
        side = "above" if self.distance >= 0 else "below"
        what = {"close": "closing high", "high": "intraday high"}.get(self.column,
                                                                    f"{self.column} high")
        return (f"{self.pct:.0%} below the {self.high_date:%Y-%m-%d} {what} "
                f"{self.high:,.2f} is {self.level:,.2f}; the {self.as_of:%Y-%m-%d} close "
                f"{self.last_close:,.2f} is {abs(self.distance):.1%} {side} it")


def level_below_high(prices: pd.Series | pd.DataFrame, pct: float = 0.10, as_of: Any = None,
                     lookback: int | None = None, column: str = "close") -> LevelBelowHigh:
    """The price ``pct`` below the highest close (the "10% correction" level).

    ``level = max(close_s, s <= as_of) * (1 - pct)``; with ``lookback`` the high is
    taken over the last ``lookback`` bars only (e.g. 252 for a 52-week high).

    Parameters
    ----------
    prices : close Series or price frame.
    pct : fraction below the high, in (0, 1).
    as_of : date to measure at (default: last bar).
    lookback : optional window in bars for the high.
    column : for a price frame, the column the high is taken from: ``"close"``
        (default), ``"high"`` (intraday high) or ``"adj_close"``...; the last
        value compared with the level is the close (the ``adj_close`` for an
        adjusted basis).
    """
    p = check_fraction(pct, "pct", 0.0, 1.0)
    if p >= 1.0:
        raise ValueError("pct=1: a level 100% below the high is zero")
    if isinstance(prices, pd.DataFrame) and column != "close":
        if column not in prices.columns:
            raise ValueError(f"column={column!r}: not a column of prices "
                             f"({', '.join(map(str, prices.columns))})")
        c = prices[column].astype(float)
        last_col = column if column.startswith("adj") else "close"
        last = prices[last_col].astype(float) if last_col in prices.columns else c
    else:
        c = as_close(prices, "prices")
        last = c
    check_index(c, "prices")
    c = c.dropna()
    if as_of is not None:
        ts = to_timestamp(as_of, "as_of")
        c = c.loc[:ts]
        if c.empty:
            raise ValueError(f"as_of {ts:%Y-%m-%d} is before the first bar of prices")
    if c.empty:
        raise ValueError("prices: no closes")
    if lookback is not None:
        c = c.iloc[-check_window(lookback, "lookback"):]
    j = int(np.argmax(c.to_numpy()))
    high = float(c.iloc[j])
    return LevelBelowHigh(high, c.index[j], p, high * (1.0 - p), c.index[-1],
                          float(last.loc[c.index[-1]]), column)
