"""Where is a reading against its own history? Percentile ranks, z-scores, extremes.

Every score here is computed from a window that ends at the observation itself
(the current value and earlier ones only), so a reading is never compared with
numbers that came after it. Windows are either a count of observations (``int``)
or a calendar span (``"1092D"``, a :class:`pandas.Timedelta`), which is the right
choice for series with holes in them (a 156-week window across a missing year
must not reach back four years). ``window=None`` means all history to date
(expanding).

The extreme-reading detector marks readings whose percentile (or z-score) crosses
a threshold, and the first observation of each such spell (its *onset*). Events
are dated at the observation's reference date; :func:`published_events` moves
them to the first trading day on or after the date the number became public, for
event studies that must not use a number before its release.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._core.inputs import dated_series

__all__ = [
    "PERCENTILE_KINDS",
    "Extremes",
    "detect_extremes",
    "event_table",
    "extreme_event_study",
    "highest_since",
    "latest_readings",
    "lowest_since",
    "percentile_rank",
    "published_events",
    "rolling_zscore",
    "weeks_window",
]

PERCENTILE_KINDS = ("rank", "weak", "strict", "mean")

Window = int | str | pd.Timedelta | None


# --------------------------------------------------------------------------- checks


def _check_series(x: pd.Series, name: str) -> pd.Series:
    """A float Series on clean dates (:mod:`smallcaps._core.inputs`); a one-column
    frame is accepted. Duplicate dates usually mean COT loaded with contracts='all'."""
    try:
        return dated_series(x, name, one_column_frame=True)
    except ValueError as exc:
        if "duplicate dates" in str(exc):
            raise ValueError(f"{exc}; one reading per date is needed (for COT loaded with "
                             "contracts='all', select the primary contract)") from None
        raise


def _starts(index: pd.DatetimeIndex, window: Window, name: str) -> np.ndarray:
    """Position of the first observation inside the window ending at each row."""
    n = len(index)
    pos = np.arange(n)
    if window is None:
        return np.zeros(n, dtype=int)
    if isinstance(window, bool):
        raise TypeError(f"{name}: window must be an int, a calendar span like '1092D', or None")
    if isinstance(window, (int, np.integer)):
        if window < 2:
            raise ValueError(f"{name}: window must be at least 2 observations, got {window}")
        return np.maximum(pos - int(window) + 1, 0)
    try:
        span = pd.Timedelta(window)
    except (ValueError, TypeError):
        raise ValueError(f"{name}: window {window!r} is neither an int nor a calendar span like '1092D'") from None
    if span <= pd.Timedelta(0):
        raise ValueError(f"{name}: window must be positive, got {window!r}")
    t = index.to_numpy()
    # window (t - span, t]
    return np.searchsorted(t, t - span.to_timedelta64(), side="right")


def _default_min_periods(index: pd.DatetimeIndex, window: Window) -> int:
    if window is None:
        return 2
    if isinstance(window, (int, np.integer)):
        return int(window)
    if len(index) < 2:
        return 2
    # mean spacing, so business-day series count weekends (median would say 1 day)
    step = (index[-1] - index[0]) / (len(index) - 1)
    expected = pd.Timedelta(window) / step if step > pd.Timedelta(0) else 2
    return max(2, math.ceil(0.5 * float(expected)))


def weeks_window(weeks: int) -> str:
    """Calendar span holding ``weeks`` weekly reports: ``f"{7*weeks - 3}D"``.

    A window of ``7N - 3`` days ending on a report date holds that report and the
    ``N - 1`` before it, even when a holiday moved one of them by a day, and never
    the report ``N`` weeks back.
    """
    if isinstance(weeks, bool) or not isinstance(weeks, (int, np.integer)) or weeks < 2:
        raise ValueError(f"weeks: expected an integer >= 2, got {weeks!r}")
    return f"{7 * int(weeks) - 3}D"


# --------------------------------------------------------------------------- scores


def percentile_rank(
    x: pd.Series,
    window: Window = None,
    *,
    min_periods: int | None = None,
    kind: str = "rank",
) -> pd.Series:
    """Percentile rank (0-100) of each value within the window that ends at it.

    For observation ``t`` with window values ``W`` (the current value included,
    NaNs dropped), ``left = #{w < x_t}``, ``right = #{w <= x_t}``, ``n = |W|``:

    - ``"rank"``: ``(left + right + [right > left]) * 50 / n`` (ties averaged);
    - ``"weak"``: ``100 * right / n`` (share at or below);
    - ``"strict"``: ``100 * left / n`` (share strictly below);
    - ``"mean"``: ``50 * (left + right) / n``.

    These are the definitions of ``scipy.stats.percentileofscore(W, x_t, kind)``.

    Parameters
    ----------
    x : Series on an ascending DatetimeIndex.
    window : observations (int), calendar span (``"1092D"``) or None (all history to date).
    min_periods : fewest non-NaN values in the window for a score (default: the
        window for an int; for a calendar span, half the count it holds at the
        series' mean spacing; 2 for None).
    kind : one of :data:`PERCENTILE_KINDS`.

    Returns
    -------
    Series of percentiles named ``percentile``, NaN where the value is NaN or the
    window holds too few values.
    """
    vals = _check_series(x, "x")
    if kind not in PERCENTILE_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(PERCENTILE_KINDS)}")
    starts = _starts(vals.index, window, "window")
    mp = _default_min_periods(vals.index, window) if min_periods is None else int(min_periods)
    if mp < 1:
        raise ValueError(f"min_periods: must be at least 1, got {min_periods}")
    a = vals.to_numpy(dtype=float)
    out = np.full(len(a), np.nan)
    for i in range(len(a)):
        v = a[i]
        if np.isnan(v):
            continue
        w = a[starts[i] : i + 1]
        w = w[~np.isnan(w)]
        n = len(w)
        if n < mp:
            continue
        left = int((w < v).sum())
        right = int((w <= v).sum())
        if kind == "rank":
            out[i] = (left + right + (right > left)) * 50.0 / n
        elif kind == "weak":
            out[i] = 100.0 * right / n
        elif kind == "strict":
            out[i] = 100.0 * left / n
        else:
            out[i] = 50.0 * (left + right) / n
    res = pd.Series(out, index=vals.index, name="percentile")
    res.attrs = dict(x.attrs)
    return res


def rolling_zscore(x: pd.Series, window: Window = None, *, min_periods: int | None = None) -> pd.Series:
    """Z-score of each value against the window that ends at it.

    ``z_t = (x_t - mean(W)) / std(W)`` with the sample standard deviation
    (``ddof=1``) of the window values ``W``, the current value included; NaN where
    ``std(W) = 0`` or the window holds fewer than ``min_periods`` values.

    Parameters
    ----------
    x, window, min_periods : as in :func:`percentile_rank`.

    Returns
    -------
    Series named ``zscore``.
    """
    vals = _check_series(x, "x")
    starts = _starts(vals.index, window, "window")
    mp = _default_min_periods(vals.index, window) if min_periods is None else int(min_periods)
    if mp < 2:
        raise ValueError(f"min_periods: a z-score needs at least 2 values, got {min_periods}")
    a = vals.to_numpy(dtype=float)
    out = np.full(len(a), np.nan)
    for i in range(len(a)):
        if np.isnan(a[i]):
            continue
        w = a[starts[i] : i + 1]
        w = w[~np.isnan(w)]
        if len(w) < mp:
            continue
        sd = w.std(ddof=1)
        if sd > 0:
            out[i] = (a[i] - w.mean()) / sd
    res = pd.Series(out, index=vals.index, name="zscore")
    res.attrs = dict(x.attrs)
    return res


def _since(x: pd.Series, higher: bool) -> pd.Series:
    vals = _check_series(x, "x")
    a = vals.to_numpy(dtype=float)
    idx = vals.index
    out = np.full(len(a), np.datetime64("NaT"), dtype="datetime64[ns]")
    for i in range(len(a)):
        if np.isnan(a[i]):
            continue
        prev = a[:i]
        hit = np.flatnonzero(prev >= a[i]) if higher else np.flatnonzero(prev <= a[i])
        if len(hit):
            out[i] = idx[hit[-1]].to_datetime64()
    return pd.Series(pd.DatetimeIndex(out), index=idx, name="highest_since" if higher else "lowest_since")


def highest_since(x: pd.Series) -> pd.Series:
    """For each reading, the date of the latest earlier reading at least as high.

    "Short interest is the highest since August 2022" reads: the last time it was
    this high or higher was August 2022. NaT means the reading is the highest of
    the whole record so far (or the value is NaN).
    """
    return _since(x, higher=True)


def lowest_since(x: pd.Series) -> pd.Series:
    """For each reading, the date of the latest earlier reading at least as low (NaT: record low)."""
    return _since(x, higher=False)


# --------------------------------------------------------------------------- detector


@dataclass(frozen=True)
class Extremes:
    """Extreme readings of one series.

    Attributes
    ----------
    table : DataFrame on the series' dates with ``value``, ``score`` (percentile
        or z-score), ``side`` (+1 high extreme, -1 low, 0 neither, NaN no score) and
        ``onset`` (True on the first reading of each extreme spell).
    method : "percentile" or "zscore".
    window, high, low, min_periods : the settings used.
    name : the series name.
    """

    table: pd.DataFrame
    method: str
    window: Window
    high: float
    low: float
    min_periods: int
    name: str = "series"

    def events(self, side: str = "high", onset: bool = True) -> pd.DatetimeIndex:
        """Reference dates of extreme readings (``side`` "high", "low" or "both")."""
        t = self.table
        if side not in ("high", "low", "both"):
            raise ValueError(f"side: {side!r} is not 'high', 'low' or 'both'")
        want = {"high": [1], "low": [-1], "both": [1, -1]}[side]
        mask = t["side"].isin(want)
        if onset:
            mask &= t["onset"]
        return pd.DatetimeIndex(t.index[mask.to_numpy()], name="date")

    def latest(self) -> pd.Series:
        """The last scored reading: value, score, side, and its date."""
        scored = self.table.dropna(subset=["score"])
        if scored.empty:
            return pd.Series({"date": pd.NaT, "value": np.nan, "score": np.nan, "side": np.nan})
        row = scored.iloc[-1]
        return pd.Series({"date": scored.index[-1], "value": row["value"], "score": row["score"],
                          "side": row["side"]})

    def summary(self) -> pd.DataFrame:
        """One row: readings scored, share and count of high/low readings and onsets."""
        t = self.table
        scored = t["side"].notna()
        return pd.DataFrame([{
            "series": self.name, "method": self.method, "window": self.window,
            "high": self.high, "low": self.low, "scored": int(scored.sum()),
            "high_readings": int((t["side"] == 1).sum()), "low_readings": int((t["side"] == -1).sum()),
            "high_onsets": len(self.events("high")), "low_onsets": len(self.events("low")),
        }]).set_index("series")  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def between(self, start: Any = None, end: Any = None) -> Extremes:
        """The same readings and scores restricted to ``[start, end]`` (scores are not
        recomputed, so they still use the history before ``start``)."""
        lo = None if start is None or start == "" else pd.Timestamp(start)
        hi = None if end is None or end == "" else pd.Timestamp(end)
        return dataclasses.replace(self, table=self.table.loc[lo:hi])


def detect_extremes(
    x: pd.Series,
    *,
    method: str = "percentile",
    window: Window = None,
    high: float | None = None,
    low: float | None = None,
    min_periods: int | None = None,
    kind: str = "rank",
    name: str | None = None,
) -> Extremes:
    """Mark readings that are extreme against their own trailing history.

    A reading is a *high* extreme when its score ``>= high`` and a *low* extreme
    when its score ``<= low``; the score is :func:`percentile_rank` (0-100) or
    :func:`rolling_zscore`, computed from the window ending at the reading (no
    look-ahead). The *onset* of a spell is a reading on one side whose previous
    scored reading was not on that side, so a month of readings above the
    threshold counts as one event.

    Parameters
    ----------
    x : Series on an ascending DatetimeIndex.
    method : "percentile" (defaults high=90, low=10) or "zscore" (high=2, low=-2).
    window, min_periods, kind : see :func:`percentile_rank`.
    high, low : thresholds; ``low < high``.
    name : label for summaries (default: the series name).

    Returns
    -------
    Extremes
    """
    if method not in ("percentile", "zscore"):
        raise ValueError(f"method: {method!r} is not 'percentile' or 'zscore'")
    dh, dl = (90.0, 10.0) if method == "percentile" else (2.0, -2.0)
    hi = dh if high is None else float(high)
    lo = dl if low is None else float(low)
    if not lo < hi:
        raise ValueError(f"thresholds: low ({lo}) must be below high ({hi})")
    if method == "percentile" and not (0 <= lo and hi <= 100):
        raise ValueError(f"thresholds: percentiles must lie in 0-100 (got low={lo}, high={hi})")
    vals = _check_series(x, "x")
    if method == "percentile":
        score = percentile_rank(vals, window, min_periods=min_periods, kind=kind)
    else:
        score = rolling_zscore(vals, window, min_periods=min_periods)
    s = score.to_numpy()
    side = np.where(np.isnan(s), np.nan, np.where(s >= hi, 1.0, np.where(s <= lo, -1.0, 0.0)))
    side_s = pd.Series(side, index=vals.index)
    prev = side_s.dropna().shift(1).reindex(vals.index)
    onset = (side_s.abs() == 1) & (side_s != prev)
    table = pd.DataFrame({"value": vals, "score": score, "side": side_s, "onset": onset.astype(bool)})
    table.attrs = dict(x.attrs)
    mp = _default_min_periods(vals.index, window) if min_periods is None else int(min_periods)
    label = name or (str(x.name) if x.name is not None else "series")
    return Extremes(table=table, method=method, window=window, high=hi, low=lo, min_periods=mp,
                    name=label)


def published_events(
    dates: pd.DatetimeIndex,
    published: pd.Series,
    trading_days: pd.DatetimeIndex | pd.DataFrame | pd.Series,
) -> pd.DataFrame:
    """Move events from reference dates to the first trading day they were public.

    Parameters
    ----------
    dates : reference dates of the events (e.g. ``Extremes.events()``).
    published : publication date of every reference date (the ``published``
        column of a frame from :func:`smallcaps.data.load`), indexed by reference date.
    trading_days : the trading calendar (a price frame or its index).

    Returns
    -------
    DataFrame indexed by ``trade_date`` (the first trading day on or after
    ``published``) with ``ref_date`` and ``published``. Events published after the
    last trading day are dropped; two events landing on one day are kept once.
    """
    if isinstance(trading_days, (pd.DataFrame, pd.Series)):
        trading_days = trading_days.index
    td = pd.DatetimeIndex(trading_days)
    if not td.is_monotonic_increasing:
        raise ValueError("trading_days: must be ascending")
    if not isinstance(published, pd.Series):
        raise TypeError("published: expected the 'published' column (a Series indexed by reference date)")
    dates = pd.DatetimeIndex(dates)
    missing = dates.difference(published.index)
    if len(missing):
        raise ValueError(f"published: no publication date for {', '.join(str(d.date()) for d in missing[:5])}")
    pub = pd.DatetimeIndex(published.reindex(dates).to_numpy())
    pos = td.searchsorted(pub, side="left")
    keep = pos < len(td)
    out = pd.DataFrame({
        "ref_date": dates[keep], "published": pub[keep],
    }, index=pd.DatetimeIndex(td[pos[keep]], name="trade_date"))  # fmt: skip
    return out[~out.index.duplicated(keep="first")]


def extreme_event_study(
    extremes: Extremes,
    prices: pd.DataFrame | pd.Series,
    published: pd.Series | None = None,
    *,
    side: str = "high",
    horizons: Sequence[int] = (21, 63, 126),
    kind: str = "simple",
    column: str = "close",
    **options: Any,
) -> Any:
    """Forward index returns after the onsets of extreme readings, dated by publication.

    Each onset's reference date is moved to the first trading day on or after its
    publication date (:func:`published_events`), and
    :func:`smallcaps.stats.event_study` measures the forward returns from that
    day's close against the returns after every day.

    Parameters
    ----------
    extremes : from :func:`detect_extremes`.
    prices : index prices (frame with ``column``, or a close Series).
    published : publication date by reference date (the loaded frame's
        ``published`` column); None when the readings were public on their own date.
    side : "high", "low" or "both".
    horizons : trading days ahead (21, 63, 126 are about 1, 3 and 6 months).
    kind, column, **options : passed to ``event_study`` (``min_gap``, ``n_boot``...).

    Returns
    -------
    smallcaps.stats.EventStudyResult
    """
    from ..stats import event_study

    dates = extremes.events(side)
    if published is None:
        published = pd.Series(extremes.table.index, index=extremes.table.index)
    trading = prices.index if isinstance(prices, (pd.Series, pd.DataFrame)) else prices
    ev = published_events(dates, published, trading)
    return event_study(ev.index, prices, tuple(horizons), kind=kind, column=column,
                       name=f"{extremes.name}, {side} extreme", **options)


def event_table(results: Mapping[Any, Any]) -> pd.DataFrame:
    """Event-study summaries side by side.

    Parameters
    ----------
    results : label (e.g. a ``(series, side)`` tuple) -> ``EventStudyResult``.

    Returns
    -------
    DataFrame indexed by (label..., horizon) with ``n_events``, ``mean``,
    ``baseline_mean``, ``difference``, ``hit_rate``, ``p_value`` and ``note``.
    """
    cols = ["n_events", "mean", "baseline_mean", "difference", "hit_rate", "p_value", "note"]
    parts = {k: r.summary()[[c for c in cols if c in r.summary().columns]] for k, r in results.items()}
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, sort=False)


def latest_readings(extremes: Mapping[str, Extremes]) -> pd.DataFrame:
    """The latest reading of each series and where it stands against its history.

    Returns
    -------
    DataFrame indexed by series: ``date`` (of the last scored reading), ``value``,
    ``score``, ``reading`` ("high extreme", "low extreme", "normal", or "not
    scored" when the history is too short), ``last_data`` (last date with data)
    and ``high_onsets`` / ``low_onsets`` in the whole history.
    """
    rows = []
    for label, ex in extremes.items():
        last = ex.latest()
        side = last["side"]
        reading = ("not scored" if pd.isna(side) else
                   {1.0: "high extreme", -1.0: "low extreme"}.get(float(side), "normal"))
        valid = ex.table["value"].dropna()
        rows.append({"series": label, "date": last["date"], "value": last["value"],
                     "score": last["score"], "reading": reading,
                     "last_data": valid.index[-1] if len(valid) else pd.NaT,
                     "high_onsets": len(ex.events("high")), "low_onsets": len(ex.events("low"))})
    cols = ["date", "value", "score", "reading", "last_data", "high_onsets", "low_onsets"]
    if not rows:
        return pd.DataFrame(columns=cols, index=pd.Index([], name="series"))
    return pd.DataFrame(rows).set_index("series")[cols]
