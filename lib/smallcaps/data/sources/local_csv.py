"""Local CSV files (NFIB survey, vendor exports): a thin layer over the lead's importer.

:func:`smallcaps.data.importer.read_csv` does the validated reading; this adapter
adds what local files need on top:

- any text encoding (Windows-1252 / Latin-1 exports are transcoded to UTF-8
  first; the provenance still names the original file);
- a default column mapping for the NFIB survey, applied to whichever of the
  usual header spellings the file has (``OPT_INDEX`` or "Optimism Index" ->
  ``optimism``; "Capex Plans" -> ``capex_plans``; "Hiring Plans" ->
  ``hiring_plans``...); an explicit ``mapping`` replaces it.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..catalog import spec as get_spec
from ..errors import DataError
from ..importer import import_source, read_csv, store
from ..provenance import attach, provenance
from ._http import decode_text

# header (lower-case, spaces collapsed) -> kit column, for the NFIB survey
NFIB_HEADERS = {
    "opt_index": "optimism",
    "optimism": "optimism",
    "optimism index": "optimism",
    "small business optimism index": "optimism",
    "sboi": "optimism",
    "capex plans": "capex_plans",
    "capex_plans": "capex_plans",
    "capital expenditure plans": "capex_plans",
    "plans to make capital outlays": "capex_plans",
    "hiring plans": "hiring_plans",
    "hiring_plans": "hiring_plans",
    "plans to increase employment": "hiring_plans",
    "uncertainty": "uncertainty",
    "uncertainty index": "uncertainty",
}

__all__ = ["NFIB_HEADERS", "default_mapping", "import_file", "read"]


def default_mapping(columns: list[str], name: str) -> dict[str, str] | None:
    """The mapping of the file's own headers to kit columns (NFIB only; else None)."""
    if get_spec(name).name != "nfib":
        return None
    out = {}
    for col in columns:
        key = " ".join(str(col).strip().lower().split())
        if key in NFIB_HEADERS and NFIB_HEADERS[key] != key:
            out[col] = NFIB_HEADERS[key]
    return out or None


def read(path: str | Path, name: str, mapping: Mapping[str, str] | None = None,
         date_column: str | None = None) -> pd.DataFrame:
    """Read a local CSV as catalog series ``name`` (validated, not stored).

    Parameters
    ----------
    path : the file; any encoding (UTF-8 with or without BOM, Windows-1252...).
    name : catalog name ("nfib", "RUT", ...).
    mapping : source column -> kit column; default for "nfib": :data:`NFIB_HEADERS`.
    date_column : the date column if not one of the usual names.

    Returns
    -------
    The frame from :func:`smallcaps.data.importer.read_csv` (provenance origin
    ``import``, ``published`` column for non-price series).
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{name} (import of {path.name})", f"file {path} does not exist")
    data = path.read_bytes()
    try:
        data.decode("utf-8")
        source_path, tmp = path, None
    except UnicodeDecodeError:
        fd, tmp = tempfile.mkstemp(suffix=".csv")
        with os.fdopen(fd, "wb") as fh:
            fh.write(decode_text(data).encode("utf-8"))
        source_path = Path(tmp)
    try:
        if mapping is None:
            header = pd.read_csv(source_path, nrows=0, encoding="utf-8-sig").columns
            mapping = default_mapping([str(c) for c in header], name)
        df = read_csv(source_path, name, mapping=mapping, date_column=date_column)
    finally:
        if tmp is not None:
            os.unlink(tmp)
    if tmp is not None:
        prov = provenance(df)
        prov = dataclasses.replace(prov, location=str(path.resolve()),
                                   source=import_source(path),
                                   notes=("transcoded from a non-UTF-8 file",
                                          f"imported from {path.name}",
                                          *[n for n in prov.notes if not n.startswith("imported")]))
        df = attach(df, prov)
    return df


def import_file(path: str | Path, name: str, mapping: Mapping[str, str] | None = None,
                date_column: str | None = None, *, replace: bool = False) -> pd.DataFrame:
    """:func:`read` and store atomically in the cache (nothing is written unless it
    validates), under the import rules of :func:`smallcaps.data.importer.store`
    (replacing another origin or shrinking the history needs ``replace``)."""
    df = read(path, name, mapping=mapping, date_column=date_column)
    store(df, get_spec(name).name, replace=replace)
    return df
