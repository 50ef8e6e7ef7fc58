"""Coverage of a series: first and last date, rows, and runs of missing observations."""

from __future__ import annotations

import numpy as np
import pandas as pd

# expected calendar and how far (days) an observation may sit from its slot
_CALENDARS = {
    "daily": (None, 0, 1),  # NYSE sessions (holidays and closures are not slots)
    "weekly": ("7D", 3, 1),
    "semi-monthly": ("SME", 5, 1),
    "monthly": ("ME", 3, 1),
}


def missing_slots(index: pd.DatetimeIndex, slots: pd.DatetimeIndex, tol_days: int) -> np.ndarray:
    """Boolean mask over ``slots``: True where no date of ``index`` lies within
    ``tol_days`` days of the slot (``index`` sorted and unique)."""
    pos = index.searchsorted(slots)
    before = index[np.clip(pos - 1, 0, len(index) - 1)]
    after = index[np.clip(pos, 0, len(index) - 1)]
    dist = np.minimum(np.abs((slots - before).days), np.abs((after - slots).days))
    return np.asarray(dist > tol_days)


def gaps(index: pd.DatetimeIndex, frequency: str) -> pd.DataFrame:
    """Runs of missing observations against the series' own calendar.

    Parameters
    ----------
    index : dates of the observations.
    frequency : "daily" (NYSE sessions from ``exchange_calendars``: holidays and
        unscheduled closures such as 2001-09-11..14, 2012-10-29/30 or days of
        mourning are not gaps, and one missing session is; before 1970, where the
        calendar lists no holidays, weekdays with runs of 3+ days), "weekly" (a slot every 7 days from the first date, filled
        by any observation within 3 days, so holiday-shifted reports count),
        "semi-monthly" or "monthly".

    Returns
    -------
    DataFrame with columns ``first_missing``, ``last_missing``, ``missing`` (count
    of slots), one row per run, in date order. Nothing is interpolated.
    """
    if frequency not in _CALENDARS:
        raise ValueError(f"frequency {frequency!r} is not one of {', '.join(_CALENDARS)}")
    idx = pd.DatetimeIndex(index).unique().sort_values()
    cols = ["first_missing", "last_missing", "missing"]
    if len(idx) < 2:
        return pd.DataFrame(columns=cols)
    freq, tol_days, min_run = _CALENDARS[frequency]
    if freq is None:
        from .calendars import NYSE_HOLIDAYS_FROM, nyse_sessions_between

        # exchange_calendars lists NYSE holidays from 1970 only: before that, weekdays
        # with runs of 3+ missing days (a 1-2 day hole is a holiday)
        early = pd.bdate_range(idx[0], min(idx[-1], NYSE_HOLIDAYS_FROM - pd.Timedelta(days=1)))
        expected = early.append(nyse_sessions_between(max(idx[0], NYSE_HOLIDAYS_FROM), idx[-1]))
    else:
        expected = pd.date_range(idx[0], idx[-1], freq=freq)
    missing = missing_slots(idx, expected, tol_days)
    if not missing.any():
        return pd.DataFrame(columns=cols)
    # label runs of consecutive missing slots
    starts = missing & ~np.r_[False, missing[:-1]]
    run_id = np.cumsum(starts)[missing]
    slots = expected[missing]
    out = (
        pd.DataFrame({"slot": slots, "run": run_id})
        .groupby("run")["slot"]
        .agg(first_missing="min", last_missing="max", missing="count")
        .reset_index(drop=True)
    )
    if freq is None:
        from .calendars import NYSE_HOLIDAYS_FROM

        keep = (out["first_missing"] >= NYSE_HOLIDAYS_FROM) | (out["missing"] >= 3)
        return out[keep].reset_index(drop=True)
    return out[out["missing"] >= min_run].reset_index(drop=True)


def coverage(df: pd.DataFrame | pd.Series, frequency: str) -> dict:
    """Summary of a loaded series: first, last, rows, number of gap runs and missing slots."""
    g = gaps(df.index, frequency)
    return {
        "first": df.index[0].date().isoformat() if len(df) else None,
        "last": df.index[-1].date().isoformat() if len(df) else None,
        "rows": len(df),
        "gap_runs": len(g),
        "missing": int(g["missing"].sum()) if len(g) else 0,
    }
