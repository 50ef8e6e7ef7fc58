"""Input checks shared by the technicals modules.

Every public function validates its inputs here first, so a bad input fails with
one sentence naming the argument and what is wrong with it, instead of a NaN wall
or a traceback from deep inside pandas. Series and dates go through the kit's one
input layer, :mod:`smallcaps._core.inputs` (TypeError for wrong types, ValueError for
wrong values).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .._core.dates import parse_date
from .._core.inputs import check_dates, values


def series_name(obj: pd.Series | pd.DataFrame, default: str = "series") -> str:
    """The catalog name from provenance, else the object's name, else ``default``."""
    prov = getattr(obj, "attrs", {}).get("provenance") or {}
    name = prov.get("name") if isinstance(prov, dict) else None
    if name:
        return str(name)
    if isinstance(obj, pd.Series) and obj.name is not None:
        return str(obj.name)
    return default


def as_close(x: Any, arg: str = "close", column: str = "close") -> pd.Series:
    """A float Series from a Series or from a price frame's ``column`` (any index).

    The kit's one input policy (:mod:`smallcaps._core.inputs`): ``TypeError`` for a
    wrong type, ``ValueError`` for wrong values; no copy of the data.
    """
    return values(x, arg, column)


def check_index(obj: pd.Series | pd.DataFrame, arg: str) -> None:
    """Require a tz-naive, ascending, unique DatetimeIndex (:func:`_core.inputs.check_dates`)."""
    check_dates(obj, arg)


def check_window(value: Any, arg: str = "window", minimum: int = 1) -> int:
    """An int window of at least ``minimum`` bars (bools rejected)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{arg}: expected an integer number of bars, got "
                        f"{type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{arg}={value}: must be at least {minimum}")
    return int(value)


def check_fraction(value: Any, arg: str, lo: float = 0.0, hi: float = 1.0,
                   inclusive_lo: bool = False) -> float:
    """A float in (lo, hi] (or [lo, hi] when ``inclusive_lo``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{arg}: expected a number, got {type(value).__name__} {value!r}")
    v = float(value)
    ok = (lo <= v if inclusive_lo else lo < v) and v <= hi and np.isfinite(v)
    if not ok:
        left = "[" if inclusive_lo else "("
        raise ValueError(f"{arg}={value!r}: must be in {left}{lo}, {hi}]")
    return v


def valid_block(s: pd.Series, arg: str, need: int, what: str) -> tuple[int, np.ndarray]:
    """Position of the first non-missing value and the values from there on.

    Leading missing values are allowed (an indicator of an indicator starts late);
    missing values after the first valid one are not, because a recursive average
    cannot step over them.

    Raises
    ------
    ValueError
        If fewer than ``need`` values remain, or a value is missing inside the series.
    """
    values = s.to_numpy(dtype="float64", na_value=np.nan)
    if len(values) >= need and np.isfinite(values.sum()):  # fast path: nothing missing
        return 0, values
    finite = np.isfinite(values)
    if not finite.any():
        raise ValueError(f"{what} needs at least {need} values; {arg} has no valid values")
    first = int(np.argmax(finite))
    block = values[first:]
    bad = ~finite[first:]
    if bad.any():
        pos = first + int(np.argmax(bad))
        label = s.index[pos]
        label = f"{label:%Y-%m-%d}" if isinstance(label, pd.Timestamp) else str(label)
        raise ValueError(f"{arg}: {int(bad.sum())} missing or infinite value(s) inside the "
                         f"series (first at {label}); drop or fill them before {what}")
    if len(block) < need:
        raise ValueError(f"{what} needs at least {need} values; {arg} has {len(block)}")
    return first, block


def price_frame(df: Any, arg: str = "prices", need: Iterable[str] = ("high", "low", "close"),
                min_rows: int = 1, what: str = "this calculation",
                check_missing: bool = True) -> pd.DataFrame:
    """Check a contract price frame: the columns needed, float values, dates, enough rows.

    ``check_missing=False`` skips the scan for missing values, for callers whose own
    pass over the data detects them (and then call again with the check for the message).
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{arg}: expected a price DataFrame, got {type(df).__name__}")
    need = list(need)
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise ValueError(f"{arg}: missing column(s) {', '.join(missing)} "
                         f"(has {', '.join(map(str, df.columns))})")
    check_index(df, arg)
    if len(df) < min_rows:
        raise ValueError(f"{what} needs at least {min_rows} bars; {arg} has {len(df)}")
    for c in need:
        if c == "volume":
            continue
        if not pd.api.types.is_numeric_dtype(df[c].dtype):
            raise ValueError(f"{arg}: column {c!r} must be numeric, got dtype {df[c].dtype}")
        if check_missing and not np.isfinite(df[c].to_numpy("float64").sum()) and df[c].isna().any():
            first = df.index[df[c].isna().to_numpy()][0]
            raise ValueError(f"{arg}: column {c!r} has {int(df[c].isna().sum())} missing "
                             f"value(s) (first at {first:%Y-%m-%d}); drop those rows first")
    return df


def window_slice(df: pd.DataFrame | pd.Series, start: Any, end: Any, arg: str = "prices",
                 min_rows: int = 1, what: str = "this calculation") -> pd.DataFrame | pd.Series:
    """Rows of ``df`` between ``start`` and ``end`` (inclusive), with a clear error if too few."""
    s = None if start is None or start == "" else to_timestamp(start, "start")
    e = None if end is None or end == "" else to_timestamp(end, "end")
    if s is not None and e is not None and s > e:
        raise ValueError(f"start {s:%Y-%m-%d} is after end {e:%Y-%m-%d}")
    out = df.loc[s:e]
    if len(out) < min_rows:
        span = (f"between {s:%Y-%m-%d} and {e:%Y-%m-%d}" if s is not None and e is not None
                else f"from {s:%Y-%m-%d}" if s is not None
                else f"up to {e:%Y-%m-%d}" if e is not None else "in total")
        raise ValueError(f"{what} needs at least {min_rows} bars; {arg} has {len(out)} {span}")
    return out


def to_timestamp(value: Any, arg: str) -> pd.Timestamp:
    """A tz-naive Timestamp from a date-like value (the kit's one date parser, ISO only).

    Raises ``ValueError`` naming ``arg`` for bad text, ``TypeError`` for a non-date type.
    """
    return parse_date(value, what=arg)


def keep_attrs(out: pd.Series | pd.DataFrame, src: Any) -> pd.Series | pd.DataFrame:
    """Copy provenance attrs from ``src`` onto ``out``; return ``out``."""
    out.attrs = dict(getattr(src, "attrs", {}))
    return out
