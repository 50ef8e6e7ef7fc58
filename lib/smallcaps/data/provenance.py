"""Where a loaded object came from.

Provenance travels with the data in ``obj.attrs["provenance"]`` as a plain,
JSON-serialisable dict (so it survives pandas operations and parquet round trips);
:func:`provenance` turns it back into a :class:`Provenance`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SYNTHETIC_LABEL = "SYNTHETIC DEMO DATA"

# An absolute file-system path inside a text: starts the text or follows a space, quote,
# bracket, colon or '='; never the '//' of a URL.
_ABS_PATH = re.compile(r"(?:^|(?<=[\s'\"(\[=,]))(?:[A-Za-z]:\\|/(?!/))[^\s;,'\")\]]+")


def public_location(text: str) -> str:
    """``text`` with every absolute local path replaced by a name that is safe to publish.

    A path inside the snapshot folder becomes ``snapshot:<relative path>``
    (``snapshot:market/RUT.csv``), one inside the cache ``cache:<relative path>``,
    and any other path its file name. URLs are kept: they are where public data came
    from. Figures, tables and reports print provenance through this, so no output
    reveals the machine's folders.
    """
    from .. import config

    roots: list[tuple[str, Path]] = []
    snap = config.snapshot()
    if snap is not None:
        roots.append(("snapshot", snap))
    try:
        roots.append(("cache", config.cache()))
    except Exception:
        pass

    def short(m: re.Match[str]) -> str:
        raw = m.group(0)
        p = Path(raw)
        for label, root in roots:
            for r in {root, root.resolve()}:
                try:
                    rel = p.relative_to(r).as_posix()
                except ValueError:
                    continue
                return f"{label}:{rel}" if rel != "." else f"the {label} folder"
        return p.name or raw

    return _ABS_PATH.sub(short, text)


@dataclass(frozen=True)
class Provenance:
    """Origin of a data object.

    Attributes
    ----------
    name : catalog name ("RUT", "margin_debt", ...).
    source : who published the numbers ("Yahoo Finance", "FINRA", ...).
    origin : how the kit got them: "snapshot", "cache", "download", "import" or "demo".
    location : the snapshot folder, file, or URL read.
    retrieved : ISO timestamp of the download, or the snapshot's as-of description.
    first, last : first and last dates in the object (ISO).
    rows : number of rows.
    units, frequency : as in the catalog.
    synthetic : True for smallcaps.demo data; every figure built on it says so.
    as_of : point-in-time cut applied, if any (ISO date).
    notes : free text, e.g. known quirks of the source.
    restatements : history revisions the kit accepted when it replaced cached
        rows, newest last; each a dict with ``detected`` (when), ``source``,
        ``from`` (first date that changed), ``rows`` (rows changed), ``columns``,
        ``dropped`` (cached dates the source no longer has) and ``reason``.
    """

    name: str
    source: str
    origin: str
    location: str = ""
    retrieved: str = ""
    first: str = ""
    last: str = ""
    rows: int = 0
    units: str = ""
    frequency: str = ""
    synthetic: bool = False
    as_of: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    restatements: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["notes"] = list(self.notes)
        d["restatements"] = [dict(r) for r in self.restatements]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Provenance:
        known = {f.name for f in dataclasses.fields(cls)}
        kw = {k: v for k, v in d.items() if k in known}
        notes = kw.get("notes") or ()
        kw["notes"] = (notes,) if isinstance(notes, str) else tuple(str(n) for n in notes)
        kw["restatements"] = tuple(dict(r) for r in (kw.get("restatements") or ())
                                   if isinstance(r, dict))
        return cls(**kw)

    def describe(self) -> str:
        """One line fit to print under a figure or a table."""
        parts = [f"{self.name}: {self.source}"]
        location = public_location(self.location) if self.location else ""
        if location.startswith(f"{self.origin}:"):
            parts.append(location)
        else:
            parts.append(self.origin + (f" {location}" if location else ""))
        if self.retrieved:
            parts.append(f"retrieved {self.retrieved}")
        parts.append(f"{self.first} to {self.last}, {self.rows:,} rows")
        if self.as_of:
            parts.append(f"as published by {self.as_of}")
        text = "; ".join(parts)
        return f"{SYNTHETIC_LABEL}: {text}" if self.synthetic else text

    __str__ = describe

    def public_notes(self) -> tuple[str, ...]:
        """The notes with local paths replaced (:func:`public_location`)."""
        return tuple(public_location(n) for n in self.notes)

    def _repr_html_(self) -> str:
        import html

        d = self.to_dict()
        d["location"] = public_location(self.location)
        d["notes"] = list(self.public_notes())
        rows = "".join(
            f"<tr><th style='text-align:left'>{k}</th>"
            f"<td style='text-align:left'>{html.escape(str(v))}</td></tr>"
            for k, v in d.items()
            if v not in ("", None, [], ())
        )
        banner = (
            f"<p style='color:#b00;font-weight:bold'>{SYNTHETIC_LABEL}</p>" if self.synthetic else ""
        )
        return f"{banner}<table>{rows}</table>"


def attach(obj: pd.DataFrame | pd.Series, prov: Provenance) -> pd.DataFrame | pd.Series:
    """Set ``obj.attrs["provenance"]`` from ``prov`` with first/last/rows taken from ``obj``."""
    idx = obj.index
    first = idx[0].date().isoformat() if len(idx) else ""
    last = idx[-1].date().isoformat() if len(idx) else ""
    prov = dataclasses.replace(prov, first=first, last=last, rows=len(obj))
    obj.attrs["provenance"] = prov.to_dict()
    return obj


def provenance(obj: Any) -> Provenance:
    """The :class:`Provenance` of a loaded object.

    Raises
    ------
    ValueError
        If the object carries none (it was not produced by ``smallcaps.data.load``
        or a pandas operation dropped the attribute).
    """
    attrs = getattr(obj, "attrs", None) or {}
    d = attrs.get("provenance")
    if not d:
        raise ValueError(
            "this object carries no provenance: load it with smallcaps.data.load() "
            "or copy attrs['provenance'] from the frame it was computed from"
        )
    return Provenance.from_dict(d)


def is_synthetic(*objs: Any) -> bool:
    """True if any of ``objs`` carries provenance marked synthetic."""
    for o in objs:
        d = (getattr(o, "attrs", None) or {}).get("provenance")
        if d and d.get("synthetic"):
            return True
    return False
