"""Volume profile (volume at price) and its time-at-price fallback.

Each bar's volume is spread evenly over its low-high range and added to price
bins of equal width covering the window. The *point of control* (POC) is the
middle of the fullest bin. The *value area* starts at the POC bin and grows one
bin at a time towards the fuller neighbour (above or below) until it holds
``value_area`` (70%) of the total; its edges are the value area high and low.

Index series (RUT, SPX, NDX) have no volume: the profile then counts bars
instead (time at price, the Market Profile TPO idea on daily bars) and says so in
``basis`` and ``note``.

Reference: J. P. Steidlmayer, *Markets and Market Logic* (1986); CBOT Market
Profile handbook (value area = 70% of activity around the POC).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._checks import check_fraction, check_window, price_frame, series_name, window_slice

__all__ = ["VolumeProfile", "volume_profile"]


@dataclass(frozen=True)
class VolumeProfile:
    """Result of :func:`volume_profile`."""

    poc: float
    value_area_high: float
    value_area_low: float
    histogram: pd.DataFrame  # low, high, mid, weight, share per bin (ascending price)
    basis: str  # "volume" or "time"
    start: pd.Timestamp
    end: pd.Timestamp
    value_area: float
    note: str | None = None

    def describe(self) -> str:
        what = "volume" if self.basis == "volume" else "time at price (bars)"
        text = (f"{what} profile {self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}: point of control "
                f"{self.poc:,.2f}, value area ({self.value_area:.0%}) {self.value_area_low:,.2f}"
                f" to {self.value_area_high:,.2f}")
        return f"{text}. {self.note}" if self.note else text

    def to_frame(self) -> pd.DataFrame:
        """The histogram."""
        return self.histogram


def _ramps(x: np.ndarray, knots: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """``sum_i slopes_i * max(0, x - knots_i)`` at each ``x``, in O((n + m) log n)."""
    order = np.argsort(knots, kind="stable")
    k, c = knots[order], slopes[order]
    c1 = np.r_[0.0, np.cumsum(c)]
    c2 = np.r_[0.0, np.cumsum(c * k)]
    j = np.searchsorted(k, x, side="left")  # knots strictly below x
    return x * c1[j] - c2[j]


def _spread(lo: np.ndarray, h: np.ndarray, weight: np.ndarray,
            edges: np.ndarray) -> np.ndarray:
    """Weight of each bin when every bar spreads its weight evenly over [low, high].

    The mass below ``x`` is a sum of ramps, ``w / (h - l) * (max(0, x - l) -
    max(0, x - h))``, so each bin's weight is a difference of that sum at its edges:
    exact, and linear in bars plus bins (no bars x bins matrix). A bar with
    ``high == low`` puts all its weight in its bin.
    """
    nb = len(edges) - 1
    span = h - lo
    flat = span <= 0
    wide = ~flat
    rate = weight[wide] / span[wide]
    knots = np.r_[lo[wide], h[wide]]
    mass = _ramps(edges, knots, np.r_[rate, -rate])
    acc = np.diff(mass)
    if flat.any():
        j = np.clip(np.searchsorted(edges, lo[flat], side="right") - 1, 0, nb - 1)
        acc += np.bincount(j, weights=weight[flat], minlength=nb)
    return np.clip(acc, 0.0, None)


def volume_profile(prices: pd.DataFrame, start: Any = None, end: Any = None, bins: int = 50,
                   value_area: float = 0.70, basis: str = "auto") -> VolumeProfile:
    """Volume (or time) at price over a window.

    Parameters
    ----------
    prices : price frame (``high, low``; ``volume`` for the volume basis).
    start, end : window (default: all bars).
    bins : number of equal-width price bins.
    value_area : share of the total in the value area (0.70 by convention).
    basis : ``"auto"`` (volume when the window has it, otherwise time at price, with
        a note), ``"volume"`` (error if there is none) or ``"time"``.

    Returns
    -------
    VolumeProfile

    Raises
    ------
    ValueError
        ``basis="volume"`` on a series without volume, too few bars, bad parameters.
    """
    nb = check_window(bins, "bins", minimum=2)
    va = check_fraction(value_area, "value_area", 0.0, 1.0)
    if basis not in ("auto", "volume", "time"):
        raise ValueError(f"basis={basis!r}: must be 'auto', 'volume' or 'time'")
    df = price_frame(prices, need=("high", "low"), what="volume_profile")
    win = window_slice(df, start, end, min_rows=2, what="a volume profile")
    name = series_name(prices, "prices")
    vol = win["volume"].to_numpy("float64") if "volume" in win.columns else \
        np.full(len(win), np.nan)
    has = np.isfinite(vol) & (vol > 0)
    note = None
    if basis == "volume" and not has.any():
        raise ValueError(f"{name} has no volume between {win.index[0]:%Y-%m-%d} and "
                         f"{win.index[-1]:%Y-%m-%d} (index series carry none); use "
                         "basis='time' for time at price, or an ETF (IWM, SPY, QQQ)")
    if basis == "time" or (basis == "auto" and not has.any()):
        used = "time"
        weight = np.ones(len(win))
        if basis == "auto":
            note = (f"{name} has no volume (an index): time at price (bars per price "
                    "level) is shown instead of volume")
    else:
        used = "volume"
        weight = np.where(has, vol, 0.0)
        if not has.all():
            note = f"{int((~has).sum())} bar(s) without volume left out"
    h = win["high"].to_numpy("float64")
    lo = win["low"].to_numpy("float64")
    edges = np.linspace(lo.min(), h.max(), nb + 1)
    if edges[-1] == edges[0]:
        raise ValueError(f"{name}: every price in the window is {edges[0]}; no profile to draw")
    acc = _spread(lo, h, weight, edges)
    total = acc.sum()
    mids = (edges[:-1] + edges[1:]) / 2
    poc_j = int(np.argmax(acc))
    lo_j = hi_j = poc_j
    held = acc[poc_j]
    while held < va * total and (lo_j > 0 or hi_j < nb - 1):
        below = acc[lo_j - 1] if lo_j > 0 else -1.0
        above = acc[hi_j + 1] if hi_j < nb - 1 else -1.0
        if above >= below:
            hi_j += 1
            held += above
        else:
            lo_j -= 1
            held += below
    hist = pd.DataFrame({"low": edges[:-1], "high": edges[1:], "mid": mids, "weight": acc,
                         "share": acc / total if total > 0 else acc})
    hist.attrs = dict(prices.attrs)
    return VolumeProfile(poc=float(mids[poc_j]), value_area_high=float(edges[hi_j + 1]),
                         value_area_low=float(edges[lo_j]), histogram=hist, basis=used,
                         start=win.index[0], end=win.index[-1], value_area=va, note=note)
