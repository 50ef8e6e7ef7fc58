"""One answer to "where does price stand, as of a date": latest range, nearest levels.

Greedy left-to-right scans (trading ranges, zig-zag swing points) depend on where
they start: a range scan started three years back can find a range that a scan over
the whole history never reports, and a zig-zag started mid-trend has different first
pivots. So every statement about the structure as of a date comes from this one
function, which always scans the **whole history up to** ``as_of`` and only then cuts
to a window. Notebook 01, the weekly briefing and the API call it with the same
defaults and give the same latest range and the same nearest support and resistance
for the same symbol and date.

Nothing after ``as_of`` is read, so the result is what a reader could know that day
(the last swing point is provisional, see :func:`~smallcaps.technicals.swing_points`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._checks import price_frame, to_timestamp
from .levels import support_resistance
from .ranges import _COLUMNS as _RANGE_COLUMNS
from .ranges import find_ranges
from .swings import swing_points

__all__ = ["KeyLevels", "key_levels", "LEVEL_YEARS"]

LEVEL_YEARS = 2
"""Years of swing points (up to ``as_of``) clustered into support and resistance."""


@dataclass(frozen=True)
class KeyLevels:
    """Ranges and levels of one price series as of one date.

    Attributes
    ----------
    as_of : last bar used.
    close : its close.
    ranges : every trading range of the whole history up to ``as_of``
        (:func:`~smallcaps.technicals.find_ranges` output).
    swings : every swing point of the whole history up to ``as_of``.
    levels : support and resistance from the swing points dated on or after
        ``levels_from`` (:func:`~smallcaps.technicals.support_resistance` output).
    levels_from : first date whose swing points form the levels.
    """

    as_of: pd.Timestamp
    close: float
    ranges: pd.DataFrame
    swings: pd.DataFrame
    levels: pd.DataFrame
    levels_from: pd.Timestamp

    @property
    def latest_range(self) -> pd.Series | None:
        """The most recent trading range (open or ended), or None if there is none."""
        return self.ranges.iloc[-1] if len(self.ranges) else None

    @property
    def support(self) -> pd.Series | None:
        """The nearest level below the close, or None."""
        below = self.levels[self.levels["level"] < self.close]
        return below.sort_values("level", ascending=False).iloc[0] if len(below) else None

    @property
    def resistance(self) -> pd.Series | None:
        """The nearest level above the close, or None."""
        above = self.levels[self.levels["level"] > self.close]
        return above.sort_values("level").iloc[0] if len(above) else None

    def ranges_in(self, start: Any = None) -> pd.DataFrame:
        """The ranges (of the whole-history scan) that end on or after ``start``."""
        if start is None:
            return self.ranges
        return self.ranges[self.ranges["end"] >= pd.Timestamp(start)]

    def describe(self) -> str:
        """One line: the latest range and the nearest support and resistance."""
        parts = [f"as of {self.as_of:%Y-%m-%d} (close {self.close:,.2f})"]
        r = self.latest_range
        if r is None:
            parts.append("no trading range in the history")
        elif r["exit"] == "open":
            parts.append(f"in a range {r['low']:,.2f}-{r['high']:,.2f} since {r['start']:%Y-%m-%d}")
        else:
            parts.append(f"latest range {r['low']:,.2f}-{r['high']:,.2f} "
                         f"({r['start']:%Y-%m-%d} to {r['end']:%Y-%m-%d}) exited {r['exit']} on "
                         f"{r['exit_date']:%Y-%m-%d}")
        for word, row in (("support", self.support), ("resistance", self.resistance)):
            parts.append(f"no {word} in the swing points since {self.levels_from:%Y-%m-%d}"
                         if row is None else f"nearest {word} {row['level']:,.2f}")
        return "; ".join(parts)


def key_levels(prices: pd.DataFrame, as_of: Any = None, *, level_years: int = LEVEL_YEARS,
               pct: float = 0.05, tolerance: float = 0.015, min_touches: int = 2,
               min_bars: int = 120, max_width: float = 0.15,
               coverage: float = 0.85) -> KeyLevels:
    """Trading ranges and support/resistance as of ``as_of``, from the whole history.

    Parameters
    ----------
    prices : price frame (``high, low, close``); rows after ``as_of`` are ignored.
    as_of : last date used (default: the last bar).
    level_years : years of swing points, ending at ``as_of``, clustered into levels.
    pct, tolerance, min_touches : swing-point reversal and level clustering
        (see :func:`~smallcaps.technicals.support_resistance`).
    min_bars, max_width, coverage : the range definition
        (see :func:`~smallcaps.technicals.find_ranges`).

    Returns
    -------
    KeyLevels

    Raises
    ------
    ValueError
        If no bar lies on or before ``as_of``, or on bad parameters.
    """
    df = price_frame(prices, need=("high", "low", "close"), what="key_levels")
    if as_of is not None:
        df = df.loc[: to_timestamp(as_of, "as_of")]
    if len(df) < 3:
        when = "" if as_of is None else f" on or before {to_timestamp(as_of, 'as_of'):%Y-%m-%d}"
        raise ValueError(f"key_levels needs at least 3 bars{when}; prices has {len(df)}")
    if isinstance(level_years, bool) or not isinstance(level_years, int) or level_years < 1:
        raise ValueError(f"level_years={level_years!r}: must be a whole number of years >= 1")
    t = df.index[-1]
    if len(df) >= min_bars:
        ranges = find_ranges(df, min_bars=min_bars, max_width=max_width, coverage=coverage)
    else:  # too short a history for any range: an empty table, not an error
        ranges = pd.DataFrame(columns=_RANGE_COLUMNS)
    swings = swing_points(df, pct=pct)
    since = t - pd.DateOffset(years=level_years)
    levels = support_resistance(df, swings=swings[swings["date"] >= since],
                                tolerance=tolerance, min_touches=min_touches)
    return KeyLevels(as_of=t, close=float(df["close"].iloc[-1]), ranges=ranges, swings=swings,
                     levels=levels, levels_from=since)
