"""Local parquet cache: one self-describing file per series.

``<name>.parquet`` holds the data *and* its provenance: the provenance record and
an integrity record (series name, row count, first and last date, a SHA-256 of the
content) live in the parquet file's own metadata, so data and provenance are
replaced together by one atomic rename and can never disagree.

Writers
    validate the frame, write a temporary file in the cache folder, fsync it, read
    it back and check it, then ``os.replace`` it over the old file, all while
    holding the series' lock (``.<name>.lock``, :mod:`filelock`). Two writers of
    one series never interleave (a pull's read-merge-write is one critical
    section, :func:`locked`); temporary files left by a killed writer are removed
    by the next writer of that series.
Readers
    take no lock: they open the file once and read metadata and rows from that one
    handle, so they see one complete version (the rename is atomic), and they
    never write. A file whose rows do not match its integrity record (damaged,
    truncated, copied over another series' file) raises :class:`CacheCorrupt`;
    it is never used.
Errors
    an unwritable or full disk, or a cache path that is a file, raise
    :class:`CacheError` (a :class:`~smallcaps.data.DataError`) naming the path;
    the previous file is untouched.

Files written by older versions of the kit (parquet plus ``<name>.provenance.json``)
are still read when the side file is a JSON object naming the same series with the
same rows and dates; they are rewritten in the new layout by the next write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import hashlib
import json
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .. import config
from .._core.atomic import atomic_write
from .catalog import SeriesSpec, spec
from .errors import DataError
from .provenance import Provenance, attach
from .validation import check_index, validate_prices

META_KEY = b"smallcaps.provenance"
CHECK_KEY = b"smallcaps.integrity"
FORMAT_VERSION = 2
# how long a writer waits for another writer of the same series
LOCK_TIMEOUT = 120.0
# a temporary file this old cannot belong to a live writer holding the lock
_TMP_SUFFIX = ".tmp"
_FILE_MODE = 0o644

__all__ = ["CacheCorrupt", "CacheError", "backup", "backups_dir", "cache_dir", "content_hash",
           "data_path", "exists", "history_loss", "info", "locked", "read", "read_with_record", "remove",
           "signature", "write"]


class CacheCorrupt(DataError):
    """A cache file exists but cannot be read, fails validation or its integrity check."""


class CacheError(DataError):
    """The cache cannot be written (read-only, full disk, path is a file, locked)."""


def cache_dir() -> Path:
    """The cache folder: ``$SMALLCAPS_CACHE``, else the platform's user cache folder
    (``smallcaps.config.cache``)."""
    return config.cache()


def backups_dir(folder: Path | None = None) -> Path:
    """Where replaced series are kept (``<cache>/backups``)."""
    return (folder or cache_dir()) / "backups"


def _stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]", "__", name)
    if not stem or stem.startswith("."):
        raise DataError(name, "not a valid series name for the cache")
    return stem


def data_path(name: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{_stem(name)}.parquet"


def _legacy_provenance_path(name: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f"{_stem(name)}.provenance.json"


def _lock_path(name: str, folder: Path | None = None) -> Path:
    return (folder or cache_dir()) / f".{_stem(name)}.lock"


def exists(name: str, folder: Path | None = None) -> bool:
    return data_path(name, folder).is_file()


def present(names: Iterable[str], folder: Path | None = None) -> set[str]:
    """The names among ``names`` with a cached series: one folder listing, not a file
    check per name (a universe panel asks about thousands)."""
    folder = folder or cache_dir()
    try:
        files = {e.name for e in os.scandir(folder) if e.is_file()}
    except OSError:  # no cache folder yet
        return set()
    out = set()
    for name in names:
        try:
            if f"{_stem(name)}.parquet" in files:
                out.add(name)
        except DataError:
            continue
    return out


# ---------------------------------------------------------------------------
# OS errors -> kit errors


def _os_problem(exc: OSError, path: Path) -> str:
    code = exc.errno
    if code == errno.ENOSPC or code == errno.EDQUOT:
        return f"the disk holding {path.parent} is full"
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"the cache folder {path.parent} is not writable ({exc.strerror or exc})"
    if code in (errno.ENOTDIR, errno.EEXIST) or isinstance(exc, NotADirectoryError):
        return f"the cache path {_first_file(path.parent)} is a file, not a folder"
    return f"cannot write {path} ({exc.strerror or exc})"


def _first_file(folder: Path) -> Path:
    """The first component of ``folder`` that exists and is not a folder."""
    for p in [*reversed(folder.parents), folder]:
        if p.exists() and not p.is_dir():
            return p
    return folder


@contextlib.contextmanager
def _kit_errors(name: str, path: Path) -> Iterator[None]:
    try:
        yield
    except DataError:
        raise
    except OSError as exc:
        raise CacheError(name, _os_problem(exc, path) + "; the cached data is unchanged",
                         hint="set SMALLCAPS_CACHE to a writable folder" if exc.errno not in
                         (errno.ENOSPC, errno.EDQUOT) else "free some space and try again"
                         ) from None


def _ensure_folder(name: str, folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise CacheError(name, f"the cache path {folder} is a file, not a folder",
                         hint="remove it or set SMALLCAPS_CACHE to a folder")
    bad = _first_file(folder)
    if bad != folder and bad.exists() and not bad.is_dir():
        raise CacheError(name, f"the cache path {bad} is a file, not a folder",
                         hint="remove it or set SMALLCAPS_CACHE to a folder")
    with _kit_errors(name, folder / "x"):
        folder.mkdir(parents=True, exist_ok=True)


# ---------------------------------------------------------------------------
# locking


@contextlib.contextmanager
def locked(name: str, folder: Path | None = None, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the write lock of series ``name`` (re-entrant within a thread).

    Use it around a read-modify-write (``pull`` does) so no other writer slips in
    between; :func:`write` takes it itself.

    Raises
    ------
    CacheError
        The lock cannot be created (read-only cache, path is a file) or another
        process held it for longer than ``timeout`` seconds.
    """
    from filelock import FileLock, Timeout

    target = data_path(name, folder)
    _ensure_folder(name, target.parent)
    lock = _locks.setdefault(str(_lock_path(name, folder)),
                             FileLock(str(_lock_path(name, folder)), thread_local=True))
    try:
        with _kit_errors(name, target):
            lock.acquire(timeout=timeout)
    except Timeout:
        raise CacheError(name, f"another process has been writing {target.name} for more than "
                               f"{timeout:g} s", hint=f"lock file {lock.lock_file}") from None
    try:
        _clean_temporaries(target)
        yield
    finally:
        lock.release()


