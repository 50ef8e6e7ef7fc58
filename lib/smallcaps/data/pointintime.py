"""Point in time: when each observation became public, and alignment on that date.

Every non-price series carries ``published``, the real release date (never earlier
than the source's own release), and, for releases that come out after the equity
close, ``usable_from``: the first session whose close may use the value.
``load(as_of=)``, :func:`align_published`, the event studies and the briefing all
go through :func:`cut_as_of` / :func:`align_published`, which use ``usable_from``
when it is there and ``published`` otherwise.

Release rules (``SeriesSpec.release``); sources and reasoning in docs/sources.md:

- ``same_day``: prices and Cboe put/call ratios are public at the close of the
  reference date.
- ``cftc_cot``: Commitments of Traders positions as of Tuesday (Monday when the
  Tuesday is a holiday) are released on the Friday of that week at 15:30 ET,
  before the equity close, so that day's close may use them. When a US federal
  closure falls on the Wednesday, Thursday or Friday of the release week the
  release moves to the next federal business day (2024: the reports of 06-18,
  07-02, 11-26 and 12-24 came out on a Monday). Reports delayed by government
  shutdowns follow :data:`COT_EXCEPTIONAL_RELEASES`.
- ``short_interest``: FINRA disseminates short interest after the close of the
  seventh NYSE business day after the settlement date (exchange holidays
  counted); usable from the next session.
- ``finra_margin``: FINRA publishes month-end margin statistics "in the third
  week of the following month". We take the Friday of the third *full* (Monday to
  Friday) week of that month, the latest day any reading of "third week" allows,
  moved to the next NYSE session when it is a holiday; the time of day is not
  published, so the value is usable from the next session.
- ``nfib``: the NFIB survey for a month is released on the second Tuesday of the
  following month (before the open: usable that day).
- ``next_business_day``: FRED daily series (ICE BofA spreads, Treasury spreads) are
  posted the morning after the reference day: the next federal business day (federal
  holidays and closures from :mod:`smallcaps.data.calendars`).
- ``nfci``: the Chicago Fed NFCI for the week ending Friday is released the
  following Wednesday (8:30 ET), the next federal business day when that Wednesday
  is a closure.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from . import calendars
from .errors import DataError

RELEASE_RULES = ("same_day", "finra_margin", "short_interest", "cftc_cot", "nfib",
                 "next_business_day", "nfci")

#: Rules whose release comes after the equity close (value usable next session).
AFTER_CLOSE_RULES = ("finra_margin", "short_interest")

#: COT reports whose release was delayed by a lapse in federal appropriations:
#: report (as-of) date -> actual release date, from the CFTC's published catch-up
#: schedules (see docs/sources.md for the announcements).
COT_EXCEPTIONAL_RELEASES: dict[str, str] = {
    # 2018-19 shutdown: first delayed report on Fri 2019-02-01, then one report each
    # Tuesday and Friday until current (CFTC announcement of 2019-01-29); current
    # again with the 2019-03-05 report, released on its normal date 2019-03-08.
    "2018-12-24": "2019-02-01", "2018-12-31": "2019-02-05", "2019-01-08": "2019-02-08",
    "2019-01-15": "2019-02-12", "2019-01-22": "2019-02-15", "2019-01-29": "2019-02-19",
    "2019-02-05": "2019-02-22", "2019-02-12": "2019-02-26", "2019-02-19": "2019-03-01",
    "2019-02-26": "2019-03-05",
    # autumn-2025 shutdown: CFTC catch-up schedule of 2025-11-18
    "2025-09-30": "2025-11-19", "2025-10-07": "2025-11-21", "2025-10-14": "2025-11-25",
    "2025-10-21": "2025-12-02", "2025-10-28": "2025-12-05", "2025-11-04": "2025-12-09",
    "2025-11-10": "2025-12-12", "2025-11-18": "2025-12-16", "2025-11-25": "2025-12-19",
    "2025-12-02": "2025-12-23", "2025-12-09": "2025-12-30", "2025-12-16": "2026-01-06",
    "2025-12-23": "2026-01-09", "2025-12-30": "2026-01-13", "2026-01-06": "2026-01-16",
    "2026-01-13": "2026-01-20",
}  # fmt: skip

#: Backlogs whose per-report schedule was not found: every report dated inside
#: ``[first, last]`` is given ``release``, a date by which the backlog had been
#: cleared (an upper bound, so never earlier than the real release).
COT_BACKLOG_BOUNDS: tuple[tuple[str, str, str], ...] = (
    # October 2013 shutdown (2013-10-01..16): reports of 10-01, 10-08 and 10-15 were
    # withheld and released in a catch-up that ended in November 2013.
    ("2013-10-01", "2013-11-12", "2013-11-22"),
)


def _cot_release(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    # Friday of the report's week (reports are Tuesdays, or Mondays in holiday weeks)
    friday = idx + pd.to_timedelta((4 - idx.day_of_week) % 7, unit="D")
    wed = friday - pd.Timedelta(days=2)
    closures = calendars.federal_closures()
    hit = np.zeros(len(idx), dtype=bool)
    for k in range(3):  # Wednesday, Thursday, Friday of the release week
        hit |= (wed + pd.Timedelta(days=k)).isin(closures)
    out = friday.where(~hit, calendars.next_federal_business_day(friday))
    out = pd.Series(out, index=idx)
    for ref, rel in COT_EXCEPTIONAL_RELEASES.items():
        out[out.index == pd.Timestamp(ref)] = pd.Timestamp(rel)
    for first, last, rel in COT_BACKLOG_BOUNDS:
        inside = (idx >= pd.Timestamp(first)) & (idx <= pd.Timestamp(last))
        out[inside] = np.maximum(out[inside], pd.Timestamp(rel))
    return pd.DatetimeIndex(out.to_numpy())


def _finra_margin_release(idx: pd.DatetimeIndex) -> pd.DatetimeIndex:
    first = (idx.to_period("M") + 1).to_timestamp(how="start")
    first_monday = first + pd.to_timedelta((0 - first.day_of_week) % 7, unit="D")
    friday = first_monday + pd.Timedelta(days=18)  # Friday of the third full week
    return calendars.on_or_after_nyse_session(friday)


def published_dates(index: pd.DatetimeIndex, release: str) -> pd.DatetimeIndex:
    """Publication date of each reference date under a release rule.

    Parameters
    ----------
    index : reference dates (month-end for monthly series, settlement dates,
        report dates for COT...).
    release : one of :data:`RELEASE_RULES`.

    Returns
    -------
    DatetimeIndex named ``published``, same length as ``index``: the day the source
    released the value (never earlier than the real release).
    """
    idx = pd.DatetimeIndex(index).normalize()
    if release == "same_day":
        out = idx
    elif release == "finra_margin":
        out = _finra_margin_release(idx)
    elif release == "short_interest":
        out = calendars.nyse_session_offset(calendars.on_or_after_nyse_session(idx), 7)
    elif release == "cftc_cot":
        out = _cot_release(idx)
    elif release == "nfib":
        first = (idx.to_period("M") + 1).to_timestamp(how="start")
        first_tue = first + pd.to_timedelta((1 - first.day_of_week) % 7, unit="D")
        out = first_tue + pd.Timedelta(days=7)
    elif release == "next_business_day":
        out = calendars.next_federal_business_day(idx)
    elif release == "nfci":
        wednesday = idx + pd.to_timedelta((2 - idx.day_of_week) % 7 + 7 * (idx.day_of_week == 2),
                                          unit="D")
        closed = calendars.is_federal_closure(wednesday)
        out = wednesday.where(~closed, calendars.next_federal_business_day(wednesday))
    else:
        raise DataError(str(release), "unknown release rule", hint=f"use one of {RELEASE_RULES}")
    return pd.DatetimeIndex(out).as_unit("ns").rename("published")


def release_is_exact(index: pd.DatetimeIndex, release: str) -> np.ndarray:
    """True where :func:`published_dates` is the real release day, False where it is
    a conservative bound (FINRA margin statistics; COT backlogs without a schedule),
    so a text can say "published by" instead of a date that may be false."""
    idx = pd.DatetimeIndex(index).normalize()
    if release == "finra_margin":
        return np.zeros(len(idx), dtype=bool)
    out = np.ones(len(idx), dtype=bool)
    if release == "cftc_cot":
        for first, last, _ in COT_BACKLOG_BOUNDS:
            out &= ~((idx >= pd.Timestamp(first)) & (idx <= pd.Timestamp(last)))
    return out


def usable_dates(index: pd.DatetimeIndex, release: str) -> pd.DatetimeIndex:
    """First date whose close may use each value: the release day for releases
    before the close, the next NYSE session for :data:`AFTER_CLOSE_RULES`."""
    pub = published_dates(index, release)
    if release in AFTER_CLOSE_RULES:
        return calendars.next_nyse_session(pub).as_unit("ns").rename("usable_from")
    return pub.rename("usable_from")


def add_release_columns(df: pd.DataFrame, release: str) -> pd.DataFrame:
    """Add ``published`` (and ``usable_from`` for after-close releases) in place; returns ``df``."""
    df["published"] = published_dates(df.index, release)
    if release in AFTER_CLOSE_RULES:
        df["usable_from"] = usable_dates(df.index, release)
    return df


def _usable(df: pd.DataFrame) -> pd.Series:
    return df["usable_from"] if "usable_from" in df.columns else df["published"]


def cut_as_of(df: pd.DataFrame, as_of: pd.Timestamp, name: str) -> pd.DataFrame:
    """Rows usable at the close of ``as_of``: ``usable_from`` (else ``published``)
    on or before ``as_of``; for prices, rows dated up to ``as_of``."""
    if "published" in df.columns:
        out = df[_usable(df) <= as_of]
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

    For each date ``t`` of ``index`` the result holds the latest observation usable
    at ``t`` (``usable_from`` on or before ``t`` when the frame has it, else
    ``published``; ``pandas.merge_asof``, backward), so no number is used before
    it was public.

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
    meta = ("published", "usable_from")
    cols = list(columns) if columns is not None else [c for c in series.columns if c not in meta]
    right = series[cols + ["published"]].copy()
    right["_usable"] = pd.DatetimeIndex(_usable(series)).as_unit("ns")
    right["ref_date"] = series.index
    right = right.sort_values("_usable", kind="stable")
    left = pd.DataFrame({"_t": target.as_unit("ns")})
    merged = pd.merge_asof(
        left.sort_values("_t"), right, left_on="_t", right_on="_usable", direction="backward"
    )
    merged.index = pd.DatetimeIndex(merged.pop("_t"), name=target.name or "date")
    if max_age is not None:
        stale = (merged.index.to_series() - merged["_usable"]) > pd.Timedelta(max_age)
        merged.loc[stale.to_numpy(), cols] = np.nan
    out = merged.reindex(target)
    out.attrs = dict(series.attrs)
    return out[cols + ["ref_date", "published"]]
