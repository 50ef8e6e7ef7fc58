"""Parsed snapshot files kept between processes: each CSV is parsed and validated once.

Every kernel of a batch loads the same snapshot CSVs, and turning their text into
checked numbers (row by row, with the row named in any error) costs 0.05-0.25 s a
file, 2-3 s for the whole catalog. The validated frame is kept as a pickle under
``<cache>/parsed/``, keyed by the file's bytes, the series' catalog entry, the kit's
parsing code and the pandas and numpy versions: a change to any of them is a miss,
and the file is parsed again. What is kept is only what the parse returned: the
provenance and release dates are still made on every load.

A file that breaks a rule is never kept (it raises on every load). An entry that
cannot be read or written is ignored: the file is parsed as it would be without
this cache. The entries live in the user's own cache folder, beside the series
the kit writes there.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import pickle
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .._core.atomic import atomic_write
from ..config import cache as cache_folder

FOLDER = "parsed"
_SUFFIX = ".pkl"


@functools.cache
def _code_key() -> str:
    """The parsing code and the libraries that pickle the result, as one digest."""
    import importlib

    import numpy as np

    h = hashlib.blake2b(digest_size=16)
    for name in ("snapshot", "validation", "catalog", "series_spec"):
        module = importlib.import_module(f"{__package__}.{name}")
        try:
            h.update(Path(module.__file__ or "").read_bytes())
        except OSError:  # no source beside the module: its version stands in for it
            from .._version import __version__

            h.update(__version__.encode())
    h.update(f"pandas {pd.__version__} numpy {np.__version__}".encode())
    return h.hexdigest()


def entry(path: Path, data: bytes, key: str) -> Path:
    """Where the parse of ``data`` (the bytes of ``path``) under ``key`` is kept."""
    h = hashlib.blake2b(data, digest_size=16)
    h.update(key.encode())
    h.update(_code_key().encode())
    return cache_folder() / FOLDER / f"{_stem(path)}-{h.hexdigest()}{_SUFFIX}"


def _stem(path: Path) -> str:
    return f"{path.parent.name}__{path.name}"


def parsed(path: Path, key: str, parse: Callable[[bytes], pd.DataFrame]) -> pd.DataFrame:
    """``parse(bytes of path)``, or the frame it returned before for the same bytes and key.

    Parameters
    ----------
    path : the snapshot file.
    key : what else shapes the result (the catalog entry, reader options).
    parse : turns the file's bytes into the validated frame; raises on a broken rule.

    Returns
    -------
    pandas.DataFrame
        A fresh object on every call (callers may change it).
    """
    data = path.read_bytes()
    target = entry(path, data, key)
    with contextlib.suppress(Exception):  # unreadable, truncated, from another version
        with open(target, "rb") as fh:
            df = pickle.load(fh)
        if isinstance(df, pd.DataFrame):
            return df
    df = parse(data)
    _keep(target, df)
    return df


def _keep(target: Path, df: pd.DataFrame) -> None:
    """Store ``df`` at ``target`` and drop older entries of the same file; never raises."""
    with contextlib.suppress(OSError, pickle.PicklingError):
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, lambda fh: pickle.dump(df, fh, protocol=pickle.HIGHEST_PROTOCOL),
                     suffix=".part")
        prefix = target.name.rsplit("-", 1)[0] + "-"
        for old in target.parent.glob(f"{prefix}*{_SUFFIX}"):
            if old != target and old.name.rsplit("-", 1)[0] + "-" == prefix:
                with contextlib.suppress(OSError):
                    old.unlink()
