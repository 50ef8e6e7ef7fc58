"""The bar frequency of a dated series, so units follow it (per day, week, month).

A slope or a change "per bar" means per day on daily bars, per week on weekly bars
and per month on monthly bars; every statement of a rate takes its unit from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["BARS_PER_MONTH", "bar_unit", "per_month"]

# median calendar days between bars -> unit; bars per (trading) month for each unit
_UNITS = ((3.5, "day"), (10.0, "week"), (45.0, "month"), (135.0, "quarter"))
BARS_PER_MONTH = {"day": 21.0, "week": 52.0 / 12.0, "month": 1.0, "quarter": 1.0 / 3.0,
                  "year": 1.0 / 12.0}


def bar_unit(index: pd.Index) -> str:
    """``"day"``, ``"week"``, ``"month"``, ``"quarter"`` or ``"year"`` for a DatetimeIndex.

    Read from the median spacing of the dates (a holiday week or a missing month does
    not change it). An index with fewer than two dates is taken as daily.

    Raises
    ------
    TypeError
        If ``index`` is not a DatetimeIndex.
    """
    if not isinstance(index, pd.DatetimeIndex):
        raise TypeError(f"index: needs a DatetimeIndex, got {type(index).__name__}")
    if len(index) < 2:
        return "day"
    days = float(np.median(np.diff(index.to_numpy()) / np.timedelta64(1, "D")))
    for limit, unit in _UNITS:
        if days <= limit:
            return unit
    return "year"


def per_month(index: pd.Index) -> float:
    """Bars in a month at the frequency of ``index`` (21 for daily trading bars)."""
    return BARS_PER_MONTH[bar_unit(index)]
