"""``load()``: one entry point for every catalog series.

Resolution order, first hit wins:

1. the snapshot folder given as ``snapshot=`` or by ``SMALLCAPS_SNAPSHOT``;
2. the local cache (filled by ``smallcaps data pull``, ``data snapshot`` or
   ``data import``); a corrupt cache file is reported and rebuilt from the snapshot
   it came from when that still exists, never silently used;
3. on demand, for a series with a public source (any price ticker, FINRA short
   interest, the catalog's feeds): pulled through the adapters of
   :mod:`smallcaps.data.pull`, validated, cached with provenance and, for a name
   outside the built-in catalog, recorded in the registry
   (:mod:`smallcaps.data.registry`); never when ``SMALLCAPS_OFFLINE`` is on or
   ``fetch=False``;
4. synthetic demo data, only when asked for (``demo=True`` or ``SMALLCAPS_DEMO=1``),
   and then labelled SYNTHETIC DEMO DATA in its provenance and on every figure.

Otherwise a :class:`DataError` names the series, says what was tried and how to get
the data (``smallcaps data pull``, or ``smallcaps data import FILE --as NAME``).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import warnings
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from .. import config
from .._core.dates import parse_date
from . import cache
from . import snapshot as _snap
from .catalog import CATALOG, SeriesSpec, close_matches_hint, register
from .catalog import spec as get_spec
from .errors import DataError
from .pointintime import add_release_columns, cut_as_of
from .provenance import Provenance, attach, provenance


def _to_ts(value, what: str, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        return parse_date(value, what=what)  # the kit's one date parser (ISO only)
    except (TypeError, ValueError) as exc:
        raise DataError(name, str(exc)) from None


# The synthetic-data fallback of load(): a callable name -> frame. smallcaps.demo installs
# its generator here (set_fallback) when imported; data/ never imports demo itself, it only
# names the module to import on first need, so the two packages have no import cycle.
_FALLBACK: Callable[[str], pd.DataFrame] | None = None
_FALLBACK_MODULE = "smallcaps.demo"


def set_fallback(fn: Callable[[str], pd.DataFrame] | None) -> None:
    """Install the function ``load`` calls for synthetic data when demo data is allowed."""
    global _FALLBACK
    _FALLBACK = fn


def _fallback(name: str) -> pd.DataFrame:
    if _FALLBACK is None:
        importlib.import_module(_FALLBACK_MODULE)  # installs itself with set_fallback
    if _FALLBACK is None:
        raise DataError(name, f"no synthetic data fallback installed ({_FALLBACK_MODULE})")
    return _FALLBACK(name)


def demo_enabled() -> bool:
    """Whether ``SMALLCAPS_DEMO`` allows synthetic demo data (``smallcaps.config.demo``)."""
    return config.demo()


def _from_cache(name: str) -> pd.DataFrame | None:
    """The cached series, or None; a reader never writes what it only read.

    A file that fails its checks may be a writer's half-finished work seen through
    a broken file system: it is read again once the writer's lock is free. Still
    bad, it is rebuilt from the snapshot it came from (when its record says so and
    that file still exists), under the lock; otherwise the error is raised.
    """
    if not cache.exists(name):
        return None
    try:
        return cache.read(name)
    except cache.CacheCorrupt as exc:
        first = exc
    stored = cache.info(name)
    try:
        with cache.locked(name):
            try:
                return cache.read(name)  # a writer may have just replaced it
            except cache.CacheCorrupt:
                pass
            if stored is None or stored.origin != "snapshot" or not Path(stored.location).is_file():
                raise first
            warnings.warn(str(first), stacklevel=3)
            folder = Path(stored.location).parents[1]
            df = _snap.read(folder, get_spec(name))
            cache.write(name, df, provenance(df))
    except cache.CacheError:
        raise first from None  # read-only cache: report the damage, do not write
    warnings.warn(f"{name}: cache rebuilt from snapshot {folder}", stacklevel=3)
    return cache.read(name)


def _log(prov: Provenance) -> None:
    # set by the runner: every load() appends its provenance as a JSON line, so each
    # run's manifest lists the data a notebook actually read
    path = config.provenance_log()
    if path is None:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(prov.to_dict(), default=str) + "\n")
    except OSError as exc:  # the log is an aid, never a reason to fail a load
        warnings.warn(f"could not record provenance in {path}: {exc}", stacklevel=3)


def _fetch_on_demand(sp: SeriesSpec) -> tuple[pd.DataFrame | None, str]:
    """Pull ``sp`` now; (frame or None, what happened in words)."""
    from .pull import pull_one
    from .sources import plan

    if not plan(sp):
        return None, "no public source to download it from"
    try:
        res = pull_one(sp.name, max_age_hours=None, force=True)
    except DataError as exc:  # e.g. an unreadable cache file in the way
        return None, f"download failed ({exc})"
    if not cache.exists(sp.name):
        return None, f"download failed ({res.message()})"
    if sp.name not in CATALOG:
        try:
            register(sp)
        except DataError as exc:  # an entry of another origin stays as it is
            warnings.warn(f"{sp.name}: not recorded in the registry: {exc}", stacklevel=3)
    return cache.read(sp.name), "downloaded"


def _not_found(sp: SeriesSpec, folder: Path | None, fetch_note: str) -> DataError:
    from . import snapshot as snap

    tried = []
    if folder is None:
        tried.append("no snapshot configured (SMALLCAPS_SNAPSHOT)")
    else:
        files = [sp.snapshot_file] if sp.snapshot_file else []
        if sp.kind == "prices":
            sym = (sp.yahoo or sp.name).upper().lstrip("^")
            files += [f"market/{sym}.csv", *snap.PRICE_PARQUETS]
        tried.append(f"snapshot {folder} ({', '.join(dict.fromkeys(files)) or 'no file for it'})")
    tried.append(f"cache {cache.cache_dir()}")
    tried.append(fetch_note)
    if sp.import_only:
        hint = f"import it with: smallcaps data import FILE --as {sp.name}"
    elif sp.kind == "prices":
        hint = (f"online: smallcaps data pull {sp.name}; offline: import a CSV with columns "
                f"date,open,high,low,close[,adj_close][,volume]: smallcaps data import FILE --as {sp.name}")
    else:
        hint = (f"online: smallcaps data pull {sp.name}; or point SMALLCAPS_SNAPSHOT at a snapshot "
                f"folder; or import a CSV: smallcaps data import FILE --as {sp.name}")
    rule = "no data available; tried "
    if sp.name not in CATALOG and sp.kind == "short_interest":
        close = close_matches_hint(sp.name)
        if close.startswith("Did you mean"):
            hint = f"{close} Else {hint}"
    if sp.name not in CATALOG and sp.kind == "prices" and sp.description.endswith("(any ticker, on demand)"):
        # an unregistered name read as a ticker: it may be a typo of a catalog name
        rule = f"no prices for ticker {sp.name}; tried "
        close = close_matches_hint(sp.name)
        if close.startswith("Did you mean"):
            rule = f"unknown series name, and no prices for a ticker {sp.name}; tried "
            hint = f"{close} Else {hint}"
    return DataError(sp.name, rule + "; ".join(tried), hint=hint)


def load(
    name: str,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    snapshot: str | Path | None = None,
    contracts: str = "primary",
    demo: bool | None = None,
    fetch: bool | None = None,
) -> pd.DataFrame:
    """Load a catalog series as a validated frame with provenance.

    Parameters
    ----------
    name : catalog name ("RUT", "IWM", "margin_debt", "cot:russell2000", ...), a
        registered name, ``short_interest:SYMBOL``, or any Yahoo/Stooq ticker
        ("AAPL", "IJR", "KRE"); case-insensitive. Other names raise with close matches.
    start, end : inclusive date bounds (ISO strings or Timestamps).
    as_of : point in time: keep only what was usable at this date's close (for
        prices, rows up to the date; for slow series, rows whose ``usable_from``,
        else ``published``, date is on or before it).
    snapshot : read this snapshot folder instead of ``$SMALLCAPS_SNAPSHOT``.
    contracts : COT only: "primary" (one row per week, default) or "all" (both
        Russell contracts during the 2017-18 ICE -> CME switch).
    demo : True to fall back to synthetic demo data when no real data exists
        (default: the ``SMALLCAPS_DEMO`` environment variable).
    fetch : download on demand when neither the snapshot nor the cache has the
        series (default: yes unless ``SMALLCAPS_OFFLINE`` is on).

    Returns
    -------
    pandas.DataFrame
        Prices: DatetimeIndex ``date``; float columns open, high, low, close,
        adj_close, volume. Other series: their value columns plus ``published``
        (and ``usable_from`` for releases after the close), recomputed from the
        release calendars on every load.
        ``df.attrs["provenance"]`` describes the origin (see
        :func:`smallcaps.data.provenance`).

    Raises
    ------
    DataError
        Unknown name, bad dates, no data available, invalid data, or an empty
        window.
    """
    sp = get_spec(name)
    name = sp.name
    start_ts = _to_ts(start, "start", name)
    end_ts = _to_ts(end, "end", name)
    as_of_ts = _to_ts(as_of, "as_of", name)
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise DataError(name, f"start {start_ts.date()} is after end {end_ts.date()}")

    folder = Path(snapshot).expanduser() if snapshot is not None else _snap.snapshot_from_env()
    if folder is not None and not folder.is_dir():
        raise DataError(name, f"snapshot folder {folder} does not exist")
    df = None
    if folder is not None and _snap.has_series(folder, sp):
        df = _snap.read(folder, sp, contracts=contracts)
    if df is None:
        df = _from_cache(name)
        if df is not None and sp.kind == "cot" and contracts != "all" and "is_primary" in df:
            # pulled COT caches keep every contract's rows; pick the primary one per week
            df = attach(df[df["is_primary"].astype(bool).to_numpy()].copy(), provenance(df))
    use_demo = demo if demo is not None else demo_enabled()
    fetch_note = "no download (SMALLCAPS_OFFLINE is on)" if config.offline() else "no download (fetch=False)"
    if df is None and not sp.import_only and (
            fetch if fetch is not None else not config.offline()):
        df, fetch_note = _fetch_on_demand(sp)
    if df is None and use_demo:
        df = _fallback(name)
    if df is None:
        raise _not_found(sp, folder, fetch_note)

    prov = provenance(df)
    if sp.kind != "prices" and sp.release != "same_day":
        # release dates from today's calendars, also for caches written under older rules
        df = attach(add_release_columns(df.copy(), sp.release), prov)
    if as_of_ts is not None:
        df = cut_as_of(df, as_of_ts, name)
        prov = dataclasses.replace(prov, as_of=as_of_ts.date().isoformat())
    if start_ts is not None or end_ts is not None:
        mask = pd.Series(True, index=df.index)
        if start_ts is not None:
            mask &= df.index >= start_ts
        if end_ts is not None:
            mask &= df.index <= end_ts
        df = df[mask.to_numpy()]
    if df.empty:
        window = f"{start_ts.date() if start_ts is not None else '...'} to {end_ts.date() if end_ts is not None else '...'}"
        raise DataError(name, f"empty result for the requested window {window}",
                        hint=f"data covers {prov.first} to {prov.last}")
    df = attach(df.copy(), prov)
    _log(provenance(df))
    return df


def available(name: str, snapshot: str | Path | None = None) -> str | None:
    """Where ``name`` would be loaded from ("snapshot" or "cache"), or None."""
    sp = get_spec(name)
    folder = Path(snapshot) if snapshot is not None else _snap.snapshot_from_env()
    if folder is not None and _snap.has_series(folder, sp):
        return "snapshot"
    if cache.exists(sp.name):
        return "cache"
    return None
