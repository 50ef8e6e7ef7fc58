"""Validation of notebook parameters.

Every notebook's parameters cell is followed by one call::

    p = sc.params.check(
        symbol=(symbol, sc.params.symbol()),
        start=(start, sc.params.date(optional=True)),
        end=(end, sc.params.date(optional=True)),
        window=(window, sc.params.integer(min=2)),
        order=[("start", "end")],
    )

which returns the normalised values (dates as ``pandas.Timestamp``) or raises
:class:`ParameterError` naming the parameter and what is wrong with it.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pandas as pd

Validator = Callable[[str, Any], Any]


class ParameterError(ValueError):
    """A notebook or CLI parameter has a bad value."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(f"parameter {name!r}: {problem}")


def check(
    order: Sequence[tuple[str, str]] = (), **params: tuple[Any, Validator]
) -> dict[str, Any]:
    """Validate and normalise parameters.

    Parameters
    ----------
    order : sequence of (name, name)
        Pairs that must be increasing, e.g. ``[("start", "end")]``; pairs with a
        ``None`` side are skipped.
    **params : (value, validator)
        Each parameter's value and the validator made by one of this module's
        factories.

    Returns
    -------
    dict
        Normalised values by name.

    Raises
    ------
    ParameterError
        On the first bad value, naming it.
    """
    out = {name: validate(name, value) for name, (value, validate) in params.items()}
    for a, b in order:
        va, vb = out.get(a), out.get(b)
        if va is not None and vb is not None and not va < vb:
            raise ParameterError(b, f"must be after {a} ({va} >= {vb})")
    return out


def _type_name(v: Any) -> str:
    return type(v).__name__


def symbol(kind: str | None = "prices", allow: Iterable[str] | None = None) -> Validator:
    """A catalog series name (of ``kind``, or from ``allow``), case-insensitive.

    For ``kind="prices"`` without ``allow``, any valid Yahoo Finance / Stooq ticker
    (``AAPL``, ``IJR``) or registered price series is accepted too, when its data is in
    the snapshot or the cache, or can be pulled on demand (``SMALLCAPS_OFFLINE`` off).
    """

    def validate(name: str, value: Any) -> str:
        from .data.catalog import CATALOG

        if allow is not None:
            choices = list(allow)
        else:
            choices = [s.name for s in CATALOG.values() if kind is None or s.kind == kind]
        if not isinstance(value, str):
            raise ParameterError(name, f"expected a series name, got {_type_name(value)} {value!r}")
        folded = {c.lower(): c for c in choices}
        if value.lower() in folded:
            return folded[value.lower()]
        if allow is None and kind == "prices":
            # any Yahoo/Stooq ticker or registered price series is a price symbol (issue 11)
            from .data.catalog import spec
            from .data.errors import DataError

            try:
                sp = spec(value)
            except DataError:
                sp = None
            if sp is not None and sp.kind == "prices" and _obtainable(sp.name):
                return sp.name
        close = difflib.get_close_matches(value.lower(), list(folded), n=3, cutoff=0.5)
        hint = f"; did you mean {' or '.join(folded[c] for c in close)}?" if close else ""
        also = ("; any ticker works once its data is in the snapshot or the cache "
                "(smallcaps data pull SYMBOL) or when online" if allow is None and kind == "prices" else "")
        raise ParameterError(
            name, f"{value!r} is not one of {', '.join(choices)}{hint}{also}"
        )

    return validate


def _obtainable(name: str) -> bool:
    """A ticker outside the catalog is accepted when its data is at hand (snapshot, cache,
    registry) or can be pulled on demand (online); offline, a typo still fails here."""
    from . import config
    from .data import registry
    from .data.errors import DataError
    from .data.loader import available

    try:
        return (available(name) is not None or registry.get(name) is not None
                or not config.offline())
    except DataError:
        return False


def date(optional: bool = False) -> Validator:
    """An ISO date string (or None when ``optional``); returns a Timestamp."""

    def validate(name: str, value: Any) -> pd.Timestamp | None:
        if value is None or (isinstance(value, str) and value.strip() == ""):
            if optional:
                return None
            raise ParameterError(name, "a date is required (ISO format, e.g. 2024-01-31)")
        if not isinstance(value, (str, pd.Timestamp)) and not hasattr(value, "isoformat"):
            raise ParameterError(name, f"expected an ISO date string, got {_type_name(value)} {value!r}")
        try:
            ts = pd.Timestamp(value)
        except (ValueError, TypeError):
            raise ParameterError(name, f"{value!r} is not a date (use ISO format, e.g. 2024-01-31)") from None
        if ts is pd.NaT or pd.isna(ts):
            raise ParameterError(name, f"{value!r} is not a date")
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        if not pd.Timestamp("1900-01-01") <= ts <= pd.Timestamp("2100-01-01"):
            raise ParameterError(name, f"{value!r} is outside 1900-2100")
        return ts

    return validate


def integer(min: int | None = None, max: int | None = None) -> Validator:
    """An int within [min, max] (bools are rejected)."""

    def validate(name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ParameterError(name, f"expected an integer, got {_type_name(value)} {value!r}")
        _bounds(name, value, min, max)
        return value

    return validate


def number(min: float | None = None, max: float | None = None) -> Validator:
    """A float or int within [min, max]."""

    def validate(name: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ParameterError(name, f"expected a number, got {_type_name(value)} {value!r}")
        if value != value:  # NaN
            raise ParameterError(name, "is NaN")
        _bounds(name, value, min, max)
        return float(value)

    return validate


def choice(*choices: Any) -> Validator:
    """One of the given values."""

    def validate(name: str, value: Any) -> Any:
        if value not in choices:
            raise ParameterError(name, f"{value!r} is not one of {', '.join(map(repr, choices))}")
        return value

    return validate


def int_list(min: int | None = None, max: int | None = None, min_len: int = 1) -> Validator:
    """A list of ints, each within [min, max]."""

    def validate(name: str, value: Any) -> list[int]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise ParameterError(name, f"expected a list of integers, got {_type_name(value)} {value!r}")
        items = list(value)
        if len(items) < min_len:
            raise ParameterError(name, f"needs at least {min_len} value(s)")
        for v in items:
            if isinstance(v, bool) or not isinstance(v, int):
                raise ParameterError(name, f"expected integers, got {_type_name(v)} {v!r}")
            _bounds(name, v, min, max)
        return items

    return validate


def symbol_list(kind: str | None = "prices", min_len: int = 1) -> Validator:
    """A list of catalog names (duplicates rejected)."""
    one = symbol(kind)

    def validate(name: str, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, Iterable):
            raise ParameterError(name, f"expected a list of series names, got {value!r}")
        items = [one(name, v) for v in value]
        if len(items) < min_len:
            raise ParameterError(name, f"needs at least {min_len} name(s)")
        dup = sorted({v for v in items if items.count(v) > 1})
        if dup:
            raise ParameterError(name, f"lists {', '.join(dup)} more than once")
        return items

    return validate


def _bounds(name: str, value: float, lo: float | None, hi: float | None) -> None:
    if lo is not None and value < lo:
        raise ParameterError(name, f"{value!r} is below the minimum {lo}")
    if hi is not None and value > hi:
        raise ParameterError(name, f"{value!r} is above the maximum {hi}")
