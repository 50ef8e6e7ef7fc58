"""Local parquet cache with provenance beside each file.

One ``<name>.parquet`` per series plus ``<name>.provenance.json``. Writes are
atomic (temporary file in the same folder, fsync, ``os.replace``), the new data is
validated and read back before it replaces anything, so a failed or invalid write
never damages a good file. A corrupt file is reported (:class:`CacheCorrupt`), never
silently used.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from pathlib import Path

import pandas as pd

from .. import config
from .catalog import SeriesSpec, spec
from .errors import DataError
from .provenance import Provenance, attach
from .validation import check_index, validate_prices


class CacheCorrupt(DataError):
    """A cache file exists but cannot be read or fails validation."""


def cache_dir() -> Path:
    """The cache folder: ``$SMALLCAPS_CACHE``, else the platform's user cache folder
    (``smallcaps.config.cache``)."""
    return config.cache()


def _stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "__", name)
    if not stem or stem.startswith("."):
        raise DataError(name, "not a valid series name for the cache")
    return stem


def data_path(name: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{_stem(name)}.parquet"


def provenance_path(name: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{_stem(name)}.provenance.json"


def exists(name: str, folder: Path | None = None) -> bool:
    return data_path(name, folder).is_file()


def _atomic_write_bytes(target: Path, write) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _validate(name: str, df: pd.DataFrame, sp: SeriesSpec | None) -> pd.DataFrame:
    if sp is not None and sp.kind == "prices":
        return validate_prices(df, name)
    check_index(df, name, unique=not (sp is not None and sp.kind == "cot"
                                      and df.get("is_primary") is not None
                                      and not bool(df["is_primary"].all())))
    if df.empty:
        raise DataError(name, "no rows")
    return df


def write(name: str, df: pd.DataFrame, prov: Provenance, folder: Path | None = None) -> Path:
    """Validate ``df`` and store it atomically with its provenance.

    Raises
    ------
    DataError
        If ``df`` breaks a rule; the existing cache file is left untouched.
    """
    try:
        sp = spec(name)
    except DataError:
        sp = None
    clean = _validate(name, df, sp)
    clean = attach(clean.copy(), prov)
    target = data_path(name, folder)

    def _write_parquet(fh) -> None:
        clean.to_parquet(fh, engine="pyarrow")

    _atomic_write_bytes(target, _write_parquet)
    meta = json.dumps(clean.attrs["provenance"], indent=2, default=str).encode()
    _atomic_write_bytes(provenance_path(name, folder), lambda fh: fh.write(meta))
    return target


def info(name: str, folder: Path | None = None) -> Provenance | None:
    """Stored provenance of a cached series (None if not cached or unreadable)."""
    p = provenance_path(name, folder)
    try:
        return Provenance.from_dict(json.loads(p.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def read(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read a cached series with its provenance (origin ``cache``).

    Raises
    ------
    DataError
        If it is not cached.
    CacheCorrupt
        If the file cannot be read or fails validation.
    """
    path = data_path(name, folder)
    if not path.is_file():
        raise DataError(name, "not in the cache", hint=f"looked for {path}")
    try:
        df = pd.read_parquet(path, engine="pyarrow")
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise CacheCorrupt(name, f"cache file {path} is corrupt ({type(exc).__name__}: {exc})",
                           hint="it will be rebuilt from its source") from None
    try:
        sp = spec(name)
    except DataError:
        sp = None
    try:
        df = _validate(name, df, sp)
    except DataError as exc:
        raise CacheCorrupt(name, f"cache file {path} fails validation: {exc.rule}", exc.rows,
                           hint="it will be rebuilt from its source") from None
    stored = info(name, folder) or Provenance(name=name, source="unknown", origin="cache")
    prov = dataclasses.replace(stored, origin="cache", location=str(path))
    return attach(df, prov)


def remove(name: str, folder: Path | None = None) -> None:
    """Delete a cached series (data and provenance)."""
    for p in (data_path(name, folder), provenance_path(name, folder)):
        p.unlink(missing_ok=True)
