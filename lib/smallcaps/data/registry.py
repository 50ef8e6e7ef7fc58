"""User-added series: a small JSON registry that lives beside the cache.

The built-in catalog (:mod:`smallcaps.data.catalog`) documents the named series the
kit ships with. Series a user adds (``smallcaps data add``, ``data import --as
NEWNAME``, or the first on-demand pull of a ticker) are recorded here so that they
keep their description, units, frequency and origin across sessions.

File
----
``<cache folder>/registry.json`` (the cache folder is ``SMALLCAPS_CACHE`` or the
platform's user cache folder, see :func:`smallcaps.config.cache`)::

    {
      "version": 1,
      "series": {
        "AAPL": {"name": "AAPL", "kind": "prices", "frequency": "daily", ...},
        "my_survey": {"name": "my_survey", "kind": "series", ...}
      }
    }

Each entry holds the fields of :class:`~smallcaps.data.catalog.SeriesSpec`. Writes
are atomic (temporary file in the same folder, fsync, ``os.replace``) and serialised
by a lock file (``registry.json.lock``), so two processes adding series at once never
lose an entry or leave a half-written file. A registry that cannot be parsed is
reported with its path, never silently replaced.

Names are case-insensitive (``aapl`` and ``AAPL`` are the same entry; the spelling
given first is kept) and validated by :func:`validate_name`: letters, digits and
``. - _ ^ = :`` only, no path separators, no leading dot, at most 64 characters.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from filelock import FileLock

from .. import config
from .._core.atomic import atomic_write
from .errors import DataError
from .series_spec import SeriesSpec

REGISTRY_FILE = "registry.json"
VERSION = 1
MAX_NAME_LENGTH = 64
_NAME = re.compile(r"[A-Za-z0-9^][A-Za-z0-9._\-^=:]*")

__all__ = ["REGISTRY_FILE", "add", "entries", "get", "registry_path", "remove", "validate_name"]


def validate_name(name: object) -> str:
    """Check that ``name`` can name a series and return it stripped.

    Rules: a string of letters, digits and ``. - _ ^ = :``; starts with a letter, a
    digit or ``^``; no ``/``, ``\\``, ``..`` or whitespace (a name becomes a cache
    file name); at most 64 characters.

    Raises
    ------
    DataError
        Naming the input and the rule it breaks.
    """
    if not isinstance(name, str):
        raise DataError(repr(name), "series name must be a string")
    text = name.strip()
    if not text:
        raise DataError(repr(name), "series name is empty")
    if len(text) > MAX_NAME_LENGTH:
        raise DataError(text[:20] + "...", f"series name longer than {MAX_NAME_LENGTH} characters")
    if "/" in text or "\\" in text or ".." in text:
        raise DataError(text, "series name must not contain path characters (/, \\ or ..)")
    if not _NAME.fullmatch(text):
        bad = sorted({c for c in text if not re.fullmatch(r"[A-Za-z0-9._\-^=:]", c)})
        rule = (f"series name contains {', '.join(repr(c) for c in bad)}" if bad
                else "series name must start with a letter, a digit or ^")
        raise DataError(text, rule, hint="use letters, digits and . - _ ^ = : only")
    return text


def registry_path(folder: Path | None = None) -> Path:
    """The registry file: ``<folder or cache folder>/registry.json``."""
    return Path(folder or config.cache()) / REGISTRY_FILE


def _spec_from_dict(key: str, d: dict[str, Any]) -> SeriesSpec:
    known = {f.name for f in dataclasses.fields(SeriesSpec)}
    kw = {k: v for k, v in d.items() if k in known}
    if "columns" in kw:
        kw["columns"] = tuple(kw["columns"] or ())
    kw.setdefault("name", key)
    try:
        return SeriesSpec(**kw)
    except TypeError as exc:
        raise DataError(key, f"registry entry is incomplete ({exc})") from None


def _read(path: Path) -> dict[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    try:
        doc = json.loads(text)
        series = doc["series"]
        if not isinstance(series, dict):
            raise TypeError("'series' is not an object")
    except (ValueError, KeyError, TypeError) as exc:
        raise DataError(str(path), f"registry file cannot be read ({type(exc).__name__}: {exc})",
                        hint="fix or delete the file; the cached data beside it is not affected") from None
    return series


def _write(path: Path, series: dict[str, dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps({"version": VERSION, "series": dict(sorted(series.items()))},
                      indent=2, default=str).encode("utf-8")
    atomic_write(path, lambda fh: fh.write(body))


def _lock(path: Path) -> FileLock:
    path.parent.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path) + ".lock", timeout=30)


def _key(series: dict[str, dict[str, Any]], name: str) -> str | None:
    folded = name.casefold()
    return next((k for k in series if k.casefold() == folded), None)


def entries(folder: Path | None = None) -> dict[str, SeriesSpec]:
    """Every registered series as ``{name: SeriesSpec}`` (empty when there is no file).

    Raises
    ------
    DataError
        If the registry file exists but cannot be parsed (the path is named).
    """
    series = _read(registry_path(folder))
    return {k: _spec_from_dict(k, v) for k, v in series.items()}


def get(name: str, folder: Path | None = None) -> SeriesSpec | None:
    """The registered spec for ``name`` (case-insensitive), or None."""
    name = validate_name(name)
    series = _read(registry_path(folder))
    key = _key(series, name)
    return _spec_from_dict(key, series[key]) if key is not None else None


def add(spec: SeriesSpec, *, replace: bool = False, folder: Path | None = None) -> SeriesSpec:
    """Register ``spec`` (a :class:`~smallcaps.data.catalog.SeriesSpec`).

    Parameters
    ----------
    spec : the entry; ``spec.name`` is validated.
    replace : overwrite an existing entry of the same name (case-insensitive).
        Without it, adding a name that exists with *different* fields raises;
        adding an identical entry again is a no-op.
    folder : registry folder (default: the cache folder).

    Returns
    -------
    SeriesSpec
        The stored entry.

    Raises
    ------
    DataError
        Invalid name, or an existing different entry without ``replace=True``.
        (Built-in names are refused by :func:`smallcaps.data.catalog.register`, the
        entry point every caller uses.)
    """
    name = validate_name(spec.name)
    spec = dataclasses.replace(spec, name=name)
    record = dataclasses.asdict(spec)
    record["columns"] = list(spec.columns)
    path = registry_path(folder)
    with _lock(path):
        series = _read(path)
        key = _key(series, name)
        if key is not None:
            if series[key] == record or (
                    _spec_from_dict(key, series[key]) == dataclasses.replace(spec, name=key)):
                return _spec_from_dict(key, series[key])
            if not replace:
                raise DataError(name, f"is already registered (as {key!r}, {series[key].get('source', '')})",
                                hint="pass replace=True (CLI: --replace) to overwrite the entry")
            del series[key]
        series[name] = record
        _write(path, series)
    return spec


def remove(name: str, folder: Path | None = None) -> bool:
    """Unregister ``name`` (case-insensitive). Returns True if an entry was removed.

    The cached data of the series is not deleted (use ``smallcaps.data.cache.remove``).
    """
    name = validate_name(name)
    path = registry_path(folder)
    with _lock(path):
        series = _read(path)
        key = _key(series, name)
        if key is None:
            return False
        del series[key]
        _write(path, series)
    return True