_locks: dict[str, Any] = {}


def _clean_temporaries(target: Path) -> None:
    """Remove temporary files of ``target`` left by killed writers (caller holds the lock)."""
    if lock_depth(target) > 1:
        return  # an outer holder of this lock may be writing one right now
    for p in target.parent.glob(f".{target.name}.*{_TMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            p.unlink()


def lock_depth(target: Path) -> int:
    lock = _locks.get(str(target.parent / f".{target.stem}.lock"))
    return int(getattr(lock, "lock_counter", 0)) if lock is not None else 0


# ---------------------------------------------------------------------------
# integrity


def content_hash(df: pd.DataFrame) -> str:
    """SHA-256 of the rows, the index and the column names/dtypes of ``df``."""
    canon = df.copy(deep=False)
    canon.attrs = {}
    if isinstance(canon.index, pd.DatetimeIndex):  # parquet may store another time unit
        canon.index = canon.index.as_unit("ns")
    for col in canon.columns:
        if isinstance(canon[col].dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(
                canon[col]):
            canon[col] = canon[col].dt.as_unit("ns")
    h = hashlib.sha256()
    h.update(json.dumps([[str(c), str(t)] for c, t in canon.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(canon, index=True).to_numpy().tobytes())
    return h.hexdigest()


def _integrity(name: str, df: pd.DataFrame) -> dict[str, Any]:
    idx = df.index
    return {"format": FORMAT_VERSION, "series": name, "rows": len(df),
            "first": idx[0].isoformat() if len(idx) else "",
            "last": idx[-1].isoformat() if len(idx) else "",
            "sha256": content_hash(df)}


def _validate(name: str, df: pd.DataFrame, sp: SeriesSpec | None) -> pd.DataFrame:
    if isinstance(df.index, pd.DatetimeIndex) and df.index.tz is not None:
        raise DataError(name, f"dates carry a time zone ({df.index.tz}); the kit stores "
                              "session dates without one")
    if sp is not None and sp.kind == "prices":
        return validate_prices(df, name)
    check_index(df, name, unique=not (sp is not None and sp.kind == "cot"
                                      and df.get("is_primary") is not None
                                      and not bool(df["is_primary"].all())))
    if df.empty:
        raise DataError(name, "no rows")
    return df


def _spec_or_none(name: str) -> SeriesSpec | None:
    try:
        return spec(name)
    except DataError:
        return None


def _table(name: str, df: pd.DataFrame, prov: Provenance) -> pa.Table:
    table = pa.Table.from_pandas(df, preserve_index=True)
    meta = dict(table.schema.metadata or {})
    meta[META_KEY] = json.dumps(prov.to_dict(), default=str).encode()
    meta[CHECK_KEY] = json.dumps(_integrity(name, df)).encode()
    return table.replace_schema_metadata(meta)


def write(name: str, df: pd.DataFrame, prov: Provenance, folder: Path | None = None) -> Path:
    """Validate ``df`` and store it, with its provenance, in one atomic replacement.

    Raises
    ------
    DataError
        If ``df`` breaks a rule; the existing cache file is left untouched.
    CacheError
        The cache cannot be written (see the module docstring); nothing changed.
    """
    sp = _spec_or_none(name)
    clean = _validate(name, df, sp)
    clean = attach(clean.copy(), prov)
    stored = Provenance.from_dict(clean.attrs["provenance"])
    clean.attrs = {}
    target = data_path(name, folder)
    table = _table(name, clean, stored)
    with locked(name, folder):
        _replace_atomically(name, target, table)
        _legacy_provenance_path(name, folder).unlink(missing_ok=True)
    return target


def _replace_atomically(name: str, target: Path, table: pa.Table) -> None:
    with _kit_errors(name, target):
        # read back and verified before it replaces anything
        atomic_write(target, lambda fh: pq.write_table(table, fh), suffix=_TMP_SUFFIX,
                     check=lambda tmp: _read_verified(name, tmp))
        _fsync_dir(target.parent)


def _atomic_write_bytes(target: Path, write: Any) -> None:
    """Write a side file (raw downloads, holdings files) atomically: temporary file in
    the same folder, fsync, ``os.replace``; OS errors become :class:`CacheError`."""
    target = Path(target)
    _ensure_folder(target.name, target.parent)
    with _kit_errors(target.name, target):
        atomic_write(target, write, suffix=_TMP_SUFFIX)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---------------------------------------------------------------------------
# reading


def _corrupt(name: str, path: Path, why: str) -> CacheCorrupt:
    return CacheCorrupt(name, f"cache file {path} {why}",
                        hint="it is not used; pull the series again (smallcaps data pull "
                             f"{name} --full) or re-import it")


def _read_verified(name: str, path: Path) -> tuple[pd.DataFrame, Provenance]:
    """Read one version of ``path`` (one open handle) and check it against its record."""
    try:
        with open(path, "rb") as fh:
            pf = pq.ParquetFile(fh)
            meta = pf.schema_arrow.metadata or {}
            table = pf.read()
    except FileNotFoundError:
        raise DataError(name, "not in the cache", hint=f"looked for {path}") from None
    except IsADirectoryError:
        raise _corrupt(name, path, "is a folder") from None
    except Exception as exc:  # pyarrow raises several types for damaged files
        raise _corrupt(name, path, f"is corrupt ({type(exc).__name__}: {exc})") from None
    try:
        df = table.to_pandas()
    except Exception as exc:
        raise _corrupt(name, path, f"is corrupt ({type(exc).__name__}: {exc})") from None
    df.attrs = {}
    if META_KEY not in meta:
        prov = _legacy_provenance(name, path, df)
        return df, prov
    try:
        record = json.loads(meta[META_KEY])
        check = json.loads(meta[CHECK_KEY])
    except (KeyError, ValueError) as exc:
        raise _corrupt(name, path, f"has an unreadable provenance record ({exc})") from None
    if not isinstance(record, dict) or not isinstance(check, dict):
        raise _corrupt(name, path, "has a provenance record that is not a JSON object")
    if str(check.get("series", "")).lower() != name.lower():
        raise _corrupt(name, path, f"holds series {check.get('series')!r}, not {name!r} "
                                   "(copied over another series' file?)")
    if not isinstance(df.index, pd.DatetimeIndex):
        raise _corrupt(name, path, "has no date index")
    expected = _integrity(str(check.get("series")), df)
    for key in ("rows", "first", "last", "sha256"):
        if check.get(key) != expected[key]:
            raise _corrupt(name, path, f"fails its integrity check ({key}: recorded "
                                       f"{check.get(key)!r}, found {expected[key]!r})")
    try:
        prov = Provenance.from_dict(record)
    except (TypeError, ValueError) as exc:
        raise _corrupt(name, path, f"has an unusable provenance record ({exc})") from None
    return df, prov


def _legacy_provenance(name: str, path: Path, df: pd.DataFrame) -> Provenance:
    side = path.with_name(path.name.removesuffix(".parquet") + ".provenance.json")
    try:
        record = json.loads(side.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _corrupt(name, path, "has no provenance record (copied in by hand?)") from None
    except (OSError, ValueError) as exc:
        raise _corrupt(name, path, f"has an unreadable provenance file {side.name} ({exc})"
                       ) from None
    if not isinstance(record, dict):
        raise _corrupt(name, path, f"has a provenance file {side.name} holding a JSON "
                                   f"{type(record).__name__}, not an object")
    try:
        prov = Provenance.from_dict(record)
    except (TypeError, ValueError) as exc:
        raise _corrupt(name, path, f"has an unusable provenance file ({exc})") from None
    if not isinstance(df.index, pd.DatetimeIndex):
        raise _corrupt(name, path, "has no date index")
    first = df.index[0].date().isoformat() if len(df) else ""
    last = df.index[-1].date().isoformat() if len(df) else ""
    if (prov.name.lower() != name.lower() or prov.rows != len(df) or prov.first != first
            or prov.last != last):
        raise _corrupt(name, path, f"does not match its provenance file {side.name} "
                                   f"(series {prov.name}, {prov.rows} rows {prov.first}.."
                                   f"{prov.last}; file has {len(df)} rows {first}..{last})")
    return dataclasses.replace(prov, notes=(*prov.notes, "legacy cache file (no content hash)"))


def info(name: str, folder: Path | None = None) -> Provenance | None:
    """Stored provenance of a cached series (None if not cached or unreadable).

    Reads only the file's footer, not its rows; the record is not verified against
    the rows (use :func:`read` for that).
    """
    path = data_path(name, folder)
    try:
        meta = pq.read_schema(path).metadata or {}
    except Exception:
        return None
    try:
        if META_KEY in meta:
            record = json.loads(meta[META_KEY])
        else:
            record = json.loads(_legacy_provenance_path(name, folder).read_text(encoding="utf-8"))
        return Provenance.from_dict(record) if isinstance(record, dict) else None
    except (OSError, ValueError, TypeError):
        return None


def signature(name: str, folder: Path | None = None) -> str | None:
    """A fingerprint of the cached version of ``name`` (content hash, else size and
    mtime); None when nothing is cached. A writer compares it before replacing a
    file it merged with, to notice another writer in between."""
    path = data_path(name, folder)
    try:
        st = path.stat()
    except OSError:
        return None
    try:
        meta = pq.read_schema(path).metadata or {}
        check = json.loads(meta[CHECK_KEY])
        if isinstance(check, dict) and check.get("sha256"):
            return str(check["sha256"])
    except Exception:
        pass
    return f"{st.st_size}:{st.st_mtime_ns}"


def read(name: str, folder: Path | None = None) -> pd.DataFrame:
    """Read a cached series with its provenance (origin ``cache``).

    Raises
    ------
    DataError
        If it is not cached.
    CacheCorrupt
        If the file cannot be read, fails validation or does not match its
        integrity record.
    """
    return read_with_record(name, folder)[0]


def read_with_record(name: str, folder: Path | None = None) -> tuple[pd.DataFrame, Provenance]:
    """:func:`read`, plus the provenance record as stored, both from one version of the file."""
    path = data_path(name, folder)
    if not path.is_file():
        raise DataError(name, "not in the cache", hint=f"looked for {path}")
    df, stored = _read_verified(name, path)
    if isinstance(df.index, pd.DatetimeIndex) and df.index.tz is not None:
        raise _corrupt(name, path, f"has dates with a time zone ({df.index.tz}); the kit "
                                   "stores session dates without one")
    try:
        df = _validate(name, df, _spec_or_none(name))
    except DataError as exc:
        raise CacheCorrupt(name, f"cache file {path} fails validation: {exc.rule}", exc.rows,
                           hint="it is not used; pull or import the series again") from None
    prov = dataclasses.replace(stored, origin="cache", location=str(path),
                               notes=tuple(dict.fromkeys(
                                   (*stored.notes, f"stored as {stored.origin}")
                                   if stored.origin != "cache" else stored.notes)))
    return attach(df, prov), stored


# a replacement may lack at most this share of the cached dates (vendors withdraw a bad bar)
MAX_DROPPED_SHARE = 0.002


def history_loss(base: pd.DataFrame | None, new: pd.DataFrame,
                 max_dropped_share: float = MAX_DROPPED_SHARE) -> str | None:
    """Why replacing ``base`` by ``new`` would lose history, in words (None: it would not).

    ``new`` must start no later and end no earlier than ``base`` and lack at most
    ``max_dropped_share`` of its dates: the one rule pulls, imports and snapshot
    loads follow.
    """
    if base is None or base.empty:
        return None
    if new.empty:
        return f"the replacement is empty but the cache holds {len(base):,} rows"
    b0, b1, f0, f1 = base.index[0], base.index[-1], new.index[0], new.index[-1]
    lost = base.index.unique().difference(new.index.unique())
    if f0 <= b0 and f1 >= b1 and len(lost) <= int(max_dropped_share * base.index.nunique()):
        return None
    what = (f"the replacement covers {f0.date()} to {f1.date()} ({len(new):,} rows) but the "
            f"cache holds {b0.date()} to {b1.date()} ({len(base):,} rows)")
    if len(lost):
        what += f"; {len(lost):,} cached date(s) would be lost (first {lost[0].date()})"
    return what


def backup(name: str, folder: Path | None = None) -> Path | None:
    """Copy the cached file of ``name`` to ``<cache>/backups/<name>.<UTC stamp>.parquet``.

    The copy is self-describing (data and provenance); restore it by copying it
    back over ``<cache>/<name>.parquet``. Returns the copy (None if nothing cached).
    Runs under the series' lock; temporaries of killed backups are removed.
    """
    src = data_path(name, folder)
    with locked(name, folder):
        if not src.is_file():
            return None
        dest_dir = backups_dir(folder)
        _ensure_folder(name, dest_dir)
        for stale in dest_dir.glob(f".{src.stem}.*{_TMP_SUFFIX}"):
            with contextlib.suppress(OSError):
                stale.unlink()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        dest = dest_dir / f"{src.stem}.{stamp}.parquet"
        n = 1
        while dest.exists():
            n += 1
            dest = dest_dir / f"{src.stem}.{stamp}-{n}.parquet"
        with _kit_errors(name, dest):
            data = src.read_bytes()
            atomic_write(dest, lambda fh: fh.write(data), suffix=_TMP_SUFFIX)
    return dest


def remove(name: str, folder: Path | None = None) -> None:
    """Delete a cached series."""
    target = data_path(name, folder)
    with locked(name, folder), _kit_errors(name, target):
        for p in (target, _legacy_provenance_path(name, folder)):
            p.unlink(missing_ok=True)
