"""What one named series is: the fields of a catalog or registry entry.

Kept apart from :mod:`smallcaps.data.catalog` so that the user registry can build
entries without importing the catalog (which consults the registry).
"""

from __future__ import annotations

from dataclasses import dataclass

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")


@dataclass(frozen=True)
class SeriesSpec:
    """One catalog entry.

    Attributes
    ----------
    name : catalog name used by ``load``.
    kind : "prices", "margin_debt", "short_interest", "cot", "putcall", "survey",
        "macro" (FRED), "breadth" (vendor breadth counts/percentages) or "series"
        (a user's plain series).
    frequency : "daily", "weekly", "semi-monthly" or "monthly".
    units : units of the values.
    source : the public source that publishes it.
    description : one sentence.
    snapshot_file : path inside a snapshot folder ("" when no snapshot carries it).
    yahoo : Yahoo Finance ticker (prices only).
    stooq : Stooq ticker (prices only, fallback source).
    release : publication rule, see :mod:`smallcaps.data.pointintime`.
    columns : value columns of the loaded frame (besides the index).
    import_only : True when there is no public feed (e.g. NFIB); fill by ``data import``.
    """

    name: str
    kind: str
    frequency: str
    units: str
    source: str
    description: str
    snapshot_file: str = ""
    yahoo: str = ""
    stooq: str = ""
    release: str = "same_day"
    columns: tuple[str, ...] = ()
    import_only: bool = False
