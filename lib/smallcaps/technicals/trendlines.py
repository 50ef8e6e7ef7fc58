"""Trendlines through swing highs (lower highs) or swing lows (higher lows).

Method (lower highs; higher lows mirror it with lows and a line below)
----------------------------------------------------------------------
With ``y`` the high (log of the high on the log scale) and bars counted by
position:

1. The anchor ``A`` is the highest high of the window (or the date given). When
   no anchor is given, a later high within ``tolerance`` of it (a double top) may
   anchor the line instead if its line has more touches (or ``A`` has no line).
2. Every later bar ``B`` that is a local peak (its high at least the highs of
   the two bars on each side) and lower than ``A`` gives a candidate line
   through ``A`` and ``B``. It is kept if no high between them rises above it by
   more than ``tolerance`` (a fraction on the log scale, a share of the line on the
   linear scale): a line that price respected on the way.
3. The line breaks on the first close above it after ``B``.
4. A *touch* is an approach of the highs to within ``tolerance`` of the line,
   between ``A`` and the break; bars near the line count as one touch until price
   has retreated more than four tolerances from the line. Each touch is dated at
   its bar nearest the line.
5. Lines that matter win: a line must span at least ``min_span`` of the window
   (from its anchor to its break, or to the window's end) and have at least two
   separate touches (a line touched once is no line: an error, not a result).
   Each remaining line scores ``touches x span / window`` (steepness plays no
   part); the highest score wins; ties go to the earlier anchor, then to the line
   passing closest to its touches (smallest sum of distances), then to the one
   that held longer.

A parallel channel line goes through the lowest low (highest high for a line of
higher lows) between ``A`` and the break.

References
----------
R. Edwards, J. Magee, *Technical Analysis of Stock Trends* (1948), ch. 14.
J. Murphy, *Technical Analysis of the Financial Markets* (1999), ch. 4.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .._core.frequency import bar_unit, per_month
from ._checks import check_fraction, price_frame, to_timestamp, window_slice

__all__ = ["Trendline", "rally_slopes", "trendline"]

_KINDS = ("lower_highs", "higher_lows")
_MIN_BARS = 10
_AWAY = 4.0  # a retreat of this many tolerances from the line separates two touches


@dataclass(frozen=True)
class Trendline:
    """A straight line (in log or linear price) through swing highs or lows.

    ``y(pos) = intercept + slope * (pos - anchor position)`` where ``y`` is the log
    price on the log scale and ``pos`` a bar position in ``index``.
    """

    kind: str
    scale: str
    anchors: tuple[pd.Timestamp, pd.Timestamp]
    anchor_prices: tuple[float, float]
    slope: float
    intercept: float
    touches: pd.DatetimeIndex
    break_date: pd.Timestamp | None
    breaks: pd.DatetimeIndex
    channel_offset: float
    tolerance: float
    index: pd.DatetimeIndex = field(repr=False)

    # -- positions ---------------------------------------------------------------
    def _pos(self, date: Any) -> float:
        ts = to_timestamp(date, "date")
        idx = self.index
        if idx[0] <= ts <= idx[-1]:
            return float(idx.searchsorted(ts))  # a non-trading day maps to the next bar
        ref = idx[-1] if ts > idx[-1] else idx[0]
        if self.bar != "day":  # weekly or monthly bars: count bars of the data's spacing
            step = np.median(np.diff(idx.to_numpy()) / np.timedelta64(1, "D"))
            return float(idx.get_loc(ref) + (ts - ref) / pd.Timedelta(days=1) / step)
        offset = np.busday_count(ref.date(), ts.date()) if ts > ref else \
            -np.busday_count(ts.date(), ref.date())
        return float(idx.get_loc(ref) + offset)

    def _y(self, pos: float | np.ndarray, offset: float = 0.0) -> float | np.ndarray:
        a = self.index.get_loc(self.anchors[0])
        y = self.intercept + self.slope * (np.asarray(pos, dtype=float) - a) + offset
        return np.exp(y) if self.scale == "log" else y

    def value_at(self, date: Any) -> float:
        """Price of the line on ``date`` (extrapolated by business days off the data)."""
        return float(self._y(self._pos(date)))

    def channel_at(self, date: Any) -> float:
        """Price of the parallel channel line on ``date``."""
        return float(self._y(self._pos(date), self.channel_offset))

    def values(self, index: pd.DatetimeIndex | None = None, channel: bool = False) -> pd.Series:
        """The line (or its channel) on every date of ``index`` (default: the data's)."""
        index = self.index if index is None else pd.DatetimeIndex(index)
        pos = np.array([self._pos(d) for d in index]) if not index.equals(self.index) \
            else np.arange(len(index), dtype=float)
        vals = self._y(pos, self.channel_offset if channel else 0.0)
        return pd.Series(vals, index=index, name="channel" if channel else "trendline")

    @property
    def slope_pct(self) -> float:
        """Change per bar: a fraction on the log scale, price units on the linear one."""
        return float(np.expm1(self.slope)) if self.scale == "log" else float(self.slope)

    @property
    def bar(self) -> str:
        """The unit of one bar of the data: ``"day"``, ``"week"``, ``"month"`` ..."""
        return bar_unit(self.index)

    def describe(self) -> str:
        """One sentence."""
        what = "lower highs" if self.kind == "lower_highs" else "higher lows"
        per = (f"{self.slope_pct:+.2%} a {self.bar}" if self.scale == "log"
               else f"{self.slope_pct:+,.2f} points a {self.bar}")
        brk = (f"broken on {self.break_date:%Y-%m-%d}" if self.break_date is not None
               else "not broken")
        return (f"line of {what} from {self.anchors[0]:%Y-%m-%d} ({self.anchor_prices[0]:,.2f})"
                f" through {self.anchors[1]:%Y-%m-%d} ({self.anchor_prices[1]:,.2f}), {per}, "
                f"{len(self.touches)} touches, {brk}")


def _runs(near: np.ndarray, away: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) of each touch: runs of ``near`` bars, merged unless price went
    ``away`` from the line in between."""
    if not near.any():
        return []
    d = np.diff(np.r_[0, near.astype(np.int8), 0])
    runs = list(zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True))
    merged = [runs[0]]
    for s, e in runs[1:]:
        ps, pe = merged[-1]
        if away[pe:s].any():
            merged.append((s, e))
        else:
            merged[-1] = (ps, e)
    return merged


def trendline(prices: pd.DataFrame | pd.Series, kind: str = "lower_highs", start: Any = None,
              end: Any = None, anchor: Any = None, scale: str = "log",
              tolerance: float = 0.005, min_span: float = 0.25) -> Trendline:
    """Fit a trendline of lower highs (resistance) or higher lows (support).

    Parameters
    ----------
    prices : price frame (``high, low, close``), or a Series (a close, a ratio) used
        for all three.
    kind : ``"lower_highs"`` (a descending line over the highs) or ``"higher_lows"``
        (a rising line under the lows).
    start, end : window searched for the line (default: all bars). The line can be
        evaluated at any date afterwards.
    anchor : first point of the line (default: the window's highest high for
        lower highs, lowest low for higher lows), e.g. a record high.
    scale : ``"log"`` (straight on a log chart; default) or ``"linear"``.
    tolerance : how far a high may rise above the line, and how close it must come
        to count as a touch (0.005 = 0.5%).
    min_span : smallest share of the window's bars a line must span, from its
        anchor to its break (or the window's end); 0.25 by default.

    Returns
    -------
    Trendline

    Raises
    ------
    ValueError
        Too few bars, a bad parameter, or no line of that kind in the window
        (e.g. the highest high is the last bar, or no line with two touches spans
        ``min_span`` of the window).
    """
    if kind not in _KINDS:
        raise ValueError(f"kind={kind!r}: must be 'lower_highs' or 'higher_lows'")
    if scale not in ("log", "linear"):
        raise ValueError(f"scale={scale!r}: must be 'log' or 'linear'")
    tol = check_fraction(tolerance, "tolerance", 0.0, 0.5, inclusive_lo=True)
    span_min = check_fraction(min_span, "min_span", 0.0, 1.0, inclusive_lo=True)
    if isinstance(prices, pd.Series):  # a line (a ratio, a close): high = low = close
        v = prices.astype("float64")
        prices = pd.DataFrame({"high": v, "low": v, "close": v}, index=prices.index)
        prices.attrs = dict(v.attrs)
    df = price_frame(prices, need=("high", "low", "close"), what="trendline")
    win = window_slice(df, start, end, min_rows=_MIN_BARS, what="a trendline")
    full_idx = df.index
    down = kind == "lower_highs"
    sign = 1.0 if down else -1.0  # work on "highs" of sign * y: lines over the points
    raw = win["high" if down else "low"].to_numpy("float64")
    opp = win["low" if down else "high"].to_numpy("float64")
    close = win["close"].to_numpy("float64")
    tr = np.log if scale == "log" else (lambda v: v)
    y = sign * tr(raw)
    yc = sign * tr(close)
    yo = sign * tr(opp)
    n = len(y)

    if anchor is None:
        a = int(np.argmax(y))
    else:
        ts = to_timestamp(anchor, "anchor")
        if ts not in win.index:
            raise ValueError(f"anchor {ts:%Y-%m-%d} is not a trading day inside the window "
                             f"{win.index[0]:%Y-%m-%d} to {win.index[-1]:%Y-%m-%d}")
        a = int(win.index.get_loc(ts))
    if a >= n - 2:
        what = "highest high" if down else "lowest low"
        raise ValueError(f"no {kind.replace('_', ' ')} line: the {what} of the window is on "
                         f"{win.index[a]:%Y-%m-%d}, too close to its end to draw a line from")

    # tolerance in y units: log units on the log scale, a share of the level on linear
    def tol_at(level: np.ndarray) -> np.ndarray:
        return np.full_like(level, tol) if scale == "log" else np.abs(level) * tol

    # candidate second points: local peaks of y after the anchor, below it
    pad = np.r_[np.full(2, -np.inf), y, np.full(2, -np.inf)]
    peak = np.ones(n, dtype=bool)
    for k in (1, 2):
        peak &= (y >= pad[2 - k: 2 - k + n]) & (y >= pad[2 + k: 2 + k + n])
    # a peak is known only once two later bars exist: the last two bars are not peaks yet
    # (otherwise data cut on a break day would draw its line through the day before)
    peak[max(n - 2, 0):] = False
    # with no anchor given, a near-tie of the extreme later on (a double top or
    # bottom) may anchor the line instead: the line then starts from the last of them
    starts = [a]
    if anchor is None:
        near = y[a] - tol_at(np.array([y[a]]))[0]
        starts += [j for j in range(a + 1, n - 2) if y[j] >= near]
    pos = np.arange(n, dtype=float)
    best = None
    rejected = {"short": 0, "one touch": 0}
    for a0 in starts:
        cands = [b for b in np.flatnonzero(peak) if b > a0 + 1 and y[b] < y[a0]]
        if not cands and y[a0 + 1:].max() < y[a0]:
            cands = [int(a0 + 1 + np.argmax(y[a0 + 1:]))]
        for b in cands:
            slope = (y[b] - y[a0]) / (b - a0)
            line = y[a0] + slope * (pos - a0)
            if (y[a0:b] - line[a0:b] > tol_at(line[a0:b])).any():
                continue
            above = np.flatnonzero(yc[b + 1:] > line[b + 1:])
            brk = b + 1 + int(above[0]) if len(above) else n
            gap = line[a0:brk] - y[a0:brk]
            tl = tol_at(line[a0:brk])
            runs = [(s + a0, e + a0) for s, e in _runs(np.abs(gap) <= tl, gap > _AWAY * tl)]
            span = (brk - a0) / n
            if len(runs) < 2:
                rejected["one touch"] += 1
                continue
            if span < span_min:
                rejected["short"] += 1
                continue
            fit = sum(float(np.min(np.abs(y[s:e] - line[s:e]))) for s, e in runs)
            key = (round(len(runs) * span, 12), -a0, -round(fit, 12), brk, b)
            if best is None or key > best[0]:
                best = (key, a0, b, slope, brk, runs)
    if best is None:
        what = "highs" if down else "lows"
        if rejected["short"] or rejected["one touch"]:
            raise ValueError(
                f"no {kind.replace('_', ' ')} line with two touches spans {span_min:.0%} of the "
                f"window {win.index[0]:%Y-%m-%d} to {win.index[-1]:%Y-%m-%d} "
                f"({rejected['short']} shorter, {rejected['one touch']} touched once); "
                "lower min_span, widen the tolerance or move the window")
        raise ValueError(f"no {kind.replace('_', ' ')} line from {win.index[a]:%Y-%m-%d}: every "
                         f"later swing {what[:-1]} lies beyond it; try a later start or anchor")
    _, a, b, slope, brk, runs = best
    line = y[a] + slope * (pos - a)
    touch_pos = [int(s + np.argmin(np.abs(y[s:e] - line[s:e]))) for s, e in runs]
    # crossings of the close through the line after B, in the breaking direction
    side = yc > line
    cross = np.flatnonzero(side[b + 1:] & ~side[b:-1]) + b + 1
    stop = brk if brk < n else n
    chan = float(np.min(yo[a:stop] - line[a:stop])) if stop > a else 0.0
    # back to natural units: the fitted line is sign * y
    return Trendline(
        kind=kind, scale=scale,
        anchors=(win.index[a], win.index[b]), anchor_prices=(float(raw[a]), float(raw[b])),
        slope=float(sign * slope), intercept=float(sign * y[a]),
        touches=pd.DatetimeIndex(win.index[touch_pos]),
        break_date=win.index[brk] if brk < n else None,
        breaks=pd.DatetimeIndex(win.index[cross]),
        channel_offset=float(sign * chan), tolerance=tol,
        index=full_idx,
    )


def rally_slopes(prices: pd.Series | pd.DataFrame,
                 periods: Sequence[tuple[Any, Any]] | dict[str, tuple[Any, Any]],
                 scale: str = "log") -> pd.DataFrame:
    """Compare the slopes of rallies (or declines) by least squares on the close.

    For each period, ``log(close) = a + b * bar`` (or ``close`` on the linear scale)
    is fitted by ordinary least squares; ``b`` is the slope per bar.

    Parameters
    ----------
    prices : close Series or price frame.
    periods : ``[(start, end), ...]`` or ``{"label": (start, end), ...}``.
    scale : ``"log"`` (slopes as % per bar, comparable across price levels) or
        ``"linear"`` (points per bar).

    Returns
    -------
    DataFrame indexed by label: ``start, end, bars, change`` (fraction, first to last
    close), ``slope_per_bar`` (fraction on the log scale, points on linear; the bar is
    a day, week or month as the data's dates say, in ``attrs["bar"]``),
    ``slope_per_month`` (21 daily, 52/12 weekly or 1 monthly bars), ``r2``,
    ``vs_first`` (slope / first period's).
    """
    from ._checks import as_close, check_index

    if scale not in ("log", "linear"):
        raise ValueError(f"scale={scale!r}: must be 'log' or 'linear'")
    c = as_close(prices, "prices")
    check_index(c, "prices")
    items = list(periods.items()) if isinstance(periods, dict) else \
        [(f"{to_timestamp(s, 'start'):%Y-%m-%d} to {to_timestamp(e, 'end'):%Y-%m-%d}", (s, e))
         for s, e in periods]
    if not items:
        raise ValueError("periods: give at least one (start, end) pair")
    unit, month = bar_unit(c.index), per_month(c.index)
    rows = {}
    for label, (s, e) in items:
        seg = window_slice(c.dropna(), s, e, arg="prices", min_rows=3,
                           what=f"a slope for {label!r}")
        yv = np.log(seg.to_numpy()) if scale == "log" else seg.to_numpy()
        x = np.arange(len(yv), dtype=float)
        b, a0 = np.polyfit(x, yv, 1)
        fit = a0 + b * x
        ss = ((yv - yv.mean()) ** 2).sum()
        r2 = 1 - ((yv - fit) ** 2).sum() / ss if ss > 0 else np.nan
        per_bar = float(np.expm1(b)) if scale == "log" else float(b)
        m = month * b
        rows[label] = {"start": seg.index[0], "end": seg.index[-1], "bars": len(seg),
                       "change": float(seg.iloc[-1] / seg.iloc[0] - 1),
                       "slope_per_bar": per_bar,
                       "slope_per_month": float(np.expm1(m)) if scale == "log" else float(m),
                       "r2": r2}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out["vs_first"] = out["slope_per_bar"] / out["slope_per_bar"].iloc[0]
    out.index.name = "period"
    out.attrs["bar"] = unit
    return out
