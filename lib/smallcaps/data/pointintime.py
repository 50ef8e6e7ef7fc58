"""Point in time: when each observation became public, and alignment on that date.

Release rules (``SeriesSpec.release``), chosen to be conservative (never earlier
than the real release):

- ``same_day``: prices and Cboe put/call ratios are public at the close of the
  reference date.
- ``finra_margin``: FINRA publishes month-end margin statistics in the third week
  of the following month; we take the 21st of that month (the last day of the
  third week), rolled forward to a business day.
- ``short_interest``: exchanges publish short interest about eight business days
  after the settlement date.
- ``cftc_cot``: Commitments of Traders positions as of Tuesday are released the
  following Friday (15:30 ET, before the equity close, so that Friday's close can
  use them). Holiday-delayed releases are not modelled.
- ``nfib``: the NFIB survey for a month is released on the second Tuesday of the
  following month.
- ``next_business_day``: FRED daily series (ICE BofA spreads, Treasury spreads) are
  posted the morning after the reference day: usable from the next business day.
- ``nfci``: the Chicago Fed NFCI for the week ending Friday is released the
  following Wednesday (8:30 ET).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .errors import DataError

RELEASE_RULES = ("same_day", "finra_margin", "short_interest", "cftc_cot", "nfib",
                 "next_business_day", "nfci")


def published_dates(index: pd.DatetimeIndex, release: str) -> pd.DatetimeIndex:
    """Publication date of each reference date under a release rule.

    Parameters
    ----------
    index : reference dates (month-end for monthly series, settlement dates,
        Tuesdays for COT...).
    release : one of :data:`RELEASE_RULES`.

    Returns
    -------
    DatetimeIndex named ``published``, same length as ``index``.
    """
    idx = pd.DatetimeIndex(index)
    bday = pd.offsets.BDay()
    if release == "same_day":
        out = idx
    elif release == "finra_margin":
        next_month = idx.to_period("M") + 1
        day21 = next_month.to_timestamp(how="start") + pd.Timedelta(days=20)
        out = pd.DatetimeIndex([d if d.weekday() < 5 else d + bday for d in day21])
    elif release == "short_interest":
        out = idx + 8 * bday
    elif release == "cftc_cot":
        # Friday of the same week as the Tuesday reference date (or the next Friday)
        out = idx + pd.to_timedelta((4 - idx.day_of_week) % 7, unit="D")
    elif release == "nfib":
        first = (idx.to_period("M") + 1).to_timestamp(how="start")
        first_tue = first + pd.to_timedelta((1 - first.day_of_week) % 7, unit="D")
        out = first_tue + pd.Timedelta(days=7)
    elif release == "next_business_day":
        out = idx + bday
    elif release == "nfci":
        out = idx + pd.to_timedelta((2 - idx.day_of_week) % 7 + 7 * (idx.day_of_week == 2), unit="D")
    else:
        raise DataError(str(release), "unknown release rule", hint=f"use one of {RELEASE_RULES}")
    return pd.DatetimeIndex(out).rename("published")


def cut_as_of(df: pd.DataFrame, as_of: pd.Timestamp, name: str) -> pd.DataFrame:
    """Rows already public on ``as_of``: ``published <= as_of`` (or date <= as_of for prices)."""
    if "published" in df.columns:
        out = df[df["published"] <= as_of]
    else:
        out = df[df.index <= as_of]
    if out.empty:
        raise DataError(name, f"nothing had been published by {as_of.date()}")
    return out


def align_published(
    series: pd.DataFrame,
    index: pd.DatetimeIndex | pd.Series | pd.DataFrame,
    columns: Sequence[str] | None = None,
    max_age: pd.Timedelta | str | None = None,
) -> pd.DataFrame:
    """Align a slow series onto a (daily) index by publication date.

    For each date ``t`` of ``index`` the result holds the latest observation whose
    ``published`` date is on or before ``t`` (``pandas.merge_asof``, backward), so
    no number is used before it was public.

    Parameters
    ----------
    series : frame with a DatetimeIndex of reference dates and a ``published``
        column (as returned by ``smallcaps.data.load`` for non-price series).
    index : the target dates (a DatetimeIndex, or a frame/series whose index is used).
    columns : value columns to carry (default: all but ``published``).
    max_age : optional limit: observations published longer ago than this are
        treated as missing (NaN) instead of carried forward indefinitely.

    Returns
    -------
    DataFrame indexed by ``index`` with the value columns plus ``ref_date`` (the
    observation's reference date) and ``published``. Dates before the first
    publication are NaN/NaT.
    """
    if isinstance(index, (pd.Series, pd.DataFrame)):
        index = index.index
    target = pd.DatetimeIndex(index)
    if "published" not in series.columns:
        raise DataError(str(series.attrs.get("provenance", {}).get("name", "series")),
                        "no 'published' column to align on",
                        hint="load it with smallcaps.data.load, which adds publication dates")
    cols = list(columns) if columns is not None else [c for c in series.columns if c != "published"]
    right = series[cols + ["published"]].copy()
    right["ref_date"] = series.index
    right = right.sort_values("published", kind="stable")
    left = pd.DataFrame({"_t": target.values})
    merged = pd.merge_asof(
        left.sort_values("_t"), right, left_on="_t", right_on="published", direction="backward"
    )
    merged.index = pd.DatetimeIndex(merged.pop("_t"), name=target.name or "date")
    if max_age is not None:
        stale = (merged.index.to_series() - merged["published"]) > pd.Timedelta(max_age)
        merged.loc[stale.to_numpy(), cols] = np.nan
    out = merged.reindex(target)
    out.attrs = dict(series.attrs)
    return out[cols + ["ref_date", "published"]]
