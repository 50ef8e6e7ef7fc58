"""Point-in-time data access for claim checks.

Every series is loaded with ``sc.data.load(name, as_of=...)``: prices up to
``as_of`` and slow series (margin debt, short interest) only as far as they had
been published by then. Indicators are computed on that whole history, then read on
the claim's date, so a claim gets the same answer as the kit's API and notebooks.
The unrestricted series is read only to explain *why* something is missing (not
yet published, or not in the data at all). Synthetic demo data are never used: a
claim about a real market checked against made-up prices would be meaningless, so
without real data a claim is ``not_checkable``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..data import DataError, load
from ..data.catalog import spec
from .registry import NotCheckable

__all__ = ["Context"]

# a claim dated on a weekend or holiday is read on the last session before it, but
# not across a longer hole in the data
_MAX_ROLLBACK_DAYS = 4


class Context:
    """Loads and caches series as published by ``as_of`` (None = all data).

    Parameters
    ----------
    as_of : only data public on this date are used.
    snapshot : snapshot folder (default: ``SMALLCAPS_SNAPSHOT`` through ``load``).
    """

    def __init__(self, as_of: pd.Timestamp | None = None, snapshot: str | Path | None = None):
        self.as_of = None if as_of is None else pd.Timestamp(as_of)
        self.snapshot = snapshot
        self._cut: dict[str, pd.DataFrame] = {}
        self._full: dict[str, pd.DataFrame | None] = {}

    def loaded(self) -> dict[str, pd.DataFrame]:
        """The series read so far (as public at ``as_of``), by name."""
        return dict(self._cut)

    def _label(self) -> str:
        return f"{self.as_of:%Y-%m-%d}" if self.as_of is not None else "the latest data"

    def full(self, name: str) -> pd.DataFrame | None:
        """The whole stored series (only to explain what is missing), or None."""
        key = name.upper() if ":" not in name else name
        if key not in self._full:
            try:
                self._full[key] = load(name, snapshot=self.snapshot, demo=False)
            except DataError:
                self._full[key] = None
        return self._full[key]

    def series(self, name: str) -> pd.DataFrame:
        """A catalog series as public at ``as_of``.

        Raises
        ------
        NotCheckable
            When the series is not available, or nothing had been published yet.
        """
        key = name.upper() if ":" not in name else name
        if key in self._cut:
            return self._cut[key]
        try:
            spec(name)
        except DataError as exc:
            raise NotCheckable(f"{name}: unknown series ({exc.hint or exc})") from None
        try:
            df = load(name, as_of=self.as_of, snapshot=self.snapshot, demo=False)
        except DataError as exc:
            full = self.full(name)
            if full is None:
                raise NotCheckable(f"{name}: no data available ({exc})") from None
            raise NotCheckable(f"{name}: nothing had been published by {self._label()} "
                               f"(data start {full.index[0]:%Y-%m-%d})") from None
        self._cut[key] = df
        return df

    def prices(self, symbol: str) -> pd.DataFrame:
        """Daily prices of ``symbol`` up to ``as_of``."""
        try:
            kind = spec(symbol).kind
        except DataError as exc:
            raise NotCheckable(f"{symbol}: unknown price series ({exc.hint or exc})") from None
        if kind != "prices":
            raise NotCheckable(f"{symbol} is not a price series (it is {kind})")
        return self.series(symbol)

    def session(self, df: pd.DataFrame, date: Any, name: str, *, exact: bool = False
                ) -> pd.Timestamp:
        """The session a claim about ``date`` is read on.

        ``date`` itself when it is a session; otherwise (weekend, holiday) the last
        session before it, unless ``exact`` (events happen on sessions only).

        Raises
        ------
        NotCheckable
            The date is after ``as_of`` (not yet known), beyond the data, or not a
            session (with ``exact``).
        """
        d = pd.Timestamp(date)
        if self.as_of is not None and d > self.as_of:
            raise NotCheckable(f"{name} on {d:%Y-%m-%d} was not yet known at as_of "
                               f"{self.as_of:%Y-%m-%d}")
        idx = df.index
        if d > idx[-1]:
            raise NotCheckable(f"{name}: the data end on {idx[-1]:%Y-%m-%d}, before {d:%Y-%m-%d}")
        if d < idx[0]:
            raise NotCheckable(f"{name}: the data start on {idx[0]:%Y-%m-%d}, after {d:%Y-%m-%d}")
        if d in idx:
            return d
        prev = idx[idx.searchsorted(d) - 1]
        if exact or (d - prev).days > _MAX_ROLLBACK_DAYS:
            raise NotCheckable(f"{name}: {d:%Y-%m-%d} is not a session in the data "
                               f"(previous session {prev:%Y-%m-%d})")
        return prev

    @staticmethod
    def nearby(df: pd.DataFrame | pd.Series, d: pd.Timestamp, k: int = 3) -> list[pd.Timestamp]:
        """Sessions within ``k`` of ``d``, nearest first (earlier before later on ties)."""
        pos = df.index.get_loc(d)
        out = []
        for step in range(1, k + 1):
            for p in (pos - step, pos + step):
                if 0 <= p < len(df.index):
                    out.append(df.index[p])
        return out
