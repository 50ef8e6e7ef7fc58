"""Notebook sections that never take each other down.

Every section of a notebook runs inside ``with sc.section("Title"):``. When the
section cannot be drawn, the reader sees one plain sentence saying why, and the
notebook carries on with the next section::

    with sc.section("Short interest"):
        si = sc.sections.require(si, "no short-interest data is loaded")
        ...

The policy, in one place:

- :class:`Unavailable` (raised by :func:`require` / :func:`skip`) is the section
  saying it has nothing to show: its sentence is printed.
- ``ValueError`` raised by the kit itself (a :class:`smallcaps.data.DataError`, a
  window too short, a parameter the data cannot serve) is a property of the
  question, not a bug: its message is printed as the sentence.
- Anything else (a ``TypeError``, ``KeyError``, a ``ValueError`` raised inside
  pandas or numpy ...) is a bug in the kit. The reader still sees one sentence and
  never a traceback, the failure is recorded in :func:`failures`, and in strict
  mode (``SMALLCAPS_STRICT=1``, see :mod:`smallcaps.config`; the test suite sets it)
  it is raised, so tests and parameter sweeps catch it.

``KeyboardInterrupt`` and other ``BaseException`` subclasses are never caught.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import pandas as pd

from . import config

__all__ = ["Unavailable", "section", "require", "skip", "in_window", "explain", "failures",
           "clear_failures", "SectionFailure", "demo_note", "try_load"]

_PACKAGE = str(Path(__file__).resolve().parent)
T = TypeVar("T")
F = TypeVar("F", pd.Series, pd.DataFrame)


class Unavailable(ValueError):
    """A section has nothing to show; the message is the sentence the reader sees."""


@dataclass(frozen=True)
class SectionFailure:
    """An unexpected exception a section caught (a bug to report)."""

    title: str
    error: str
    message: str


_FAILURES: list[SectionFailure] = []


def failures() -> list[SectionFailure]:
    """Unexpected failures caught by sections in this process, oldest first."""
    return list(_FAILURES)


def clear_failures() -> None:
    """Forget the recorded unexpected failures."""
    _FAILURES.clear()


def demo_note(what_is_real: str) -> str | None:
    """In demo mode (``SMALLCAPS_DEMO``), print and return one line at the top of a
    notebook saying so and what the notebook does without real data; None otherwise.

    Some notebooks have nothing the demo can synthesise (universe membership, claims
    about real notes): their pages must still say, at the top, that this is a demo run.
    """
    if not config.demo():
        return None
    line = f"SYNTHETIC DEMO DATA mode (SMALLCAPS_DEMO is on): {what_is_real}"
    print(line)
    return line


def try_load(name: str, **kwargs: Any) -> pd.DataFrame | None:
    """``sc.data.load(name, **kwargs)``, or None after printing one line saying why the
    series could not be loaded (``NOT LOADED - <the kit's reason>``), so a notebook can
    carry on with the series it has."""
    from .data import DataError, load

    try:
        return load(name, **kwargs)
    except DataError as exc:
        print(f"NOT LOADED - {exc}")
        return None


def skip(reason: str) -> None:
    """End the current section with ``reason`` as the sentence shown to the reader."""
    raise Unavailable(reason)


def require(obj: T | None, reason: str) -> T:
    """Return ``obj``, or end the section with ``reason`` when it is None or empty.

    Parameters
    ----------
    obj : object or None
        A result the section needs: a DataFrame/Series (empty counts as missing),
        any sized object, or any other value (only None counts as missing).
    reason : str
        The sentence shown when ``obj`` is missing, e.g. ``"No support or resistance
        levels lie in the window 2021-02-01 to 2021-03-26."``.
    """
    if obj is None:
        raise Unavailable(reason)
    try:
        empty = len(obj) == 0  # type: ignore[arg-type]
    except TypeError:
        empty = False
    if empty:
        raise Unavailable(reason)
    return obj


def _day(value: object) -> str:
    return "" if value is None else f"{pd.Timestamp(value):%Y-%m-%d}"


def in_window(obj: F | None, start: object, end: object, what: str) -> F:
    """Rows of a dated ``obj`` between ``start`` and ``end``, or end the section saying why.

    Parameters
    ----------
    obj : Series or DataFrame with a DatetimeIndex (None: nothing loaded).
    start, end : the window (None: open on that side).
    what : the rows in words, e.g. ``"short-interest reports"``.

    Returns
    -------
    The rows inside the window (at least one).

    Raises
    ------
    Unavailable
        With a sentence such as "No short-interest reports between 2022-01-01 and
        2025-03-18: this data covers 2020-11-30 to 2021-06-30."
    """
    if obj is None or len(obj) == 0:
        raise Unavailable(f"No {what}: the series is not loaded or empty")
    s = None if start is None or start == "" else pd.Timestamp(start)
    e = None if end is None or end == "" else pd.Timestamp(end)
    cut = obj.loc[s:e]
    if len(cut):
        return cut
    span = (f"between {_day(s)} and {_day(e)}" if s is not None and e is not None
            else f"from {_day(s)} on" if s is not None else f"up to {_day(e)}")
    raise Unavailable(f"No {what} {span}: this data covers {_day(obj.index[0])} to "
                      f"{_day(obj.index[-1])}")


def _raised_by_kit(tb: TracebackType | None) -> bool:
    """Whether the innermost frame of ``tb`` is code of this package (not pandas etc.)."""
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return False
    filename = str(Path(last.tb_frame.f_code.co_filename).resolve())
    return filename.startswith(_PACKAGE)


def _sentence(text: str) -> str:
    text = " ".join(str(text).split())
    return text if text.endswith((".", "!", "?")) else text + "."


def explain(title: str, exc: BaseException) -> str:
    """The one sentence shown for ``exc`` ending the section ``title``; records bugs.

    Raises ``exc`` again when it is a bug and strict mode is on.
    """
    from .data.errors import DataError

    if isinstance(exc, Unavailable):
        return _sentence(str(exc))
    if isinstance(exc, DataError) or (
        isinstance(exc, ValueError) and _raised_by_kit(exc.__traceback__)
    ):
        return _sentence(f"{title} is not shown: {exc}")
    _FAILURES.append(SectionFailure(title, type(exc).__name__, str(exc)))
    if config.strict():
        raise exc
    return _sentence(f"{title} is not shown: an internal error stopped it "
                     f"({type(exc).__name__}: {exc}); please report it")


@contextmanager
def section(title: str) -> Iterator[None]:
    """Run a notebook section; if it cannot be drawn, print one sentence why and go on.

    Parameters
    ----------
    title : str
        The section's name as the reader knows it ("Short interest").

    Examples
    --------
    >>> with section("Demo"):
    ...     skip("No short-interest reports in the window")
    No short-interest reports in the window.
    """
    try:
        yield
    except Exception as exc:  # the policy above decides what to do
        sentence = explain(title, exc)
        print(sentence, file=sys.stdout)
