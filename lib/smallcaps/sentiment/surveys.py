"""Survey readings (NFIB optimism, capex and hiring plans...) against their history.

There is no public feed for the NFIB Small Business Economic Trends survey: import
a CSV once (``smallcaps data import nfib.csv --as nfib`` or
``sc.data.import_csv(path, "nfib")``) and load it with ``sc.data.load("nfib")``.
The tools here take any monthly frame of survey columns:

- change over ``k`` months: ``x_t - x_{t-k}`` in the survey's own units (index
  points or net % of firms; survey balances are not ratios, so no % change);
- percentile and z-score of each reading within the lookback window ending at it;
- highest/lowest since ("capex plans matched the Covid low").
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..data.errors import DataError
from .extremes import Window, highest_since, lowest_since, percentile_rank, rolling_zscore

__all__ = ["survey_columns", "survey_latest", "survey_metrics"]

_NOT_VALUES = {"published", "usable_from", "ref_date", "year_month", "source", "notes"}


def _name(df: pd.DataFrame) -> str:
    return str((df.attrs.get("provenance") or {}).get("name", "survey"))


def survey_columns(survey: pd.DataFrame) -> list[str]:
    """The numeric value columns of a survey frame (not ``published`` and the like)."""
    if not isinstance(survey, pd.DataFrame):
        raise TypeError(f"survey: expected a DataFrame, got {type(survey).__name__}")
    return [c for c in survey.columns
            if c not in _NOT_VALUES and pd.api.types.is_numeric_dtype(survey[c])
            and not pd.api.types.is_bool_dtype(survey[c])]


def survey_metrics(
    survey: pd.DataFrame,
    column: str,
    *,
    periods: Sequence[int] = (1, 3, 12),
    lookback: Window = None,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """One survey series with changes, percentile, z-score and records.

    Parameters
    ----------
    survey : monthly frame (DatetimeIndex of reference months), e.g. ``sc.data.load("nfib")``.
    column : the series, e.g. ``"optimism"``.
    periods : months for the changes: ``x_t - x_{t-k}`` where ``t-k`` is the
        calendar month ``k`` months earlier; NaN when that month is missing from
        the data (never bridged to another month).
    lookback : percentile / z-score window: readings (int), calendar span
        (``"3650D"``) or None (all history to date).
    min_periods : fewest readings for a score.

    Returns
    -------
    DataFrame on the survey dates: ``value``, ``change_{k}`` for each ``k``,
    ``percentile``, ``zscore``, ``highest_since``, ``lowest_since`` and
    ``published`` when the input has it.
    """
    name = _name(survey)
    cols = survey_columns(survey)
    if column not in survey.columns:
        raise DataError(name, f"no column {column!r}", hint=f"value columns: {', '.join(cols) or 'none'}")
    if column not in cols:
        raise DataError(name, f"column {column!r} is not numeric")
    if not isinstance(survey.index, pd.DatetimeIndex) or not survey.index.is_unique \
            or not survey.index.is_monotonic_increasing:
        raise DataError(name, "index must be unique ascending dates")
    x = survey[column].astype(float)
    month_no = pd.Series(survey.index.year * 12 + survey.index.month, index=survey.index)
    out = pd.DataFrame({"value": x})
    for k in periods:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ValueError(f"periods: expected positive integers, got {k!r}")
        # the reading of the month k months earlier, if the data has it (never bridged)
        by_month = pd.Series(x.to_numpy(), index=month_no.to_numpy())
        prev = by_month.reindex((month_no - k).to_numpy()).to_numpy()
        out[f"change_{k}"] = x - prev
    out["percentile"] = percentile_rank(x, lookback, min_periods=min_periods)
    zmp = None if min_periods is None else max(2, int(min_periods))
    out["zscore"] = rolling_zscore(x, lookback, min_periods=zmp)
    out["highest_since"] = highest_since(x)
    out["lowest_since"] = lowest_since(x)
    if "published" in survey.columns:
        out["published"] = survey["published"]
        if "usable_from" in survey.columns:
            out["usable_from"] = survey["usable_from"]
    out.attrs = dict(survey.attrs)
    return out


def survey_latest(
    survey: pd.DataFrame,
    columns: Sequence[str] | None = None,
    *,
    lookback: Window = None,
    min_periods: int | None = None,
) -> pd.DataFrame:
    """The latest reading of each survey series against its history.

    Returns
    -------
    DataFrame indexed by series: ``date``, ``value``, ``change_1``, ``change_12``,
    ``percentile``, ``zscore``, ``highest_since``, ``lowest_since``.
    """
    rows = []
    for c in (columns or survey_columns(survey)):
        m = survey_metrics(survey, c, periods=(1, 12), lookback=lookback, min_periods=min_periods)
        valid = m.dropna(subset=["value"])
        if valid.empty:
            continue
        last = valid.iloc[-1]
        rows.append({"series": c, "date": valid.index[-1], **{
            k: last[k] for k in ("value", "change_1", "change_12", "percentile", "zscore",
                                 "highest_since", "lowest_since")}})
    return pd.DataFrame(rows).set_index("series") if rows else pd.DataFrame()
