"""Business calendars behind the release rules: NYSE sessions and US federal closures.

- NYSE sessions come from ``exchange_calendars`` (calendar ``XNYS``), which carries
  the unscheduled closures (2001-09-11..14, 2012-10-29/30, the national days of
  mourning) as well as the regular holidays.
- US federal closures (the CFTC's working days) are pandas'
  ``USFederalHolidayCalendar`` (Juneteenth from 2021) plus the ad hoc closures
  below: executive-order days off and national days of mourning. A closure that
  did not stop the CFTC can only make a computed release date later, never earlier.
"""

from __future__ import annotations

import contextlib
import hashlib
import warnings
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
from pandas.tseries.holiday import USFederalHolidayCalendar

from .. import config
from .._core.atomic import atomic_write

#: first date from which ``exchange_calendars`` lists NYSE holidays; earlier dates
#: count every weekday as a session (the package itself does the same)
NYSE_HOLIDAYS_FROM = pd.Timestamp("1970-01-01")
_NYSE_START = "1970-01-02"
_EARLY_START = "1900-01-01"
_NYSE_END = "2040-12-31"

#: Federal offices closed by executive order or for a national day of mourning
#: (OPM announcements); 2012-10-29/30 is the Hurricane Sandy closure in Washington.
FEDERAL_AD_HOC_CLOSURES: tuple[tuple[str, str], ...] = (
    ("2004-06-11", "national day of mourning, President Reagan"),
    ("2007-01-02", "national day of mourning, President Ford"),
    ("2007-12-24", "executive order (Christmas Eve)"),
    ("2008-12-26", "executive order (day after Christmas)"),
    ("2012-10-29", "Hurricane Sandy: Washington federal offices closed"),
    ("2012-10-30", "Hurricane Sandy: Washington federal offices closed"),
    ("2012-12-24", "executive order (Christmas Eve)"),
    ("2014-12-26", "executive order (day after Christmas)"),
    ("2015-12-24", "executive order (Christmas Eve)"),
    ("2018-12-05", "national day of mourning, President George H. W. Bush"),
    ("2018-12-24", "executive order (Christmas Eve)"),
    ("2019-12-24", "executive order (Christmas Eve)"),
    ("2020-12-24", "executive order (Christmas Eve)"),
    ("2024-12-24", "executive order (Christmas Eve)"),
    ("2025-01-09", "national day of mourning, President Carter"),
    ("2025-12-24", "executive order (Christmas Eve)"),
    ("2025-12-26", "executive order (day after Christmas)"),
)


def _stored(name: str, compute: Callable[[], pd.DatetimeIndex],
            index_name: str | None) -> pd.DatetimeIndex:
    """``compute()``, kept in the cache folder (``calendars/``) between processes.

    Building the NYSE and federal calendars from their holiday rules costs 0.3-0.6 s
    in every process that needs a release date (every notebook kernel, measured). The
    file name carries a hash of what the dates depend on (the packages' versions, the
    date range and the ad hoc closures), so an upgrade or an edit computes them
    again; an unreadable or odd file is recomputed and replaced, and a cache folder
    that cannot be written only costs the time.
    """
    from importlib.metadata import version

    key = hashlib.sha256(repr((
        name, version("exchange_calendars"), pd.__version__, _NYSE_START, _EARLY_START,
        _NYSE_END, FEDERAL_AD_HOC_CLOSURES)).encode()).hexdigest()[:16]
    path = config.cache() / "calendars" / f"{name}-{key}.npy"
    try:
        values = np.load(path, allow_pickle=False)
        if values.dtype == np.dtype("datetime64[ns]") and values.ndim == 1 and len(values) \
                and bool(np.all(np.diff(values) > np.timedelta64(0, "ns"))):
            return pd.DatetimeIndex(values, name=index_name)
    except (OSError, ValueError):
        pass
    dates = compute()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda fh: np.save(fh, dates.to_numpy("datetime64[ns]"),
                                              allow_pickle=False))
    return dates


