"""The kit's one date parser: every door (notebook checks, ``smallcaps run``, grid
files, widgets, ``sc.data.load``, the technicals) turns a date-like input into a
``pandas.Timestamp`` here, so the same input gets the same answer everywhere.

Policy
------
- Text must be ISO 8601: ``YYYY-MM-DD`` (a day), ``YYYY-MM`` (the first day of a
  month), ``YYYY`` (the first day of a year), optionally followed by a time
  (``2024-01-31T15:30`` or ``2024-01-31 15:30:00``, with or without an offset).
  Anything else, including day-first or month-first forms such as ``31/01/2024``
  or ``01/02/2024``, is refused with a message that shows the ISO form: a date
  whose reading depends on the locale is never guessed.
- ``datetime.date``, ``datetime.datetime``, ``numpy.datetime64`` and
  ``pandas.Timestamp`` are accepted as they are.
- Time zones are dropped after conversion to wall time (``tz_localize(None)``):
  the kit's series are tz-naive dates.
- Wrong types raise ``TypeError``; wrong values raise ``ValueError``.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["ISO_HINT", "is_iso_text", "parse_date"]

ISO_HINT = "use ISO format: YYYY-MM-DD such as 2024-01-31, or YYYY-MM / YYYY for a month / a year"
_ISO = re.compile(
    r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def is_iso_text(text: str) -> bool:
    """True when ``text`` has one of the accepted ISO forms (not checked for a real day)."""
    return bool(_ISO.match(text.strip()))


def _hint_for(text: str) -> str:
    m = _SLASHED.match(text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), m.group(3)
        if a > 12 and b <= 12:
            return f"; if you mean day {a} of month {b}, write {y}-{b:02d}-{a:02d}"
        if b > 12 and a <= 12:
            return f"; if you mean month {a}, day {b}, write {y}-{a:02d}-{b:02d}"
        return (f"; day and month order is ambiguous: write {y}-{b:02d}-{a:02d} or "
                f"{y}-{a:02d}-{b:02d}")
    return ""


def parse_date(value: Any, what: str = "date") -> pd.Timestamp:
    """A tz-naive ``Timestamp`` from a date-like value (see the module's policy).

    Parameters
    ----------
    value : ISO text, ``date``, ``datetime``, ``numpy.datetime64`` or ``Timestamp``.
    what : how to name the input in messages (``"start"``, ``"parameter 'end'"``).

    Raises
    ------
    TypeError
        ``value`` is not text or a date type (numbers are refused: ``20240131`` is
        not read as a date).
    ValueError
        Text that is not ISO, or not a real day (``2025-02-30``), or a missing value.
    """
    if value is pd.NaT or value is None:
        raise ValueError(f"{what}: a date is required ({ISO_HINT})")
    if isinstance(value, bool) or not isinstance(
            value, (str, _dt.date, np.datetime64, pd.Timestamp)):
        raise TypeError(f"{what}: expected a date, got {type(value).__name__} {value!r} "
                        f"({ISO_HINT})")
    if isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError(f"{what}: a date is required ({ISO_HINT})")
        if not _ISO.match(text):
            raise ValueError(f"{what} {value!r} is not a date in ISO form ({ISO_HINT})"
                             f"{_hint_for(text)}")
        try:
            # YYYY and YYYY-MM are the first day of the year / month
            _dt.date.fromisoformat(text[:10] + {4: "-01-01", 7: "-01"}.get(len(text[:10]), ""))
        except ValueError as exc:
            raise ValueError(f"{what} {value!r} is not a date ({exc})") from None
        value = text
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"{what} {value!r} is not a date ({exc})") from None
    if ts is pd.NaT or pd.isna(ts):
        raise ValueError(f"{what}: a date is required, got {value!r}")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts
