"""Inputs into clean series: one policy for the whole kit.

Every analysis function that takes a price frame or a dated series turns it into a
float Series here, so a bad input fails the same way wherever it enters:

- ``TypeError`` when the input is of the wrong *type*: not a pandas Series or
  DataFrame (or a DataFrame where one series is needed), or an index that is not a
  ``DatetimeIndex``.
- ``ValueError`` when the values are wrong: a missing column, non-numeric values,
  a time-zone-aware index, duplicate or unsorted dates, missing values where none
  may be, non-positive prices, too few observations. The message names the argument,
  the rule and the first offending rows.
- Nothing is repaired silently: unsorted dates are refused, never sorted; missing
  values are dropped only where the caller asks (``dropna=True``) and says so in its
  docstring.
- Nothing is copied that need not be: a float64 column is returned as is (pandas'
  copy-on-write protects the caller's data); the input's ``attrs`` (provenance)
  travel with the result.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["check_dates", "dated_series", "values"]


def _days(index: pd.Index, mask: np.ndarray, limit: int = 5) -> str:
    picked = index[mask][:limit]
    return ", ".join(f"{d:%Y-%m-%d}" if isinstance(d, pd.Timestamp) else str(d) for d in picked)


def values(obj: Any, arg: str = "close", column: str = "close", *,
           one_column_frame: bool = False) -> pd.Series:
    """A float64 Series from a Series, or from a frame's ``column`` (any index).

    Parameters
    ----------
    obj : Series, or DataFrame holding ``column``.
    arg : the argument's name, for messages.
    column : the column of a frame.
    one_column_frame : accept a DataFrame with a single column (of any name).

    Raises
    ------
    TypeError
        If ``obj`` is neither a Series nor a DataFrame.
    ValueError
        If the frame lacks ``column`` or the values are not numeric.
    """
    if isinstance(obj, pd.DataFrame):
        if one_column_frame and obj.shape[1] == 1:
            s = obj.iloc[:, 0]
        elif column in obj.columns:
            s = obj[column]
        else:
            raise ValueError(f"{arg}: a frame needs a {column!r} column "
                             f"(has {', '.join(map(str, obj.columns))})")
    elif isinstance(obj, pd.Series):
        s = obj
    else:
        raise TypeError(f"{arg}: expected a pandas Series or DataFrame, got {type(obj).__name__}")
    if not (pd.api.types.is_numeric_dtype(s.dtype) and not pd.api.types.is_bool_dtype(s.dtype)):
        raise ValueError(f"{arg}: values must be numeric, got dtype {s.dtype}")
    out = s.astype("float64")  # a lazy copy under copy-on-write: no data copied
    out.attrs = dict(getattr(obj, "attrs", {}))
    return out


def check_dates(obj: pd.Series | pd.DataFrame, arg: str) -> None:
    """Require a tz-naive, ascending, unique DatetimeIndex.

    Raises
    ------
    TypeError
        If the index is not a DatetimeIndex.
    ValueError
        If it is time-zone aware, not ascending, or has duplicate dates.
    """
    idx = obj.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise TypeError(f"{arg}: needs a DatetimeIndex of dates, got {type(idx).__name__}")
    if idx.tz is not None:
        raise ValueError(f"{arg}: the dates must be tz-naive (got time zone {idx.tz})")
    if not idx.is_unique:
        raise ValueError(f"{arg}: duplicate dates ({_days(idx, idx.duplicated())})")
    if not idx.is_monotonic_increasing:
        bad = np.r_[False, np.diff(idx.asi8) < 0]
        raise ValueError(f"{arg}: dates are not in ascending order (first out of order: "
                         f"{_days(idx, bad, 1)}); sort the index first")


def dated_series(obj: Any, arg: str, column: str = "close", *, dropna: bool = False,
                 positive: bool = False, finite: bool = False, min_obs: int = 0,
                 one_column_frame: bool = False) -> pd.Series:
    """A float64 Series on a clean DatetimeIndex, by the policy of this module.

    Parameters
    ----------
    obj : Series, or DataFrame holding ``column``.
    arg : the argument's name, for messages.
    column : the column of a frame.
    dropna : drop missing values (the caller's documented choice); otherwise they stay.
    positive : require every (non-missing) value to be > 0 (prices, balances, ratios).
    finite : refuse infinite values.
    min_obs : least number of non-missing values.
    one_column_frame : accept a DataFrame with a single column.

    Raises
    ------
    TypeError, ValueError
        See the module docstring.
    """
    s = values(obj, arg, column, one_column_frame=one_column_frame)
    check_dates(s, arg)
    if dropna:
        s = s.dropna()
    v = s.to_numpy()
    if finite or positive:
        bad = np.isinf(v)
        if bad.any():
            raise ValueError(f"{arg}: infinite values on {_days(s.index, bad)}")
    if positive:
        bad = v <= 0  # NaN compares False: missing values are not flagged here
        if bad.any():
            raise ValueError(f"{arg}: values must be positive; {int(bad.sum())} are not "
                             f"(first on {_days(s.index, bad, 1)})")
    if min_obs:
        n = int(np.isfinite(v).sum())
        if n < min_obs:
            raise ValueError(f"{arg}: {n} non-missing values; need at least {min_obs}")
    return s