@lru_cache(maxsize=1)
def _xnys():
    import exchange_calendars as xcals  # heavy import, kept out of ``import smallcaps``

    with warnings.catch_warnings():  # the package's own pandas deprecation notices
        warnings.simplefilter("ignore")
        return xcals.get_calendar("XNYS", start=_NYSE_START, end=_NYSE_END)


@lru_cache(maxsize=1)
def nyse_sessions() -> pd.DatetimeIndex:
    """NYSE sessions (tz-naive dates) to 2040: ``exchange_calendars`` from 1970, every
    weekday from 1900 to 1969 (the package lists no holidays before 1970)."""
    return _stored("nyse-sessions", _nyse_sessions, "date")


def _nyse_sessions() -> pd.DatetimeIndex:
    sessions = pd.DatetimeIndex(_xnys().sessions)
    if sessions.tz is not None:
        sessions = sessions.tz_localize(None)
    early = pd.bdate_range(_EARLY_START, NYSE_HOLIDAYS_FROM - pd.Timedelta(days=1))
    return early.append(sessions.normalize()).as_unit("ns").rename("date")


def nyse_sessions_between(start, end) -> pd.DatetimeIndex:
    """NYSE sessions with ``start <= date <= end``."""
    s = nyse_sessions()
    return s[(s >= pd.Timestamp(start)) & (s <= pd.Timestamp(end))]


def nyse_closures_between(start, end) -> pd.DatetimeIndex:
    """Weekdays in ``[start, end]`` on which the NYSE did not trade (holidays and
    unscheduled closures such as 2001-09-11..14 or 2012-10-29/30)."""
    days = pd.bdate_range(pd.Timestamp(start), pd.Timestamp(end))
    return days.difference(nyse_sessions_between(start, end))


def nyse_session_offset(dates: pd.DatetimeIndex, n: int) -> pd.DatetimeIndex:
    """The ``n``-th NYSE session after each date (n >= 1); a non-session date counts
    from the session before it, so ``n=1`` is always the next session."""
    s = nyse_sessions()
    d = pd.DatetimeIndex(dates).normalize()
    pos = s.searchsorted(d, side="right") - 1 + n
    if (pos >= len(s)).any() or (pos < 0).any():
        raise ValueError(f"dates outside the NYSE calendar ({_EARLY_START}..{_NYSE_END})")
    return pd.DatetimeIndex(s[pos])


def next_nyse_session(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The first NYSE session strictly after each date."""
    return nyse_session_offset(dates, 1)


def on_or_after_nyse_session(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """Each date if it is a NYSE session, else the next session."""
    s = nyse_sessions()
    d = pd.DatetimeIndex(dates).normalize()
    return pd.DatetimeIndex(s[s.searchsorted(d, side="left")])


@lru_cache(maxsize=1)
def federal_closures() -> pd.DatetimeIndex:
    """US federal closures 1970-2040: federal holidays (observed) plus the ad hoc list."""
    return _stored("federal-closures", _federal_closures, None)


def _federal_closures() -> pd.DatetimeIndex:
    regular = USFederalHolidayCalendar().holidays("1970-01-01", "2040-12-31")
    ad_hoc = pd.DatetimeIndex([d for d, _ in FEDERAL_AD_HOC_CLOSURES])
    return regular.union(ad_hoc).normalize().as_unit("ns")


def next_federal_business_day(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The first federal business day (no weekend, no :func:`federal_closures`) strictly
    after each date."""
    d = pd.DatetimeIndex(dates).normalize().values.astype("datetime64[D]")
    hol = federal_closures().values.astype("datetime64[D]")
    nxt = np.busday_offset(d + np.timedelta64(1, "D"), 0, roll="forward", holidays=hol)
    return pd.DatetimeIndex(nxt.astype("datetime64[ns]"))


def is_federal_closure(dates: pd.DatetimeIndex) -> np.ndarray:
    """True where a date is a weekend day or a federal closure."""
    d = pd.DatetimeIndex(dates).normalize()
    return np.asarray((d.day_of_week >= 5) | d.isin(federal_closures()))
