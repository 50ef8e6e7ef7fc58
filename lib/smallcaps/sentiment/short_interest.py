"""Short interest in an ETF: level, changes, records, days to cover, percentile.

Exchange short interest is reported for settlement dates twice a month and
published about eight business days later (the ``published`` column of
``sc.data.load("short_interest:IWM")``). For settlement ``t``:

- change over ``k`` reports: ``100 * (S_t / S_{t-k} - 1)`` (and in shares);
- highest/lowest since: the date of the latest earlier report at least as high
  (low); NaT when the reading is a record of the data available;
- days to cover: ``S_t / ADV_t`` where ``ADV_t`` is the mean daily share volume of
  the ETF over the ``adv_window`` trading days ending on the settlement date;
- percentile of ``S_t`` among the reports of the lookback window ending at ``t``.

Changes are taken between consecutive reports of the data; :func:`report_gaps`
lists settlement periods missing from it, and changes across a gap are NaN rather
than spanning two periods silently.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.errors import DataError
from .extremes import Window, highest_since, lowest_since, percentile_rank

__all__ = [
    "change_check",
    "days_to_cover",
    "report_gaps",
    "short_interest_metrics",
]

# semi-monthly settlement dates (mid-month and month-end) are 10-20 days apart
_MAX_REPORT_GAP = pd.Timedelta(days=20)


def _name(df: pd.DataFrame) -> str:
    return str((df.attrs.get("provenance") or {}).get("name", "short interest"))


def _shares(si: pd.DataFrame) -> pd.Series:
    if not isinstance(si, pd.DataFrame):
        raise TypeError(f"si: expected a short-interest DataFrame, got {type(si).__name__}")
    name = _name(si)
    if "shares_short" not in si.columns:
        raise DataError(name, "missing column 'shares_short'", hint=f"columns: {', '.join(map(str, si.columns))}")
    if not isinstance(si.index, pd.DatetimeIndex):
        raise DataError(name, "index must be the settlement dates (a DatetimeIndex)")
    if si.empty:
        raise DataError(name, "no reports")
    if not si.index.is_unique or not si.index.is_monotonic_increasing:
        raise DataError(name, "settlement dates must be unique and ascending")
    s = pd.to_numeric(si["shares_short"], errors="coerce").astype(float)
    bad = s.index[(s < 0).to_numpy()]
    if len(bad):
        raise DataError(name, "negative shares short", rows=[str(d.date()) for d in bad])
    return s


def _expected_settlements(first: pd.Timestamp, last: pd.Timestamp) -> pd.DatetimeIndex:
    """Mid-month (15th) and month-end slots between two dates."""
    months = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
    slots = []
    for m in months:
        start = m.to_timestamp(how="start")
        slots.append(start + pd.Timedelta(days=14))
        slots.append(m.to_timestamp(how="end").normalize())
    s = pd.DatetimeIndex(slots)
    return s[(s >= first - pd.Timedelta(days=5)) & (s <= last + pd.Timedelta(days=5))]


def report_gaps(si: pd.DataFrame) -> pd.DatetimeIndex:
    """Semi-monthly settlement slots (15th, month-end) with no report within 5 days.

    Settlement dates move to a business day near the 15th and the month-end; a
    slot is covered by any report within five days of it.
    """
    s = _shares(si)
    slots = _expected_settlements(s.index[0], s.index[-1])
    from ..data.coverage import missing_slots

    return pd.DatetimeIndex(slots[missing_slots(s.index, slots, 5)], name="missing_settlement")


def days_to_cover(
    si: pd.DataFrame,
    prices: pd.DataFrame,
    adv_window: int = 20,
) -> pd.DataFrame:
    """Days to cover: shares short divided by average daily volume.

    ``DTC_t = S_t / ADV_t`` with ``ADV_t`` the mean of the ETF's daily volume over
    the ``adv_window`` trading days ending on the settlement date (the last trading
    day on or before it).

    Parameters
    ----------
    si : short interest frame (``shares_short``).
    prices : the same ETF's price frame with a ``volume`` column (an index such as
        RUT has no volume: use the ETF).
    adv_window : trading days in the average.

    Returns
    -------
    DataFrame on settlement dates with ``adv`` (shares/day) and ``days_to_cover``;
    NaN where fewer than ``adv_window`` volumes are available.
    """
    s = _shares(si)
    if isinstance(adv_window, bool) or not isinstance(adv_window, (int, np.integer)) or adv_window < 1:
        raise ValueError(f"adv_window: expected a positive integer, got {adv_window!r}")
    if not isinstance(prices, pd.DataFrame) or "volume" not in prices.columns:
        raise DataError(str((getattr(prices, "attrs", {}).get("provenance") or {}).get("name", "prices")),
                        "no 'volume' column", hint="pass the ETF's price frame, e.g. sc.data.load('IWM')")
    pname = str((prices.attrs.get("provenance") or {}).get("name", "prices"))
    vol = pd.to_numeric(prices["volume"], errors="coerce").astype(float)
    if vol.notna().sum() == 0:
        raise DataError(pname, "volume is missing on every day (an index has no volume)",
                        hint="use the ETF's prices (IWM, QQQ, SPY) for days to cover")
    adv = vol.rolling(adv_window, min_periods=adv_window).mean()
    pos = adv.index.searchsorted(s.index, side="right") - 1
    vals = np.where(pos >= 0, adv.to_numpy()[np.clip(pos, 0, None)], np.nan)
    out = pd.DataFrame({"adv": vals}, index=s.index)
    out["days_to_cover"] = s / out["adv"].where(out["adv"] > 0)
    out.attrs = dict(si.attrs)
    return out


def short_interest_metrics(
    si: pd.DataFrame,
    prices: pd.DataFrame | None = None,
    *,
    periods: Sequence[int] = (1, 2, 4),
    adv_window: int = 20,
    lookback: Window = None,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """Short interest with its changes, records, days to cover and percentile.

    Parameters
    ----------
    si : frame from ``sc.data.load("short_interest:IWM")`` (``shares_short``).
    prices : the ETF's prices, for days to cover (optional).
    periods : report counts for the changes (1 = since the previous report).
    adv_window : trading days in the average daily volume.
    lookback : percentile window: reports (int), calendar span ("730D") or None
        (all reports to date).
    min_periods : fewest reports for a percentile (see
        :func:`~smallcaps.sentiment.extremes.percentile_rank`).

    Returns
    -------
    DataFrame on settlement dates: ``shares_short``, ``change_{k}_pct`` and
    ``change_{k}_shares`` for each ``k`` (NaN when the ``k`` steps span a missing
    report), ``highest_since``, ``lowest_since``, ``percentile``, and with prices
    ``adv`` and ``days_to_cover``; ``published`` when the input has it.
    """
    s = _shares(si)
    ps = list(periods)
    for k in ps:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"periods: expected positive integers, got {k!r}")
    gap_ok = (pd.Series(s.index, index=s.index).diff() <= _MAX_REPORT_GAP)
    out = pd.DataFrame({"shares_short": s})
    for k in ps:
        # every one of the k steps must be between consecutive reports
        ok = gap_ok.astype(float).rolling(k, min_periods=k).min() == 1
        out[f"change_{k}_pct"] = (100.0 * (s / s.shift(k) - 1.0)).where(ok)
        out[f"change_{k}_shares"] = (s - s.shift(k)).where(ok)
    out["highest_since"] = highest_since(s)
    out["lowest_since"] = lowest_since(s)
    out["percentile"] = percentile_rank(s, lookback, min_periods=min_periods)
    if prices is not None:
        out = out.join(days_to_cover(si, prices, adv_window))
    if "published" in si.columns:
        out["published"] = si["published"]
        if "usable_from" in si.columns:
            out["usable_from"] = si["usable_from"]
    out.attrs = dict(si.attrs)
    return out


def change_check(si: pd.DataFrame, tolerance: float = 0.05) -> pd.DataFrame:
    """Compare the change computed from the levels with the source's own change column.

    Parameters
    ----------
    si : frame with ``shares_short`` and ``change_from_prior_pct``.
    tolerance : allowed absolute difference in percentage points (the source
        rounds shares to about four significant figures and changes to 0.01).

    Returns
    -------
    DataFrame on settlement dates with ``computed_pct`` (``100 * (S_t/S_{t-1} - 1)``
    between consecutive reports), ``source_pct``, ``difference`` and ``match``
    (NaN for the first report, whose prior level is not in the data).
    """
    s = _shares(si)
    if "change_from_prior_pct" not in si.columns:
        raise DataError(_name(si), "missing column 'change_from_prior_pct'")
    m = short_interest_metrics(si, periods=(1,))
    src = pd.to_numeric(si["change_from_prior_pct"], errors="coerce").astype(float)
    diff = m["change_1_pct"] - src
    out = pd.DataFrame({"shares_short": s, "computed_pct": m["change_1_pct"], "source_pct": src,
                        "difference": diff})
    out["match"] = diff.abs().le(tolerance).where(diff.notna())
    return out
