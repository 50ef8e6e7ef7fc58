"""The registry of claim kinds: each kind is a small function that measures what a
claim states with the kit's own library functions.

A kind function takes the claim's ``check`` mapping (dates already parsed) and a
:class:`~smallcaps.claims.context.Context` (point-in-time data access) and returns a
:class:`Measurement`: the kind's named outputs, plus *alternatives* (the same outputs
on another basis or date) that the verdict uses to say which reading would have
matched a refuted claim. A kind that cannot measure (data missing, not yet
published at ``as_of``, window too short) raises :class:`NotCheckable` with one
sentence saying why.

Adding a kind::

    from smallcaps.claims import register, Measurement

    @register("vix_close", outputs={"value": "number"}, required=("date",))
    def vix_close(check, ctx):
        df = ctx.prices("VIX")
        d = ctx.session(df, check["date"], "VIX")
        return Measurement({"value": float(df.at[d, "close"])}, date=d, symbol="VIX")
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["KINDS", "OUTPUT_TYPES", "Kind", "Measurement", "NotCheckable", "register"]

#: how each output type is compared: numbers with a tolerance, counts exactly,
#: booleans and (normalised) text by equality, dates by day (or by month / year
#: when the expectation is written "2021-11" / "2021")
OUTPUT_TYPES = ("number", "count", "bool", "text", "date")


class NotCheckable(Exception):
    """The claim cannot be measured: the data are missing or were not yet public."""


@dataclass
class Measurement:
    """What the kit measures for one claim.

    Attributes
    ----------
    values : the kind's named outputs (its primary output first).
    alternatives : ``(label, outputs)`` pairs: the same outputs on another basis,
        variant or date, in order of preference ("on the intraday basis",
        "on 2025-05-22"). Used only to explain a refuted claim.
    note : context worth showing with any verdict (the date actually used...).
    date : the date the claim is about (charts are drawn around it).
    symbol : the price series charted for the claim (None for other series).
    """

    values: dict[str, Any]
    alternatives: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    note: str = ""
    date: pd.Timestamp | None = None
    symbol: str | None = None


KindFunction = Callable[[Mapping[str, Any], Any], Measurement]


@dataclass(frozen=True)
class Kind:
    """A registered claim kind."""

    name: str
    func: KindFunction
    outputs: Mapping[str, str]
    required: tuple[str, ...]
    optional: tuple[str, ...]
    tolerance: float | str
    doc: str
    aliases: Mapping[str, str] = field(default_factory=dict)

    @property
    def primary(self) -> str:
        """The output a plain (non-mapping) expectation is compared with."""
        return next(iter(self.outputs))

    @property
    def fields(self) -> tuple[str, ...]:
        return ("kind", *self.required, *self.optional)


KINDS: dict[str, Kind] = {}


def register(name: str, *, outputs: Mapping[str, str], required: tuple[str, ...] = (),
             optional: tuple[str, ...] = (), tolerance: float | str = 0.0,
             aliases: Mapping[str, str] | None = None
             ) -> Callable[[KindFunction], KindFunction]:
    """Register a claim kind.

    Parameters
    ----------
    name : the ``kind`` written in claims files.
    outputs : {output name: type} with types from :data:`OUTPUT_TYPES`; the first
        is the primary output (what a plain expectation is compared with).
    required, optional : the keys of ``check`` the kind reads (besides ``kind``).
    tolerance : the kind's smallest default tolerance for number outputs: absolute
        (a number) or relative ("0.01%"). The default tolerance of a claim is the
        larger of this and half a unit in the last digit of the expected figure.
    aliases : other names accepted for outputs in ``expect`` / ``tolerance``
        ({"change_pct": "change"}).
    """
    bad = {k: t for k, t in outputs.items() if t not in OUTPUT_TYPES}
    if bad or not outputs:
        raise ValueError(f"register({name!r}): output types must be among {OUTPUT_TYPES}, got {bad}")

    def deco(func: KindFunction) -> KindFunction:
        doc = (func.__doc__ or "").strip().split("\n")[0]
        KINDS[name] = Kind(name, func, dict(outputs), tuple(required), tuple(optional),
                           tolerance, doc, dict(aliases or {}))
        return func

    return deco
