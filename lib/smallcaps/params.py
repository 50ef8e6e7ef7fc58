"""The one specification of parameter kinds: notebook checks, the runner, grids, widgets.

Every notebook's parameters cell is followed by one call::

    p = sc.params.check(
        symbol=(symbol, sc.params.symbol()),
        start=(start, sc.params.date(optional=True)),
        end=(end, sc.params.date(optional=True)),
        ma_windows=(ma_windows, sc.params.int_list(min=2, max=400, min_distinct=2,
                                                   rule="at least two different lengths")),
        order=[("start", "end")],
    )

which returns the normalised values (dates as ``pandas.Timestamp``) or raises
:class:`ParameterError` naming the parameter and the rule it breaks.

Each factory (:func:`symbol`, :func:`date`, :func:`integer`, :func:`number`,
:func:`fraction`, :func:`choice`, :func:`flag`, :func:`text`, :func:`path`,
:func:`int_list`, :func:`number_list`, :func:`symbol_list`, :func:`choice_list`,
:func:`date_list`) returns a :class:`Spec`, and a spec answers every door the
same way:

- ``spec(name, value)`` / :meth:`Spec.validate`: a Python value, as in a notebook;
- :meth:`Spec.from_text`: text from ``smallcaps run -p`` or a value from a grid /
  parameters YAML file, converted to the plain value the kernel receives (dates
  stay ISO text) and validated by the same rules;
- :func:`smallcaps.widgets.from_spec`: an ``sc.widgets`` control whose values go
  through the same conversion (the table's ``widget`` entry names the control).

The runner reads a notebook's ``check(...)`` call with :mod:`ast` (never
executing notebook code) and rebuilds these specs and the cross-parameter
rules of :func:`check` (``order``, ``different``, ``min_months``,
``same_year``), so every rule a notebook states is enforced before a kernel
starts. Dates go through the kit's one parser
(:func:`smallcaps._core.dates.parse_date`): ISO text only.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import math
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from ._core.dates import ISO_HINT, parse_date
from ._core.errors import ParameterError

__all__ = ["KINDS", "ParameterError", "Spec", "check", "choice", "choice_list", "date",
           "date_list", "flag", "fraction", "int_list", "integer", "number", "number_list",
           "path", "symbol", "symbol_list", "text"]

Validator = Callable[[str, Any], Any]
MAX_TEXT = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DATE_MIN, _DATE_MAX = pd.Timestamp("1900-01-01"), pd.Timestamp("2100-12-31")


def _type_name(v: Any) -> str:
    return type(v).__name__


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class Spec:
    """One parameter kind with its rules (make it with this module's factories).

    Attributes
    ----------
    kind : a key of :data:`KINDS`.
    optional : None / "" are allowed (returned as None; "" for text and paths).
    min, max : bounds of numbers, integers, fractions (and list items).
    choices : allowed values of a choice; the allowed names of a symbol.
    series_kind : catalog kind a symbol must have (``"prices"``), None for any.
    item : the spec of each element of a list kind.
    min_len, max_len : allowed list lengths.
    unique : duplicates in a list are refused.
    min_distinct : a list needs at least this many different values.
    rule : the rule in plain words, used in messages about list length / distinctness.
    """

    kind: str
    optional: bool = False
    min: float | None = None
    max: float | None = None
    choices: tuple[Any, ...] = ()
    series_kind: str | None = "prices"
    item: Spec | None = None
    min_len: int = 1
    max_len: int | None = None
    unique: bool = False
    min_distinct: int = 0
    rule: str | None = None

    def __call__(self, name: str, value: Any) -> Any:
        return self.validate(name, value)

    def validate(self, name: str, value: Any) -> Any:
        """Check a Python value; return it normalised (dates as Timestamps).

        Raises
        ------
        ParameterError
            Naming ``name`` and the rule the value breaks.
        """
        if self.optional and (value is None or (isinstance(value, str) and not value.strip())):
            return "" if self.kind in ("text", "path") else None
        if value is None or (self.kind == "date" and isinstance(value, str) and not value.strip()):
            raise ParameterError(name, self._required())
        return KINDS[self.kind].validate(self, name, value)

    def _required(self) -> str:
        if self.kind == "date":
            return f"a date is required ({ISO_HINT})"
        return f"a value is required ({self.describe()})"

    def from_text(self, name: str, value: Any) -> Any:
        """Convert command-line text (or a YAML value) and validate it.

        Returns the plain value a kernel receives: the same type as the notebook's
        default (an ISO string for a date, a list of ints for an integer list).
        """
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.optional:
                return "" if self.kind in ("date", "text", "path") else None
            raise ParameterError(name, self._required())
        plain = KINDS[self.kind].from_text(self, name, value)
        checked = self.validate(name, plain)
        # dates stay as written (ISO text); other kinds take their canonical form ("iwm" -> "IWM")
        return plain if self.kind in ("date", "date_list") else self.plain(checked)

    def plain(self, value: Any) -> Any:
        """A validated value as plain JSON data (Timestamps as ISO dates)."""
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
        if isinstance(value, list):
            return [self.plain(v) for v in value]
        return value

    def describe(self) -> str:
        """The kind and its rules in words (``an integer in [2, 400]``)."""
        return KINDS[self.kind].describe(self)

    def choices_now(self) -> tuple[Any, ...]:
        """The allowed values (for a symbol without ``choices``: the catalog's names)."""
        if self.kind in ("symbol", "symbol_list") and not self.choices:
            from .data.catalog import CATALOG

            return tuple(s.name for s in CATALOG.values()
                         if self.series_kind is None or s.kind == self.series_kind)
        return self.choices


@dataclass(frozen=True)
class Kind:
    """How one kind validates a Python value, converts text and describes itself."""

    validate: Callable[[Spec, str, Any], Any]
    from_text: Callable[[Spec, str, Any], Any]
    describe: Callable[[Spec], str]
    widget: str  # the sc.widgets control kind


def _bounds(spec: Spec, name: str, value: float) -> None:
    if spec.min is not None and value < spec.min:
        raise ParameterError(name, f"{value!r} is below the minimum {spec.min}")
    if spec.max is not None and value > spec.max:
        raise ParameterError(name, f"{value!r} is above the maximum {spec.max}")


def _range_words(spec: Spec) -> str:
    if spec.min is not None and spec.max is not None:
        return f" in [{spec.min}, {spec.max}]"
    if spec.min is not None:
        return f" >= {spec.min}"
    if spec.max is not None:
        return f" <= {spec.max}"
    return ""


# ---- scalars


def _v_integer(spec: Spec, name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iu":
            value = int(value)
        else:
            raise ParameterError(name, f"expected an integer, got {_type_name(value)} {value!r}")
    _bounds(spec, name, value)
    return int(value)


def _t_integer(spec: Spec, name: str, value: Any) -> int:
    if isinstance(value, str):
        if not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            raise ParameterError(name, f"expected an integer, got {value!r}")
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _v_number(spec: Spec, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if hasattr(value, "dtype") and getattr(value.dtype, "kind", "") in "iuf":
            value = float(value)
        else:
            raise ParameterError(name, f"expected a number, got {_type_name(value)} {value!r}")
    if not math.isfinite(value):
        raise ParameterError(name, f"{value!r} is not a finite number")
    _bounds(spec, name, value)
    return float(value)


def _t_number(spec: Spec, name: str, value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ParameterError(name, f"expected a number, got {value!r}") from None
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _v_flag(spec: Spec, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ParameterError(name, f"expected true or false, got {_type_name(value)} {value!r}")
    return value


def _t_flag(spec: Spec, name: str, value: Any) -> bool:
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "on", "1"):
            return True
        if low in ("false", "no", "off", "0"):
            return False
        raise ParameterError(name, f"expected true or false, got {value!r}")
    return value


def _safe_text(name: str, value: str, allow_path: bool) -> str:
    if _CONTROL.search(value):
        raise ParameterError(name, f"{value!r} contains control characters (newline, NUL...)")
    if len(value) > MAX_TEXT:
        raise ParameterError(name, f"{value[:20]!r}... is {len(value)} characters long "
                                   f"(at most {MAX_TEXT})")
    if not allow_path and ("/" in value or "\\" in value or ".." in value or value.startswith("~")):
        raise ParameterError(
            name, f"{value!r} looks like a path (/, \\, .. or ~); only path parameters may hold one")
    return value


def _v_text(spec: Spec, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ParameterError(name, f"expected text, got {_type_name(value)} {value!r}")
    return _safe_text(name, value, allow_path=False)


def _v_path(spec: Spec, name: str, value: Any) -> str:
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise ParameterError(name, f"expected a file or folder path, got {_type_name(value)} {value!r}")
    return _safe_text(name, value, allow_path=True)


def _t_same(spec: Spec, name: str, value: Any) -> Any:
    return value


def _v_date(spec: Spec, name: str, value: Any) -> pd.Timestamp:
    try:
        ts = parse_date(value, what="date")
    except (TypeError, ValueError) as exc:
        raise ParameterError(name, str(exc).removeprefix("date: ").removeprefix("date ")) from None
    if not _DATE_MIN <= ts <= _DATE_MAX:
        raise ParameterError(name, f"{value!r} is outside {_DATE_MIN:%Y}-{_DATE_MAX:%Y}")
    return ts


def _t_date(spec: Spec, name: str, value: Any) -> str:
    if isinstance(value, (_dt.date, pd.Timestamp)):  # YAML reads 2024-01-31 as a date
        return spec.plain(_v_date(spec, name, value))
    if not isinstance(value, str):
        raise ParameterError(name, f"expected a date ({ISO_HINT}), got {_type_name(value)} {value!r}")
    return value.strip()


def _v_symbol(spec: Spec, name: str, value: Any) -> str:
    choices = spec.choices_now()
    if not isinstance(value, str):
        raise ParameterError(name, f"expected a series name, got {_type_name(value)} {value!r}")
    _safe_text(name, value, allow_path=False)
    folded = {str(c).lower(): c for c in choices}
    if value.strip().lower() in folded:
        return folded[value.strip().lower()]
    open_prices = not spec.choices and spec.series_kind == "prices"
    if open_prices:
        # any Yahoo/Stooq ticker or registered price series is a price symbol (issue 11)
        found = _obtainable_price(value.strip())
        if found is not None:
            return found
    close = difflib.get_close_matches(value.lower(), list(folded), n=3, cutoff=0.5)
    hint = f"; did you mean {' or '.join(folded[c] for c in close)}?" if close else ""
    also = ("; any ticker works once its data is in the snapshot or the cache "
            "(smallcaps data pull SYMBOL) or when online" if open_prices else "")
    raise ParameterError(name, f"{value!r} is not one of {', '.join(choices)}{hint}{also}")


def _obtainable_price(value: str) -> str | None:
    """The price series a ticker outside the catalog names, when its data is at hand
    (snapshot, cache, registry) or can be pulled on demand (online); else None, so that
    offline a typo still fails before a kernel starts."""
    from . import config
    from .data import registry
    from .data.catalog import spec as series_spec
    from .data.errors import DataError
    from .data.loader import available

    try:
        sp = series_spec(value)
        if sp.kind != "prices":
            return None
        if (available(sp.name) is not None or registry.get(sp.name) is not None
                or not config.offline()):
            return sp.name
    except DataError:
        return None
    return None


def _v_choice(spec: Spec, name: str, value: Any) -> Any:
    for c in spec.choices:  # True is not 1 here
        if value == c and isinstance(value, bool) == isinstance(c, bool):
            return c
    raise ParameterError(name, f"{value!r} is not one of {', '.join(map(repr, spec.choices))}")


def _t_choice(spec: Spec, name: str, value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        for c in spec.choices:  # the choice's own form first, then case-insensitive
            if str(c) == text:
                return c
        for c in spec.choices:
            if str(c).lower() == text.lower():
                return c
    return value


# ---- lists


def _split(value: Any, name: str) -> Any:
    import yaml

    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                return yaml.safe_load(text)
            except yaml.YAMLError:
                raise ParameterError(name, f"{value!r} is not a list") from None
        return [v.strip() for v in text.split(",") if v.strip()]
    if isinstance(value, tuple):
        return list(value)
    return value


def _v_list(spec: Spec, name: str, value: Any) -> list[Any]:
    assert spec.item is not None
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ParameterError(name, f"expected a list ({spec.describe()}), got "
                                   f"{_type_name(value)} {value!r}")
    items = [spec.item.validate(name, v) for v in value]
    why = f" ({spec.rule})" if spec.rule else ""
    if len(items) < spec.min_len:
        raise ParameterError(name, f"{_show(spec, items)} has {len(items)} value(s); needs at "
                                   f"least {spec.min_len}{why}")
    if spec.max_len is not None and len(items) > spec.max_len:
        raise ParameterError(name, f"{_show(spec, items)} has {len(items)} values; at most "
                                   f"{spec.max_len}{why}")
    keys = [repr(v) for v in items]
    if spec.unique:
        dup = sorted({k for k in keys if keys.count(k) > 1})
        if dup:
            raise ParameterError(name, f"lists {', '.join(d.strip(chr(39)) for d in dup)} more "
                                       f"than once{why}")
    if len(set(keys)) < spec.min_distinct:
        rule = spec.rule or f"at least {spec.min_distinct} different values"
        raise ParameterError(name, f"{_show(spec, items)} breaks the rule: {rule}")
    return items


def _show(spec: Spec, items: list[Any]) -> str:
    return str(spec.plain(items))


def _t_list(spec: Spec, name: str, value: Any) -> Any:
    assert spec.item is not None
    value = _split(value, name)
    if not isinstance(value, list):
        raise ParameterError(name, f"expected a list ({spec.describe()}), got "
                                   f"{_type_name(value)} {value!r}")
    return [spec.item.from_text(name, v) for v in value]


def _d_list(spec: Spec) -> str:
    assert spec.item is not None
    words = [f"a list of {spec.item.describe()}"]
    if spec.min_len > 1:
        words.append(f"at least {spec.min_len}")
    if spec.unique:
        words.append("no duplicates")
    if spec.rule:
        words.append(spec.rule)
    elif spec.min_distinct > 1:
        words.append(f"at least {spec.min_distinct} different")
    return ", ".join(words)


#: The table of parameter kinds: one entry per kind, used by every door.
KINDS: dict[str, Kind] = {
    "symbol": Kind(_v_symbol, _t_same, lambda s: "a series name", "symbol"),
    "date": Kind(_v_date, _t_date, lambda s: "an ISO date" + (" or empty" if s.optional else ""),
                 "date"),
    "integer": Kind(_v_integer, _t_integer, lambda s: "an integer" + _range_words(s), "integer"),
    "number": Kind(_v_number, _t_number, lambda s: "a number" + _range_words(s), "number"),
    "fraction": Kind(_v_number, _t_number, lambda s: "a fraction" + _range_words(s), "number"),
    "choice": Kind(_v_choice, _t_choice,
                   lambda s: "one of " + ", ".join(map(str, s.choices)), "choice"),
    "flag": Kind(_v_flag, _t_flag, lambda s: "true or false", "flag"),
    "text": Kind(_v_text, _t_same, lambda s: "text", "text"),
    "path": Kind(_v_path, _t_same, lambda s: "a file or folder path", "text"),
    "int_list": Kind(_v_list, _t_list, _d_list, "int_list"),
    "number_list": Kind(_v_list, _t_list, _d_list, "text_list"),
    "symbol_list": Kind(_v_list, _t_list, _d_list, "text_list"),
    "choice_list": Kind(_v_list, _t_list, _d_list, "text_list"),
    "date_list": Kind(_v_list, _t_list, _d_list, "text_list"),
}


# --------------------------------------------------------------------------- factories


def symbol(kind: str | None = "prices", allow: Iterable[str] | None = None,
           optional: bool = False) -> Spec:
    """A catalog series name (of ``kind``, or from ``allow``), case-insensitive."""
    return Spec("symbol", optional=optional, series_kind=kind,
                choices=tuple(allow) if allow is not None else ())


def date(optional: bool = False) -> Spec:
    """An ISO date (``YYYY-MM-DD``; ``YYYY-MM`` / ``YYYY`` for the first day of a month / year)."""
    return Spec("date", optional=optional)


def integer(min: int | None = None, max: int | None = None, optional: bool = False) -> Spec:
    """An int within [min, max] (bools are refused)."""
    return Spec("integer", optional=optional, min=min, max=max)


def number(min: float | None = None, max: float | None = None, optional: bool = False) -> Spec:
    """A finite float (or int) within [min, max]."""
    return Spec("number", optional=optional, min=min, max=max)


def fraction(min: float = 0.0, max: float = 1.0, optional: bool = False) -> Spec:
    """A number within [min, max] inside [0, 1] (a share, a percentage as 0.05)."""
    if not 0.0 <= min <= max <= 1.0:
        raise ValueError(f"fraction bounds must satisfy 0 <= min <= max <= 1, got {min}, {max}")
    return Spec("fraction", optional=optional, min=min, max=max)


def choice(*choices: Any, optional: bool = False) -> Spec:
    """One of the given values (text from the command line matches case-insensitively)."""
    if not choices:
        raise ValueError("choice needs at least one allowed value")
    return Spec("choice", optional=optional, choices=tuple(choices))


def flag() -> Spec:
    """True or false (``true/yes/on/1`` and ``false/no/off/0`` from the command line)."""
    return Spec("flag")


def text(optional: bool = False) -> Spec:
    """Plain text: no control characters, no path syntax, at most 200 characters."""
    return Spec("text", optional=optional)


def path(optional: bool = False) -> Spec:
    """A file or folder path (no control characters)."""
    return Spec("path", optional=optional)


def _list(kind: str, item: Spec, min_len: int, max_len: int | None, unique: bool,
          min_distinct: int, rule: str | None) -> Spec:
    return Spec(kind, item=item, min_len=min_len, max_len=max_len, unique=unique,
                min_distinct=min_distinct, rule=rule)


def int_list(min: int | None = None, max: int | None = None, min_len: int = 1,
             max_len: int | None = None, unique: bool = False, min_distinct: int = 0,
             rule: str | None = None) -> Spec:
    """A list of ints, each within [min, max].

    ``min_distinct=2, rule="at least two different moving-average lengths"`` makes
    ``[40]`` and ``[40, 40]`` fail with that rule named.
    """
    return _list("int_list", integer(min, max), min_len, max_len, unique, min_distinct, rule)


def number_list(min: float | None = None, max: float | None = None, min_len: int = 1,
                max_len: int | None = None, unique: bool = False, min_distinct: int = 0,
                rule: str | None = None) -> Spec:
    """A list of numbers, each within [min, max]."""
    return _list("number_list", number(min, max), min_len, max_len, unique, min_distinct, rule)


def symbol_list(kind: str | None = "prices", min_len: int = 1, max_len: int | None = None,
                allow: Iterable[str] | None = None, rule: str | None = None) -> Spec:
    """A list of catalog names (duplicates refused)."""
    return _list("symbol_list", symbol(kind, allow), min_len, max_len, True, 0, rule)


def choice_list(*choices: Any, min_len: int = 1, unique: bool = True,
                rule: str | None = None) -> Spec:
    """A list of values, each one of ``choices``."""
    return _list("choice_list", choice(*choices), min_len, None, unique, 0, rule)


def date_list(min_len: int = 1, unique: bool = True, rule: str | None = None) -> Spec:
    """A list of ISO dates (returned as Timestamps)."""
    return _list("date_list", date(), min_len, None, unique, 0, rule)


FACTORIES: dict[str, Callable[..., Spec]] = {
    "symbol": symbol, "date": date, "integer": integer, "number": number,
    "fraction": fraction, "choice": choice, "flag": flag, "text": text, "path": path,
    "int_list": int_list, "number_list": number_list, "symbol_list": symbol_list,
    "choice_list": choice_list, "date_list": date_list,
}


# --------------------------------------------------------------------------- check


def _months(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + b.month - a.month + 1


def check_rules(out: dict[str, Any], order: Sequence[tuple[str, str]] = (),
                different: Sequence[tuple[str, str]] = (),
                min_months: Sequence[tuple[str, str, int]] = (),
                same_year: Sequence[tuple[str, str]] = ()) -> None:
    """Cross-parameter rules on normalised values (pairs with a None side are skipped).

    Raises
    ------
    ParameterError
        Naming the second parameter of the pair and the rule.
    """
    for a, b in order:
        va, vb = out.get(a), out.get(b)
        if va is not None and vb is not None and not va < vb:
            fa = f"{va:%Y-%m-%d}" if isinstance(va, pd.Timestamp) else va
            fb = f"{vb:%Y-%m-%d}" if isinstance(vb, pd.Timestamp) else vb
            raise ParameterError(b, f"must be after {a} ({fa} >= {fb})")
    for a, b in different:
        va, vb = out.get(a), out.get(b)
        if va is not None and va == vb:
            raise ParameterError(b, f"is the same as {a} ({va}); the two must differ")
    for a, b, n in min_months:
        va, vb = out.get(a), out.get(b)
        if isinstance(va, pd.Timestamp) and isinstance(vb, pd.Timestamp) and _months(va, vb) < n:
            raise ParameterError(b, f"the window {va:%Y-%m} to {vb:%Y-%m} spans {_months(va, vb)} "
                                    f"months; it needs at least {n}")
    for d, y in same_year:
        vd, vy = out.get(d), out.get(y)
        if isinstance(vd, pd.Timestamp) and vy is not None and vd.year != vy:
            raise ParameterError(d, f"{vd:%Y-%m-%d} is not in {y} {vy}")


def check(order: Sequence[tuple[str, str]] = (), different: Sequence[tuple[str, str]] = (),
          min_months: Sequence[tuple[str, str, int]] = (),
          same_year: Sequence[tuple[str, str]] = (),
          **params: tuple[Any, Validator]) -> dict[str, Any]:
    """Validate and normalise parameters.

    Parameters
    ----------
    order : pairs ``(a, b)`` with ``a < b`` (``[("start", "end")]``).
    different : pairs that must not be equal (``[("numerator", "denominator")]``).
    min_months : triples ``(start, end, n)``: the window spans at least ``n`` calendar months.
    same_year : pairs ``(date, year)``: the date falls in that year.
    **params : (value, spec)
        Each parameter's value and a spec made by one of this module's factories.

    Returns
    -------
    dict
        Normalised values by name.

    Raises
    ------
    ParameterError
        On the first bad value, naming it and the rule.
    """
    out = {name: validate(name, value) for name, (value, validate) in params.items()}
    check_rules(out, order, different, min_months, same_year)
    return out


def with_optional(spec: Spec) -> Spec:
    """``spec`` that also accepts None / empty."""
    return replace(spec, optional=True)
